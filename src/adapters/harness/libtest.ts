/**
 * Rust's built-in benchmark harness (libtest, `cargo bench` with `#[bench]` functions) and the
 * same lines that Criterion prints with `--output-format bencher`:
 * `test NAME ... bench:       1,234 ns/iter (+/- 56)`, optionally followed by `= 123 MB/s` when the
 * benchmark sets `b.bytes` (rust-lang/rust `library/test/src/formatters/pretty.rs`,
 * `fmt_bench_samples`). Newer toolchains print fractions (`148.70 ns/iter`). Other lines
 * (`running N tests`, `... ignored`, `test result:`) are ignored; a `... FAILED` benchmark is
 * named in a warning. Several bench targets in one `cargo bench` run are read as one list.
 *
 * libtest's number is the **median** of its samples' per-iteration times, and the `+/-` is their
 * range (max − min), not an interval. Metrics: `time` (ns/iter, as s), `throughput` (the
 * `= N MB/s` suffix, B/s, higher). Other units some harnesses print in the same line shape
 * (`cycles/iter`, `MS/s`) keep their unit string as the metric name and unit; they are
 * higher-is-better when the unit ends in `/s`, lower-is-better otherwise.
 */

import { TIME_FACTORS } from '../../core/units';
import type { HarnessMetric } from './common';
import {
  BenchmarkCollector,
  HarnessParseError,
  type HarnessParseResult,
  NUMBER_TEXT,
  readNumber,
  rejectCutLastLine,
  requireText,
  textLines,
  timeMetric,
} from './common';

const EXPECTED = 'cargo bench (libtest) lines like "test name ... bench:   1,234 ns/iter (+/- 56)"';

const LINE = new RegExp(
  `^test (.+?)\\s+\\.\\.\\. bench:\\s+(${NUMBER_TEXT}) (\\S+) \\(\\+/- (${NUMBER_TEXT})\\)(?:\\s*=\\s*(${NUMBER_TEXT}) MB/s)?\\s*$`,
);
const PARTIAL = /^test .+ \.\.\. bench:/;
const FAILED = /^test (.+?)\s+\.\.\. FAILED\s*$/;

/** Whether a text holds at least one libtest benchmark line (for the formats that embed them). */
export function hasLibtestLines(text: string): boolean {
  return textLines(text).some((l) => LINE.test(l));
}

/** The metric of one `VALUE UNIT` pair of a libtest line. */
function metricOf(value: number, unit: string): HarnessMetric {
  const time = /^(.+)\/iter$/.exec(unit);
  if (time && time[1] in TIME_FACTORS && !['m', 'min', 'h', 'hr', 'day', 'sec'].includes(time[1]))
    return timeMetric('time', value * TIME_FACTORS[time[1]]);
  return { name: unit, unit, direction: unit.endsWith('/s') ? 'higher' : 'lower', value };
}

export function parseLibtest(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const lines = textLines(text);
  rejectCutLastLine(lines, PARTIAL, LINE, source, EXPECTED);
  const out = new BenchmarkCollector(source, 'libtest');
  lines.forEach((line, index) => {
    const failed = FAILED.exec(line);
    if (failed) {
      out.warn(`${source}:${index + 1}: benchmark "${failed[1]}" FAILED; it has no result.`);
      return;
    }
    const m = LINE.exec(line);
    if (!m) return;
    const value = readNumber(m[2]);
    if (!Number.isFinite(value))
      throw new HarnessParseError(source, `benchmark "${m[1]}": expected a number, got ${m[2]}`, index + 1);
    const metrics = [metricOf(value, m[3])];
    if (m[5] !== undefined)
      metrics.push({ name: 'throughput', unit: 'B/s', direction: 'higher', value: readNumber(m[5]) * 1e6 });
    out.add(m[1], metrics);
  });
  return out.result(EXPECTED);
}
