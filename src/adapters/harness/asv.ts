/**
 * airspeed velocity (asv) console output of `asv run` (and `asv continuous`, `asv dev`): one line
 * per benchmark, `[ 35.00%] ··· benchmarks.TimeSuite.time_keys     11.1±0.01μs`
 * (airspeed-velocity/asv `asv/util.py` `human_value`; bencherdev/bencher
 * `lib/bencher_adapter/src/adapters/python/asv.rs`). Lines of failed or skipped benchmarks are
 * named in a warning; parameterised benchmarks (printed as tables) are not read.
 *
 * asv's number is the **median** of its samples, the `±` part half their interquartile range.
 * Metrics: `time` (time benchmarks, s) and `memory` (`mem_` and `peakmem_` benchmarks, printed
 * with SI suffixes `k`, `M`, `G`, B). Keep asv's own repeats low (`--quick`, or `-a repeat=3`)
 * and let perfgate's rounds supply the replication.
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

const EXPECTED = 'asv run output lines like "[ 35.00%] ··· benchmarks.TimeSuite.time_keys   11.1±0.01μs"';

const LINE = /^\[\s*[0-9.]+%\]\s+[·.]+\s+(\S+)\s+(.*?)\s*$/;
const TIME = new RegExp(`^(${NUMBER_TEXT})(?:±(${NUMBER_TEXT}))?\\s*(ns|μs|µs|us|ms|s|m|h|d)$`);
const SIZE = new RegExp(`^(${NUMBER_TEXT})(?:±(${NUMBER_TEXT}))?\\s*([kMGTP]?)$`);
const SECONDS: Record<string, number> = {
  ns: 1e-9,
  μs: 1e-6,
  µs: 1e-6,
  us: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
};
const SI: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

export function parseAsv(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const lines = textLines(text);
  rejectCutLastLine(
    lines,
    new RegExp(`^\\[\\s*[0-9.]+%\\]\\s+[·.]+\\s+\\S+\\s+${NUMBER_TEXT}±$`),
    /$^/,
    source,
    EXPECTED,
  );
  const out = new BenchmarkCollector(source, 'asv');
  lines.forEach((line, index) => {
    const m = LINE.exec(line);
    if (!m || m[2] === '') return;
    const [name, value] = [m[1], m[2]];
    const last = name.split('.').pop() ?? name;
    const time = TIME.exec(value);
    if (time && !/^(peak)?mem_/.test(last)) {
      out.add(name, [timeMetric('time', readNumber(time[1]) * SECONDS[time[3]])]);
      return;
    }
    const size = SIZE.exec(value);
    if (size && /^(peak)?mem_/.test(last)) {
      out.add(name, [{ name: 'memory', unit: 'B', direction: 'lower', value: readNumber(size[1]) * SI[size[3]] }]);
      return;
    }
    if (/^(failed|skipped|n\/a)$/.test(value))
      out.warn(`${source}:${index + 1}: benchmark "${name}" ${value === 'n/a' ? 'has no result' : value}.`);
  });
  return out.result(EXPECTED);
}
