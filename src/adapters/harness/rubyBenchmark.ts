/**
 * Ruby's `benchmark` (standard library) and the `benchmark-ips` gem, their text on stdout:
 * - `Benchmark.bm` / `bmbm` / `benchmark`: after the `user  system  total  real` header, a line
 *   `LABEL  0.950000   0.000000   0.950000 (  0.952039)` per report (ruby/benchmark
 *   `lib/benchmark.rb`, `Tms#format`). Of `bmbm` only the measured pass is read (its
 *   "Rehearsal" is not); `>total:`/`>avg:` lines, sums of the others, are skipped. Metric `time`
 *   (the `real` column, wall-clock seconds of the one run).
 * - benchmark-ips: the `Calculating ----` section, `LABEL   10.123k (± 1.2%) i/s - …`, with the
 *   label on its own line when it is long (evanphx/benchmark-ips `lib/benchmark/ips/report.rb`).
 *   Metric `ops` (iterations per second, 1/s, higher; the k/M/B/T suffixes are 10³ steps).
 *   Keep its `time` short (`x.config(time: 1, warmup: 0.5)`).
 */
import { median } from '../../core/stats/quantiles';
import {
  BenchmarkCollector,
  type HarnessParseResult,
  NUMBER_TEXT,
  rateMetric,
  readNumber,
  requireText,
  textLines,
  timeMetric,
} from './common';

const EXPECTED =
  'Ruby Benchmark.bm/bmbm output (a "user system total real" header, then "label  0.1  0.0  0.1 (  0.12)" lines) or a benchmark-ips report';

const HEADER = /^\s+user\s+system\s+total\s+real\s*$/;
const TMS = new RegExp(
  `^(.*?)\\s+(${NUMBER_TEXT})\\s+(${NUMBER_TEXT})\\s+(${NUMBER_TEXT})\\s+\\(\\s*(${NUMBER_TEXT})\\s*\\)\\s*$`,
);
const IPS = new RegExp(`^(.*?)\\s*(${NUMBER_TEXT})([kMBTQ]?)\\s+\\(±\\s*${NUMBER_TEXT}%\\)\\s+i/s\\b`);
const SCALE: Record<string, number> = { '': 1, k: 1e3, M: 1e6, B: 1e9, T: 1e12, Q: 1e15 };

export function parseRubyBenchmark(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const lines = textLines(text);
  const out = new BenchmarkCollector(source, 'Ruby benchmark');
  const ips = new Map<string, number[]>();
  let section: 'none' | 'bm' | 'ips' = 'none';
  lines.forEach((line, index) => {
    if (HEADER.test(line)) {
      section = 'bm';
      return;
    }
    if (/^Calculating -+/.test(line)) {
      section = 'ips';
      return;
    }
    if (section === 'bm') {
      const m = TMS.exec(line);
      if (!m) {
        section = 'none';
        return;
      }
      const label = m[1].trim();
      if (/^>(total|avg):?$/.test(label)) return;
      out.add(label, [timeMetric('time', readNumber(m[5]))]);
    } else if (section === 'ips') {
      if (/^Comparison:/.test(line) || /^Warming up -+/.test(line)) {
        section = 'none';
        return;
      }
      const m = IPS.exec(line);
      if (!m) return;
      // A long label stands alone on the line before its figures.
      const label = m[1].trim() || (lines[index - 1] ?? '').trim();
      const list = ips.get(label) ?? [];
      list.push(readNumber(m[2]) * SCALE[m[3]]);
      ips.set(label, list);
    }
  });
  for (const [label, rates] of ips) out.add(label, [rateMetric('ops', median(rates))]);
  return out.result(EXPECTED);
}
