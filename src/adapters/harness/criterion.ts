/**
 * Rust criterion results, in any of the forms criterion saves or prints (told apart by their
 * content):
 * - the console report of `cargo bench` (criterion.rs `src/report.rs`, `CliReport`): a
 *   `NAME  time:   [LOW EST HIGH]` line per benchmark (the name on the line before when it is
 *   long), optionally followed by `thrpt:  [LOW EST HIGH]`. EST is criterion's point estimate of
 *   the time per iteration (the slope of its linear regression, or the mean under flat sampling);
 *   `change:` lines and the rest are ignored. Metrics `time` (s) and, with a throughput,
 *   `throughput` (bytes/s, higher) or `elements` (elements/s, higher).
 * - `cargo bench -- --output-format bencher`: the libtest lines (`test NAME ... bench: N ns/iter
 *   (+/- R)`, see `libtest.ts`), whose number is criterion's point estimate. Metric `time` (s).
 * - cargo-criterion's JSON messages (`cargo criterion --message-format=json`, one JSON object per
 *   line on stdout, bheisler/criterion.rs `book/src/cargo_criterion/external_tools.md`): the
 *   `"reason": "benchmark-complete"` lines, with `id`, `median`/`mean`/`slope` estimates and their
 *   `unit`. Other lines (`group-complete`, non-JSON output) are ignored.
 * - one saved estimates file, `target/criterion/<id>/new/estimates.json`
 *   (`{"mean": {"point_estimate", …}, "median": {…}, "median_abs_dev", "slope", "std_dev"}`,
 *   nanoseconds; criterion 0.2 wrote the keys capitalised, `Mean`, `Median`). It carries no name:
 *   the benchmark is named after the directory above `new/` (or `base/`) in the source path.
 *
 * Metrics: `time` (criterion's median estimate of the time per iteration, s) and `mean` (s).
 * Criterion runs many samples per invocation; shorten them (`--measurement-time 2
 * --warm-up-time 1`, or `--sample-size`) and let perfgate's rounds supply the replication.
 */
import {
  BenchmarkCollector,
  finite,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  NUMBER_TEXT,
  parseJson,
  parseJsonLines,
  readNumber,
  rejectCutLastLine,
  requireText,
  textLines,
  timeFactor,
  timeMetric,
} from './common';
import { hasLibtestLines, parseLibtest } from './libtest';

const EXPECTED =
  'criterion\'s console report ("name  time: [1.2 µs 1.3 µs 1.4 µs]"), its --output-format bencher lines, cargo criterion --message-format=json lines ({"reason":"benchmark-complete",…}) or a criterion estimates.json';

/** Looks a key up case-insensitively (criterion 0.2 capitalised the estimate names). */
function field(o: Record<string, unknown>, key: string): unknown {
  if (key in o) return o[key];
  const want = key.replace(/_/g, '').toLowerCase();
  for (const k of Object.keys(o)) if (k.replace(/_/g, '').toLowerCase() === want) return o[k];
  return undefined;
}

function nameFromPath(source: string): string | null {
  const parts = source.split(/[\\/]/).filter((p) => p !== '');
  const i = parts.length - 2; // …/<id parts>/new/estimates.json
  if (i < 1 || !/^(new|base|change)$/.test(parts[i])) return null;
  const c = parts.lastIndexOf('criterion', i);
  return parts.slice(c >= 0 ? c + 1 : i - 1, i).join('/') || null;
}

function parseEstimates(doc: Record<string, unknown>, source: string): HarnessParseResult {
  const name = nameFromPath(source);
  if (!name)
    throw new HarnessParseError(
      source,
      'a criterion estimates.json carries no benchmark name; expected its path to end in "<benchmark>/new/estimates.json"',
    );
  const estimate = (key: string): number => {
    const e = field(doc, key);
    if (!isObject(e)) throw new HarnessParseError(source, `expected a "${key}" estimate object`);
    return finite(field(e, 'point_estimate'), source, `${key}.point_estimate`) * 1e-9;
  };
  const out = new BenchmarkCollector(source, 'criterion');
  out.add(name, [timeMetric('time', estimate('median')), timeMetric('mean', estimate('mean'))]);
  return out.result(EXPECTED);
}

