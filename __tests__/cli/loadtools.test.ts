/**
 * `perfgate compare` on the load-testing tools' result files (dist/cli/index.js, as a user runs it).
 * The files in __tests__/fixtures/loadtools/FORMAT/ come from scripts/load-tool-fixtures.mjs: six
 * interleaved runs each against a server answering in 100 ms (`base-K`, and again `same-K`) and in
 * 150 ms (`slow-K`, a 1.5× slowdown).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../../src/core/model';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '..', '..', 'dist', 'cli', 'index.js');
const FIXTURES = path.resolve(here, '..', 'fixtures', 'loadtools');

function set(format: string, name: string): string[] {
  const dir = path.join(FIXTURES, format);
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${name}-`))
    .sort()
    .map((f) => path.join(dir, f));
}

function compare(format: string, head: 'same' | 'slow') {
  const json = path.join(mkdtempSync(path.join(os.tmpdir(), 'perfgate-loadtools-')), 'r.json');
  const args = ['compare', '--format', format, '--name', 'api', '--base', ...set(format, 'base')];
  const r = spawnSync(process.execPath, [cli, ...args, '--head', ...set(format, head), '--json', json], {
    encoding: 'utf8',
  });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    report: JSON.parse(readFileSync(json, 'utf8')) as ComparisonReport,
  };
}

describe.each(['jmeter', 'gatling', 'artillery', 'locust'])('perfgate compare --format %s', (format) => {
  it('has six replicates per set', () => {
    expect(existsSync(cli), 'dist/cli/index.js is missing: run `npm run build`').toBe(true);
    for (const name of ['base', 'same', 'slow']) expect(set(format, name)).toHaveLength(6);
  });

  it('passes an A/A pair (the same server twice)', () => {
    const r = compare(format, 'same');
    expect(r.stderr).not.toMatch(/error|warning/i);
    expect(r.report.verdict).toBe('pass');
    expect(r.code).toBe(0);
    expect(r.report.results.filter((m) => m.outcome === 'regression')).toEqual([]);
  });

  it('finds the 1.5× slowdown in the median latency and exits 1', () => {
    const r = compare(format, 'slow');
    expect(r.report.verdict).toBe('fail');
    expect(r.code).toBe(1);
    const p50 = r.report.results.filter((m) => m.id.endsWith(':p50') && m.outcome === 'regression');
    expect(p50.length).toBeGreaterThan(0);
    // 100 ms → 150 ms of server delay; the tools' own overhead on a busy machine dilutes it a little.
    for (const m of p50) expect(m.change!.estimate).toBeGreaterThan(0.2);
    expect(r.stdout).toMatch(/regression/i);
  });
});
