/**
 * Luau's benchmark runner (luau-lang/luau `bench/bench.py`), as read by github-action-benchmark's
 * `benchmarkluau`: one line per test, `SUCCESS: base64   :   15.041ms +/-  0.636% on luau`; the
 * RESULTS table after them repeats the same figures and is not read. Other lines are ignored.
 *
 * The figure is the **mean** of bench.py's runs. Metric `time` (s).
 */
import {
  BenchmarkCollector,
  type HarnessParseResult,
  NUMBER_TEXT,
  readNumber,
  rejectCutLastLine,
  requireText,
  textLines,
  timeFactor,
  timeMetric,
} from './common';

const EXPECTED = 'Luau bench.py lines like "SUCCESS: base64   :   15.041ms +/-  0.636% on luau"';
const LINE = new RegExp(
  `^SUCCESS:\\s+(.+?)\\s*:\\s+(${NUMBER_TEXT})\\s*(ns|us|µs|ms|s)\\s+\\+/-\\s*${NUMBER_TEXT}%\\s+on\\s+\\S+`,
);

export function parseLuau(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const lines = textLines(text);
  rejectCutLastLine(lines, /^SUCCESS:/, LINE, source, EXPECTED);
  const out = new BenchmarkCollector(source, 'Luau bench');
  for (const line of lines) {
    const m = LINE.exec(line);
    if (m) out.add(m[1], [timeMetric('time', readNumber(m[2]) * timeFactor(m[3], source, `test "${m[1]}"`))]);
  }
  return out.result(EXPECTED);
}
