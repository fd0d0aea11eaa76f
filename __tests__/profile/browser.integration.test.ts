/**
 * The differential flame graph in headless Chromium (the Debian `chromium` package), on the report
 * built from the real fixture recordings: the slowed function is drawn, wide and red; nothing is
 * fetched, no script runs, nothing logs an error, in the light and the dark colour scheme; a
 * hostile profile runs nothing. Saves screenshots of the section under `screenshots/` for a person
 * to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../../src/core/model';
import { renderHtmlReport } from '../../src/core/render/html';
import { hostileProfiledReport, profiledReport } from './report-fixture';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SHOTS = join(import.meta.dirname, 'screenshots');
if (!hasChromium)
  console.warn(`flame graph browser test skipped: ${CHROMIUM} not found (apt-get install -y chromium).`);

interface Frame {
  fn: string;
  kind: string;
  width: number;
  height: number;
  fill: string;
  delta: number;
  textFits: boolean;
}

const INSPECT = `(() => ({
  frames: [...document.querySelectorAll('svg[data-chart="flamegraph"] g.fg')].map((g) => {
    const r = g.querySelector('rect');
    const t = g.querySelector('text');
    const box = r.getBoundingClientRect();
    return {
      fn: g.dataset.fn, kind: g.closest('svg').dataset.kind, width: box.width, height: box.height,
      fill: getComputedStyle(r).fill, delta: Number(g.dataset.delta),
      textFits: !t || t.getBoundingClientRect().width <= box.width + 1,
    };
  }),
  dangerous: document.querySelectorAll('script, img, iframe, object, embed, link, [onerror], [onload]').length,
}))()`;

describe.skipIf(!hasChromium)('differential flame graph in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perfgate-flame-'));
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(report: ComparisonReport, name: string, scheme: 'light' | 'dark') {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, renderHtmlReport(report));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1320, height: 900 }, colorScheme: scheme });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (r) => {
      if (r.url() !== url) problems.push(`request ${r.url()}`);
    });
    page.on('dialog', (d) => {
      problems.push(`dialog ${d.message()}`);
      void d.dismiss();
    });
    try {
      await page.goto(url, { waitUntil: 'load' });
      const seen = (await page.evaluate(INSPECT)) as { frames: Frame[]; dangerous: number };
      const section = page.locator('article.profile').first();
      await section.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
      return { ...seen, problems };
    } finally {
      await page.close();
    }
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`shows the slowed function wide and red (${scheme})`, async () => {
      const seen = await open(profiledReport(), 'flamegraph', scheme);
      expect(seen.problems).toEqual([]);
      expect(seen.dangerous).toBe(0);
      const cpu = seen.frames.filter((f) => f.kind === 'cpu');
      expect(cpu.length).toBeGreaterThan(10);
      const hot = cpu.find((f) => f.fn === 'parseRecords')!;
      expect(hot.width).toBeGreaterThan(300);
      expect(hot.height).toBeGreaterThan(10);
      const [r, g, b] = hot.fill.match(/\d+/g)!.map(Number);
      expect(r - Math.max(g, b)).toBeGreaterThan(100);
      expect(Math.max(...cpu.map((f) => f.delta))).toBe(hot.delta);
      for (const f of seen.frames) expect(f.textFits, f.fn).toBe(true);
    });
  }

  it('runs nothing from a hostile profile', async () => {
    const seen = await open(hostileProfiledReport(), 'flamegraph-hostile', 'light');
    expect(seen.problems).toEqual([]);
    expect(seen.dangerous).toBe(0);
    expect(seen.frames.length).toBeGreaterThan(10);
  });
});
