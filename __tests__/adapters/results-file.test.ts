/**
 * Report mode reading real results files from disk: two files with results for the same metric
 * (a duplicated artifact, overlapping or tampered shards) are an error that names both files,
 * whatever their names; symbolic links are skipped and the message says so.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResults } from '../../src/adapters/results-file';
import type { ComparisonReport } from '../../src/core/model';
import { makeReport, TYPICAL } from '../helpers/reports';

function workspace(files: Record<string, ComparisonReport>): string {
  const ws = mkdtempSync(path.join(os.tmpdir(), 'perfgate-results-ws-'));
  for (const [name, report] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws, 'in', name)), { recursive: true });
    writeFileSync(path.join(ws, 'in', name), JSON.stringify(report));
  }
  return ws;
}

const passing = makeReport(TYPICAL.map((s) => ({ ...s, ratio: 1 })));
/** The same metrics, one of them a regression: a conflicting answer for the same comparison. */
const failing = makeReport(TYPICAL);

describe('report mode results', () => {
  it('refuses two unsharded files that disagree about a metric, naming both, in either name order', () => {
    expect(failing.verdict).toBe('fail');
    for (const [a, b] of [
      [passing, failing],
      [failing, passing],
    ]) {
      const ws = workspace({ 'a/perfgate-results.json': a, 'b/perfgate-results.json': b });
      expect(() => loadResults('in', ws)).toThrow(
        /in\/a\/perfgate-results\.json and in\/b\/perfgate-results\.json both have results for metric "[^"]+", and they disagree/,
      );
    }
  });

  it('refuses the same results twice (an artifact downloaded twice)', () => {
    const ws = workspace({ 'perfgate-results.json': passing, 'copy/perfgate-results-1.json': passing });
    expect(() => loadResults('in', ws)).toThrow(/both have results for metric "[^"]+" \(identical/);
  });

  it('refuses shards whose results overlap', () => {
    const shard = (index: number, ids: string[]): ComparisonReport => ({
      ...passing,
      configHash: 'abcdef0123456789',
      shard: { index, total: 2 },
      results: passing.results.filter((r) => ids.includes(r.id)),
    });
    const ws = workspace({
      'perfgate-results-1.json': shard(1, ['cli:wall', 'cli:cpu']),
      'perfgate-results-2.json': shard(2, ['cli:cpu', 'cli:rss']),
    });
    expect(() => loadResults('in', ws)).toThrow(
      /in\/perfgate-results-1\.json and in\/perfgate-results-2\.json both have results for metric "cli:cpu"/,
    );
  });

  it('says a results file was skipped because it is a symbolic link', () => {
    const ws = workspace({ 'elsewhere/real.json': passing });
    symlinkSync(path.join(ws, 'in', 'elsewhere', 'real.json'), path.join(ws, 'in', 'perfgate-results.json'));
    expect(() => loadResults('in', ws)).toThrow(
      /skipped 1 symbolic link \(in\/perfgate-results\.json\): results are read from regular files only/,
    );
    expect(() => loadResults('in', ws)).not.toThrow(/did the download-artifact step run/);
  });

  it('reads the regular files and warns about a skipped link beside them', () => {
    const ws = workspace({ 'perfgate-results.json': passing });
    symlinkSync('/etc/passwd', path.join(ws, 'in', 'perfgate-results-2.json'));
    const report = loadResults('in', ws);
    expect(report.verdict).toBe('pass');
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: 'symlink' }));
  });
});
