import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../../src/core/model';
import { failingList, renderTerminal } from '../../src/core/render/terminal';
import { expectGolden } from '../helpers/golden';
import { makeReport, TYPICAL } from '../helpers/reports';

/** A build error as a runner prints it: a stack trace with the characters markdown had to escape. */
const BUILD_ERROR = [
  'The head build failed (exit code 1): npm run build',
  "Error: Cannot find module './dist/cli.js' (HEAD~1)",
  '    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)',
  '    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:135:12)',
].join('\n');

describe('renderTerminal', () => {
  it('renders a regression report as plain text (golden)', () => {
    const report = makeReport(TYPICAL, 'api/*:p99: < 10ms');
    report.errors.push(BUILD_ERROR);
    expectGolden('terminal/regression.txt', renderTerminal(report));
  });

  it('writes no markup: no entities, no markdown escapes, no zero-width characters, real newlines', () => {
    const report = makeReport(TYPICAL);
    report.errors.push(BUILD_ERROR);
    report.base.ref = 'HEAD~1';
    const text = renderTerminal(report);
    expect(text).not.toMatch(/&#|&amp;|\*\*|<sup>|<details>|`|[\u200b-\u200d\u2060\ufeff]/);
    expect(text).toContain('(HEAD~1)');
    expect(text).toContain('Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)\n');
    expect(text).toContain('[as runMain]');
  });

  it('aligns columns by display width, whatever the characters of the names', () => {
    const report = makeReport([
      ...TYPICAL,
      { id: 'ünï/表示:wall', unit: 's', direction: 'lower', median: 0.1, ratio: 1.3, cv: 0.01 },
    ]);
    const lines = renderTerminal(report).split('\n');
    const header = lines.findIndex((l) => l.startsWith('Metric'));
    const table = lines.slice(header, lines.indexOf('', header));
    expect(table.length).toBeGreaterThan(2);
    // The last column (rounds) is right-aligned, so every line of the table is equally wide.
    expect(new Set(table.map((l) => stringWidth(l))).size).toBe(1);
  });

  it('neutralises control characters and bidi overrides in every string', () => {
    const report: ComparisonReport = makeReport([
      { id: 'evil\u001b[2J\u202e:wall', unit: 's', direction: 'lower', median: 0.1, ratio: 1.3, cv: 0.01 },
    ]);
    report.errors.push('build \u001b]0;pwned\u0007 failed\n\u202etail\u009b31m');
    report.head.ref = 'x\u2066y\u2069';
    report.reproduce = 'echo \u001b[31m';
    const text = renderTerminal(report);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('evil␛[2J\ufffd:wall');
  });
});

describe('failingList (the failure annotation)', () => {
  it('names at most 10 ids, shortened, and says how many more', () => {
    const specs = Array.from({ length: 25 }, (_, i) => ({
      id: i === 0 ? `s/${'n'.repeat(5000)}:time` : `s/bench-${i}:time`,
      unit: 's',
      direction: 'lower' as const,
      median: 0.01,
      ratio: 1.5,
      cv: 0.01,
    }));
    const text = failingList(makeReport(specs));
    expect(text.match(/s\//g)).toHaveLength(10);
    expect(text).toMatch(/ and 15 more$/);
    expect(text.length).toBeLessThan(400);
    expect(failingList(makeReport(specs.slice(1, 3)))).toBe('s/bench-1:time, s/bench-2:time');
  });
});