function parseMessages(text: string, source: string): HarnessParseResult {
  const out = new BenchmarkCollector(source, 'criterion');
  // cargo-criterion may interleave other output; only lines that start with "{" are messages.
  const lines = text.split('\n');
  const blank = lines.map((l) => (l.trimStart().startsWith('{') ? l : '')).join('\n');
  if (blank.trim() === '') throw new HarnessParseError(source, `no JSON messages found; expected ${EXPECTED}`);
  for (const { value, line } of parseJsonLines(blank, source, EXPECTED)) {
    if (!isObject(value) || value.reason !== 'benchmark-complete') continue;
    if (typeof value.id !== 'string')
      throw new HarnessParseError(source, 'a benchmark-complete message has no "id" string', line);
    const where = `benchmark "${value.id}"`;
    const estimate = (key: string): number => {
      const e = value[key];
      if (!isObject(e)) throw new HarnessParseError(source, `${where}: expected a "${key}" estimate`, line);
      const unit = typeof e.unit === 'string' ? e.unit : typeof value.unit === 'string' ? value.unit : 'ns';
      return (
        finite(e.estimate, source, `${where}.${key}.estimate`, line) *
        timeFactor(unit, source, `${where}.${key}.unit (only time measurements are supported)`)
      );
    };
    out.add(value.id, [timeMetric('time', estimate('median')), timeMetric('mean', estimate('mean'))]);
  }
  return out.result(EXPECTED);
}

const TRIPLE = (unit: string) =>
  `\\[\\s*(${NUMBER_TEXT})\\s*(${unit})\\s+(${NUMBER_TEXT})\\s*(${unit})\\s+(${NUMBER_TEXT})\\s*(${unit})\\s*\\]`;
const TIME_LINE = new RegExp(`^(.*?)\\s*\\btime:\\s+${TRIPLE('ps|ns|us|µs|μs|ms|s')}\\s*$`);
const THRPT_LINE = new RegExp(`^\\s*thrpt:\\s+${TRIPLE('[KMGT]?i?B/s|[KMGT]?elem/s')}\\s*$`);
const PARTIAL_TIME = /^(.*?)\s*\btime:\s+\[/;

const THROUGHPUT_FACTORS: Record<string, number> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** criterion's console report (`cargo bench` without --message-format). */
function parseConsole(text: string, source: string): HarnessParseResult {
  const lines = textLines(text);
  rejectCutLastLine(lines, PARTIAL_TIME, TIME_LINE, source, EXPECTED);
  const out = new BenchmarkCollector(source, 'criterion');
  for (let i = 0; i < lines.length; i++) {
    const m = TIME_LINE.exec(lines[i]);
    if (!m) continue;
    // A long name is printed on its own line, and the time line starts with spaces.
    const name = m[1].trim() !== '' ? m[1].trim() : (lines[i - 1] ?? '').trim();
    if (name === '') throw new HarnessParseError(source, 'a "time:" line without a benchmark name', i + 1);
    const metrics = [timeMetric('time', readNumber(m[4]) * timeFactor(m[5], source, `benchmark "${name}"`))];
    const t = THRPT_LINE.exec(lines[i + 1] ?? '');
    if (t) {
      const unit = t[4];
      const prefix = /^([KMGT]?i?)/.exec(unit)?.[1] ?? '';
      const value = readNumber(t[3]) * (THROUGHPUT_FACTORS[prefix] ?? 1);
      metrics.push(
        unit.endsWith('elem/s')
          ? { name: 'elements', unit: '1/s', direction: 'higher', value }
          : { name: 'throughput', unit: 'B/s', direction: 'higher', value },
      );
    }
    out.add(name, metrics);
  }
  return out.result(EXPECTED);
}

export function parseCriterion(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const trimmed = text.trim();
  if (textLines(text).some((l) => PARTIAL_TIME.test(l))) return parseConsole(text, source);
  if (!/^\s*\{/m.test(text) && hasLibtestLines(text)) return parseLibtest(text, source);
  // A single estimates.json is one object spanning the whole text and has no "reason".
  if (trimmed.startsWith('{') && !/"reason"\s*:/.test(trimmed)) {
    const doc = parseJson(text, source, EXPECTED);
    if (isObject(doc) && field(doc, 'median') !== undefined) return parseEstimates(doc, source);
    throw new HarnessParseError(source, `expected ${EXPECTED}; found a JSON object without "median" or "reason"`);
  }
  return parseMessages(text, source);
}
