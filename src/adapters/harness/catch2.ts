/**
 * Catch2 results, from either reporter (told apart by their content):
 *
 * The console reporter (the default; catchorg/Catch2 `src/catch2/reporters/catch_reporter_console.cpp`):
 * after a `benchmark name  samples  iterations  estimated` (v3: `est run time`) header, each
 * benchmark is three lines — its name with samples, iterations and the estimated run time; the
 * mean with its bootstrap interval; the standard deviation with its interval — and a blank line.
 * A long name continues at the start of the next lines. Names are the benchmark's; a name that
 * appears in more than one test case is prefixed with its test case (`TEST CASE: name`).
 *
 * The XML reporter (`--reporter xml`, Catch2 v2 `<Catch …>` and v3 `<Catch2TestRun …>`):
 * each `BENCHMARK` becomes `<BenchmarkResults name="…" samples=… iterations=…>` holding
 * `<mean value="…" lowerBound="…" upperBound="…"/>` and `<standardDeviation …/>`, all values in
 * nanoseconds (catchorg/Catch2 `src/catch2/reporters/catch_reporter_xml.cpp`).
 *
 * Catch2 reports the bootstrap estimate of the **mean** sample time and no median, so the mean is
 * the value. Name: the benchmark's name (benchmark names must be unique across test cases).
 * Metrics: `time` (mean, s). Keep `--benchmark-samples` modest (e.g. 20) and let perfgate's rounds
 * supply the replication.
 */
import {
  BenchmarkCollector,
  HarnessParseError,
  type HarnessParseResult,
  lineAt,
  NUMBER_TEXT,
  readNumber,
  requireText,
  textLines,
  timeFactor,
  timeMetric,
} from './common';

const EXPECTED =
  'Catch2 output with BENCHMARK results: the console reporter\'s "benchmark name  samples  iterations" tables or --reporter xml';

function decodeXml(s: string): string {
  return s.replace(
    /&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g,
    (_m, name: string, dec?: string, hex?: string) => {
      if (dec) return String.fromCodePoint(Number(dec));
      if (hex) return String.fromCodePoint(Number.parseInt(hex, 16));
      return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[name] ?? '';
    },
  );
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
    out[m[1]] = decodeXml(m[2] ?? m[3] ?? '');
  return out;
}

const UNIT = '(ns|us|µs|μs|ms|s)';
const HEADER = /^benchmark name\s+samples\s+iterations\s+(estimated|est run time)\s*$/;
const SEPARATOR = /^-{20,}\s*$/;
const PRELUDE = new RegExp(`^(.*?)\\s+(${NUMBER_TEXT})\\s+(${NUMBER_TEXT})\\s+(${NUMBER_TEXT})\\s*${UNIT}\\s*$`);
const VALUES = new RegExp(
  `^(.*?)\\s+(${NUMBER_TEXT})\\s*${UNIT}\\s+(${NUMBER_TEXT})\\s*${UNIT}\\s+(${NUMBER_TEXT})\\s*${UNIT}\\s*$`,
);

/** The console reporter's benchmark tables. */
function parseConsole(text: string, source: string): HarnessParseResult {
  const lines = textLines(text);
  const found: { testCase: string; name: string; seconds: number; line: number }[] = [];
  let testCase = '';
  for (let i = 0; i < lines.length; i++) {
    // A test case's name (and its sections) stands between two separator lines.
    if (SEPARATOR.test(lines[i]) && i + 1 < lines.length && !SEPARATOR.test(lines[i + 1])) {
      const end = lines.findIndex((l, j) => j > i && j <= i + 4 && SEPARATOR.test(l));
      if (end > i + 1 && !HEADER.test(lines[i + 1].trim()))
        testCase = lines
          .slice(i + 1, end)
          .map((l) => l.trim())
          .join(' ');
    }
    if (!HEADER.test(lines[i].trim())) continue;
    // Skip the header's other lines up to its separator, then read benchmarks until none follows.
    let j = i + 1;
    while (j < lines.length && !SEPARATOR.test(lines[j])) j++;
    if (j >= lines.length)
      throw new HarnessParseError(source, 'a benchmark table ends before its header (truncated output?)', i + 1);
    for (j++; j < lines.length; ) {
      if (lines[j].trim() === '') {
        j++;
        continue;
      }
      const prelude = PRELUDE.exec(lines[j]);
      if (!prelude) break;
      const mean = VALUES.exec(lines[j + 1] ?? '');
      const deviation = VALUES.exec(lines[j + 2] ?? '');
      if (!mean || !deviation)
        throw new HarnessParseError(
          source,
          `benchmark "${prelude[1].trim()}": expected its mean and standard deviation lines (truncated output?)`,
          j + 1,
        );
      const name = [prelude[1], mean[1], deviation[1]]
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .join(' ');
      const seconds = readNumber(mean[2]) * timeFactor(mean[3], source, `benchmark "${name}"`);
      found.push({ testCase, name, seconds, line: j + 1 });
      j += 3;
    }
    i = j - 1;
  }
  const cases = new Map<string, Set<string>>();
  for (const f of found) cases.set(f.name, (cases.get(f.name) ?? new Set()).add(f.testCase));
  const out = new BenchmarkCollector(source, 'Catch2');
  for (const f of found) {
    const name = (cases.get(f.name)?.size ?? 0) > 1 && f.testCase ? `${f.testCase}: ${f.name}` : f.name;
    out.add(name, [timeMetric('time', f.seconds)]);
  }
  return out.result(EXPECTED);
}

export function parseCatch2(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const root = /<(Catch2TestRun|Catch)[\s>]/.exec(text);
  if (!root && textLines(text).some((l) => HEADER.test(l.trim()))) return parseConsole(text, source);
  if (!root) throw new HarnessParseError(source, `no <Catch> or <Catch2TestRun> element; expected ${EXPECTED}`, 1);
  if (!text.includes(`</${root[1]}>`))
    throw new HarnessParseError(
      source,
      `the XML ends before </${root[1]}> (truncated output?); expected the complete reporter output`,
      lineAt(text, text.length),
    );
  const out = new BenchmarkCollector(source, 'Catch2');
  const re = /<BenchmarkResults\b([^>]*)>([\s\S]*?)<\/BenchmarkResults>/g;
  for (const m of text.matchAll(re)) {
    const line = lineAt(text, m.index ?? 0);
    const attrs = attributes(m[1]);
    const name = attrs.name;
    if (name === undefined) throw new HarnessParseError(source, '<BenchmarkResults> without a name attribute', line);
    const mean = /<mean\b([^>]*)\/?>/.exec(m[2]);
    if (!mean) throw new HarnessParseError(source, `benchmark "${name}": expected a <mean value="…"/> element`, line);
    const raw = attributes(mean[1]).value;
    const ns = raw === undefined ? Number.NaN : Number(raw);
    if (!Number.isFinite(ns))
      throw new HarnessParseError(
        source,
        `benchmark "${name}": expected a finite mean value, got ${JSON.stringify(raw)}`,
        line,
      );
    out.add(name, [timeMetric('time', ns * 1e-9)]);
  }
  return out.result(EXPECTED);
}
