/**
 * End to end (`node dist/index.js` against the loopback GitHub stand-in): after a regression,
 * profiles of both sides say where the time went. Fixture repositories whose head makes one named
 * function slower — a Node.js command, a Node.js HTTP server and a C program profiled with perf —
 * must get a comment whose "where the time went" table starts with that function, and an HTML
 * report whose differential flame graph shows it in headless Chromium.
 *
 * The slowdowns are several times the functions' base cost, so the outcome does not depend on how
 * busy this machine is; no test asserts a duration.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perfAvailability } from '../../src/adapters/profile/perf';
import { entry, prEvent, runAction } from '../helpers/action';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github';
import { C_BUILD, cProgramRepo, nodeCommandRepo, nodeServerRepo } from '../profile/fixtures';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const perf = await perfAvailability();
const hasCc = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!perf.ok || !hasCc)
  console.warn(
    `profile e2e: the C program case is skipped: ${perf.ok ? 'no C compiler (cc)' : perf.reason} ` +
      '(.ci/run installs linux-perf; perf records as root or with kernel.perf_event_paranoid ≤ 2).',
  );
if (!hasChromium) console.warn(`profile e2e: flame graphs are not opened in a browser: ${CHROMIUM} not found.`);

let github: FakeGitHub;
let browser: Browser | undefined;
beforeAll(async () => {
  if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run bundle` first');
  github = await startFakeGitHub();
  if (hasChromium)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
});
afterAll(async () => {
  await browser?.close();
  await github?.close();
});

// The helper turns profiling off by default; here it is the subject (the action's default, on-regression).
// Looks from round 8 (10 for a server) up to twice that: by the last, enough pairs for the signed-rank
// analysis to reach its confidence across every metric of the suite (2⁻ⁿ below α over the metric count,
// widened for the serial correlation a short run cannot rule out).
const ROUNDS = { 'min-rounds': '8', 'max-rounds': '16', profile: 'on-regression' };
const HTTP_ROUNDS = { ...ROUNDS, 'min-rounds': '10', 'max-rounds': '20' };
/** Each case measures 16–20 runs and profiles 5–7 more; on a loaded 2-core machine that can take minutes. */
const SLOW = 300_000;

