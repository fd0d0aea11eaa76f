/**
 * Opens the HTML report in headless Chromium (the Debian `chromium` package) and checks that every
 * chart rendered with the expected number of points, that nothing was fetched, that no script ran
 * and no console error was logged, in the light and the dark colour scheme. Saves full-page
 * screenshots under `screenshots/` for a person to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../../src/core/model';
import { renderHtmlReport } from '../../src/core/render/html';
import { hostileReport, realisticReport } from './fixtures/report';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SHOTS = join(import.meta.dirname, 'screenshots');

if (!hasChromium) {
  console.warn(
    `render-html browser test skipped: ${CHROMIUM} not found. Install it with ` +
      '`apt-get install -y chromium` (CI does) to run the headless-browser checks of the HTML report.',
  );
}

interface ChartSeen {
  kind: string;
  metric: string;
  points: number;
  circles: number;
  width: number;
  height: number;
  /** Marks whose centre lies outside the chart's viewBox. */
  outside: number;
}

interface Seen {
  charts: ChartSeen[];
  background: string;
  dangerous: number;
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  dialogs: string[];
}

/** Page-side script (the test's TypeScript has no DOM types, so it is passed as text). */
const INSPECT = `(() => {
  const charts = [...document.querySelectorAll('svg[data-chart]')].map((svg) => {
    const box = svg.getBoundingClientRect();
    const vb = svg.viewBox.baseVal;
    const marks = [...svg.querySelectorAll('circle[data-series]')];
    const outside = marks.filter((c) => {
      const x = c.cx.baseVal.value, y = c.cy.baseVal.value;
      return !(x >= vb.x && x <= vb.x + vb.width && y >= vb.y && y <= vb.y + vb.height);
    }).length;
    return { kind: svg.dataset.chart, metric: svg.dataset.metric, points: Number(svg.dataset.points),
      circles: marks.length, width: box.width, height: box.height, outside };
  });
  return {
    charts,
    background: getComputedStyle(document.body).backgroundColor,
    dangerous: document.querySelectorAll('script, img, iframe, object, embed, link, [onerror], [onload]').length,
  };
})()`;

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perfgate-html-'));
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(report: ComparisonReport, name: string, scheme: 'light' | 'dark'): Promise<Seen> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, renderHtmlReport(report));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      await page.goto(url, { waitUntil: 'load' });
      const inspected = (await page.evaluate(INSPECT)) as Pick<Seen, 'charts' | 'background' | 'dangerous'>;
      // The whole realistic page; only the top of the hostile one (where its strings show as text).
      await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: name === 'report' });
      return { ...inspected, consoleErrors, pageErrors, requests, dialogs };
    } finally {
      await page.close();
    }
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`renders every chart with its points (${scheme})`, async () => {
      const report = realisticReport();
      const seen = await open(report, 'report', scheme);
      expect(seen.consoleErrors).toEqual([]);
      expect(seen.pageErrors).toEqual([]);
      expect(seen.requests).toEqual([]);
      expect(seen.dangerous).toBe(0);
      expect(seen.background).toBe(scheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');

      const expected = report.results.flatMap((r) => {
        const n = r.base.length + r.head.length;
        return [
          { kind: 'samples', metric: r.id, points: n },
          { kind: 'distribution', metric: r.id, points: n },
          { kind: 'forest', metric: r.id, points: r.change ? 1 : 0 },
        ];
      });
      expected.push({ kind: 'percentiles', metric: 'api/items', points: 8 });
      const sortKey = (c: { kind: string; metric: string }) => `${c.metric} ${c.kind}`;
      const got = [...seen.charts].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      expect(got.map(({ kind, metric, points }) => ({ kind, metric, points }))).toEqual(
        expected.sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
      );
      for (const c of seen.charts) {
        expect(c.circles, `${c.kind} ${c.metric}`).toBe(c.points);
        expect(c.outside, `${c.kind} ${c.metric}`).toBe(0);
        expect(c.width, `${c.kind} ${c.metric}`).toBeGreaterThan(100);
        expect(c.height, `${c.kind} ${c.metric}`).toBeGreaterThan(50);
      }
    });
  }

  it('runs nothing from a hostile report', async () => {
    const report = hostileReport();
    const seen = await open(report, 'hostile', 'light');
    expect(seen.dialogs).toEqual([]);
    expect(seen.pageErrors).toEqual([]);
    expect(seen.consoleErrors).toEqual([]);
    expect(seen.requests).toEqual([]);
    expect(seen.dangerous).toBe(0);
    expect(seen.charts).toHaveLength(report.results.length * 3 + 1);
    for (const c of seen.charts) expect(c.circles).toBe(c.points);
  });
});
