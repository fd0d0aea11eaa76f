/**
 * Dart's `benchmark_harness` package (dart-lang/benchmark_harness `lib/src/score_emitter.dart`,
 * `PrintEmitter`): one line per benchmark, `Template(RunTime): 1.234 us.`. Other lines are ignored.
 *
 * The figure is the **mean** time of one `run()` over benchmark_harness's measuring period.
 * Metric `time` (µs, as s).
 */
import {
  BenchmarkCollector,
  type HarnessParseResult,
  NUMBER_TEXT,
  readNumber,
  rejectCutLastLine,
  requireText,
  textLines,
  timeMetric,
} from './common';

const EXPECTED = 'benchmark_harness lines like "Template(RunTime): 1.234 us."';
const LINE = new RegExp(`^(.+?)\\(RunTime\\):\\s*(${NUMBER_TEXT})\\s+us\\.\\s*$`);

export function parseDartBenchmarkHarness(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const lines = textLines(text);
  rejectCutLastLine(lines, /\(RunTime\):/, LINE, source, EXPECTED);
  const out = new BenchmarkCollector(source, 'benchmark_harness');
  for (const line of lines) {
    const m = LINE.exec(line);
    if (m) out.add(m[1].trim(), [timeMetric('time', readNumber(m[2]) * 1e-6)]);
  }
  return out.result(EXPECTED);
}