/** The rows of the first "where the time went" table of a comment: [function cell, base, head, change, share]. */
function whereTheTimeWent(body: string): string[][] {
  const start = body.indexOf('#### Where the time went');
  expect(start, body).toBeGreaterThanOrEqual(0);
  const lines = body.slice(start).split('\n');
  const header = lines.findIndex((l) => /^\|\s*Function\s*\|/.test(l));
  const rows: string[][] = [];
  for (const l of lines.slice(header + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

interface FrameSeen {
  fn: string;
  width: number;
  fill: string;
  delta: number;
}

/** Opens the HTML report in Chromium and reads the flame graph's frames as drawn. */
async function flameFrames(htmlFile: string, shot: string): Promise<{ frames: FrameSeen[]; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const url = pathToFileURL(htmlFile).href;
  page.on('request', (r) => {
    if (r.url() !== url) errors.push(`request: ${r.url()}`);
  });
  try {
    await page.goto(url, { waitUntil: 'load' });
    const frames =
      (await page.evaluate(`[...document.querySelectorAll('svg[data-chart="flamegraph"] g.fg')].map((g) => {
      const r = g.querySelector('rect');
      return { fn: g.dataset.fn, width: r.getBoundingClientRect().width, fill: getComputedStyle(r).fill, delta: Number(g.dataset.delta) };
    })`)) as FrameSeen[];
    const svg = page.locator('svg[data-chart="flamegraph"]').first();
    await svg.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot });
    return { frames, errors };
  } finally {
    await page.close();
  }
}

/** Red-dominant: the colour the flame graph gives a frame whose self cost grew. */
function isRed(fill: string): boolean {
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(fill);
  return !!m && Number(m[1]) > Number(m[2]) + 40 && Number(m[1]) > Number(m[3]) + 40;
}

async function expectFlameGraphShows(htmlFile: string, fn: string, name: string) {
  const html = readFileSync(htmlFile, 'utf8');
  expect(html).toContain('data-chart="flamegraph"');
  expect(html).toContain(`data-fn="${fn}"`);
  if (!browser) return;
  const shot = path.join(mkdtempSync(path.join(os.tmpdir(), 'perfgate-flame-')), `${name}.png`);
  const { frames, errors } = await flameFrames(htmlFile, shot);
  expect(errors).toEqual([]);
  const hot = frames.filter((f) => f.fn === fn).sort((a, b) => b.width - a.width)[0];
  expect(hot, `frames: ${frames.map((f) => f.fn).join(', ')}`).toBeDefined();
  expect(hot.delta).toBeGreaterThan(0);
  expect(hot.width).toBeGreaterThan(40);
  expect(isRed(hot.fill), hot.fill).toBe(true);
  // It is the reddest frame: the largest growth of self cost in the graph.
  expect(Math.max(...frames.map((f) => f.delta))).toBe(hot.delta);
}

describe('where the time went', () => {
  it(
    'a Node.js command: the comment names the slowed function first, the flame graph shows it',
    async () => {
      const { repo, baseSha } = nodeCommandRepo();
      const suites = '- name: cli\n  run: node app.js\n  warmup: 0\n';
      const run = await runAction(github, repo, { suites, ...ROUNDS }, prEvent(41, baseSha));
      expect(run.code, `${run.stdout}\n${run.summary}`).toBe(1);
      expect(run.outputs.verdict).toBe('fail');
      const [comment] = github.comments('octo', 'app', 41);
      const rows = whereTheTimeWent(comment.body);
      expect(rows[0][0]).toMatch(/^`parseRecords` app\.js:5$/);
      expect(rows[0][4]).toMatch(/^\d+ %$/);
      expect(comment.body).toContain('V8 CPU profiles, 3 runs per side; self time per run');
      // Raw profiles beside the results, for Chrome DevTools / speedscope.
      const results = JSON.parse(readFileSync(run.outputs.results, 'utf8'));
      const dir = path.dirname(run.outputs.results);
      expect(results.profiles[0].files.length).toBeGreaterThanOrEqual(6);
      for (const f of results.profiles[0].files) {
        expect(f).toMatch(/^perfgate-profiles\/cli\/(base|head)-\d\/\d+-\d+\.cpuprofile$/);
        expect(JSON.parse(readFileSync(path.join(dir, f), 'utf8')).nodes.length).toBeGreaterThan(0);
      }
      await expectFlameGraphShows(run.outputs.html, 'parseRecords', 'node-command');
    },
    SLOW,
  );

  it(
    'a Node.js HTTP server: profiled during a load run, costs per request',
    async () => {
      const { repo, baseSha } = nodeServerRepo();
      const suites = [
        '- name: api',
        '  server: node server.js',
        '  ready: /health',
        '  connections: 2',
        '  duration: 600ms',
        '  warmupDuration: 200ms',
        '  warmup: 0',
        '  scenarios:',
        '    - { name: items, path: /items }',
      ].join('\n');
      const run = await runAction(
        github,
        repo,
        { suites, ...HTTP_ROUNDS, budgets: 'api/**:errors: off' },
        prEvent(42, baseSha),
      );
      expect(run.code, `${run.stdout}\n${run.summary}`).toBe(1);
      const [comment] = github.comments('octo', 'app', 42);
      const rows = whereTheTimeWent(comment.body);
      expect(rows[0][0]).toMatch(/^`renderItems` server\.js:6$/);
      expect(comment.body).toContain('self time per request');
      await expectFlameGraphShows(run.outputs.html, 'renderItems', 'node-server');
      // No server is left running.
      const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      expect(ps).not.toContain(repo);
    },
    SLOW,
  );

  it.skipIf(!perf.ok || !hasCc)(
    'a C program under perf: symbols and source lines resolved',
    async () => {
      const { repo, baseSha } = cProgramRepo();
      const suites = '- name: prog\n  run: ./prog\n  warmup: 0\n';
      const run = await runAction(github, repo, { suites, build: C_BUILD, ...ROUNDS }, prEvent(43, baseSha));
      expect(run.code, `${run.stdout}\n${run.summary}`).toBe(1);
      const [comment] = github.comments('octo', 'app', 43);
      const rows = whereTheTimeWent(comment.body);
      expect(rows[0][0]).toMatch(/^`checksum` prog\.c:4$/);
      expect(comment.body).toContain('perf CPU profiles');
      const results = JSON.parse(readFileSync(run.outputs.results, 'utf8'));
      expect(results.profiles[0].files.every((f: string) => f.endsWith('.perf.txt'))).toBe(true);
      await expectFlameGraphShows(run.outputs.html, 'checksum', 'c-program');
    },
    SLOW,
  );

  it(
    'never changes the verdict: a command that fails under the profiler keeps its regression, with a note',
    async () => {
      // The command refuses to run with perfgate's preload.
      const { repo, baseSha } = nodeCommandRepo(
        20,
        "if ((process.env.NODE_OPTIONS || '').includes('perfgate')) process.exit(3);\n",
      );
      const suites = '- name: cli\n  run: node app.js\n  warmup: 0\n';
      const run = await runAction(github, repo, { suites, ...ROUNDS }, prEvent(44, baseSha));
      expect(run.code, `${run.stdout}\n${run.summary}`).toBe(1);
      expect(run.outputs.verdict).toBe('fail');
      const [comment] = github.comments('octo', 'app', 44);
      expect(comment.body).toContain('A profiled run failed, so profiling stopped');
      expect(comment.body).toContain('exited with code 3');
    },
    SLOW,
  );
});

describe('profile input', () => {
  it(
    'never: no profiling, no profiles in the results',
    async () => {
      const { repo, baseSha } = nodeCommandRepo();
      const suites = '- name: cli\n  run: node app.js\n  warmup: 0\n';
      const run = await runAction(github, repo, { suites, ...ROUNDS, profile: 'never' }, prEvent(45, baseSha));
      expect(run.code).toBe(1);
      const results = JSON.parse(readFileSync(run.outputs.results, 'utf8'));
      expect(results.profiles).toBeUndefined();
      expect(existsSync(path.join(path.dirname(run.outputs.results), 'perfgate-profiles'))).toBe(false);
      expect(readdirSync(path.dirname(run.outputs.results))).not.toContain('perfgate-profiles');
    },
    SLOW,
  );
});
