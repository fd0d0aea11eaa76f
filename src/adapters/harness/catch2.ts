/**
 * Catch2's XML reporter (`--reporter xml`, Catch2 v2 `<Catch …>` and v3 `<Catch2TestRun …>`):
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
  requireText,
  timeMetric,
} from './common';

const EXPECTED = 'Catch2 --reporter xml output with <BenchmarkResults> elements';

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

export function parseCatch2(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const root = /<(Catch2TestRun|Catch)[\s>]/.exec(text);
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
