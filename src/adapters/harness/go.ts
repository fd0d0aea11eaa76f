/**
 * `go test -bench` text output (the Go benchmark format, golang.org/design/14313-benchmark-format):
 * lines `BenchmarkName-8   1000   1234 ns/op   56 B/op   2 allocs/op   12.3 MB/s   7.0 custom/op`.
 * Every value/unit pair on the line becomes a metric; other lines (`goos:`, `PASS`, `ok`, logs)
 * are ignored.
 *
 * Names: the `-N` GOMAXPROCS suffix is removed (`BenchmarkParse/small-8` → `BenchmarkParse/small`)
 * so ids do not change with the runner's core count — but only when every result line carries the
 * same suffix. With `-cpu 1,2,4` (different suffixes, and none for 1) or GOMAXPROCS=1 (none at
 * all) names are kept as printed, so distinct configurations are never merged. With `-count N`, Go prints the benchmark N
 * times; perfgate takes the **median of the N values** of each metric. Prefer `-count 1` (the
 * default) and let perfgate's rounds supply the replication.
 *
 * Metrics: `time` (ns/op, s), `bytes` (B/op, B), `allocs` (allocs/op, count), `throughput`
 * (MB/s, B/s). Any other unit (`b.ReportMetric(x, "unit")`) keeps its unit string as both metric
 * name and unit; it is higher-is-better when the unit ends in `/s`, lower-is-better otherwise.
 */
import type { Direction, Unit } from '../../core/model';
import { median } from '../../core/stats/quantiles';
import { BenchmarkCollector, HarnessParseError, type HarnessParseResult, requireText } from './common';

const EXPECTED = 'go test -bench output lines like "BenchmarkX-8  1000  1234 ns/op"';

const KNOWN: Record<string, { name: string; unit: Unit; direction: Direction; factor: number }> = {
  'ns/op': { name: 'time', unit: 's', direction: 'lower', factor: 1e-9 },
  'B/op': { name: 'bytes', unit: 'B', direction: 'lower', factor: 1 },
  'allocs/op': { name: 'allocs', unit: 'count', direction: 'lower', factor: 1 },
  'MB/s': { name: 'throughput', unit: 'B/s', direction: 'higher', factor: 1e6 },
};

const RESULT_LINE = /^(Benchmark\S*)\s+(\d+)\s+(.*)$/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

interface Series {
  unit: Unit;
  direction: Direction;
  values: number[];
}

/** The `-N` suffix to strip: the one every result line ends with, or null. */
function commonProcsSuffix(lines: string[]): string | null {
  let suffix: string | null = null;
  for (const line of lines) {
    const m = RESULT_LINE.exec(line);
    if (!m) continue;
    const s = /-\d+$/.exec(m[1])?.[0];
    if (s === undefined) return null;
    if (suffix === null) suffix = s;
    else if (suffix !== s) return null;
  }
  return suffix;
}

/** Adds one result line's `<value> <unit>` pairs to the benchmark's series (a metric once per line). */
function addFields(series: Map<string, Series>, fields: string[], name: string, source: string, lineNo: number): void {
  const seenOnLine = new Set<string>();
  for (let i = 0; i < fields.length; i += 2) {
    const [num, unit] = [fields[i], fields[i + 1]];
    if (!NUMBER.test(num))
      throw new HarnessParseError(
        source,
        `benchmark ${name}: expected a number before unit "${unit}", got ${JSON.stringify(num)}`,
        lineNo,
      );
    const value = Number(num);
    if (!Number.isFinite(value))
      throw new HarnessParseError(source, `benchmark ${name}: ${unit} is not a finite number (${num})`, lineNo);
    const known = KNOWN[unit];
    const metric = known?.name ?? unit;
    if (seenOnLine.has(metric)) continue;
    seenOnLine.add(metric);
    let s = series.get(metric);
    if (!s) {
      s = known
        ? { unit: known.unit, direction: known.direction, values: [] }
        : { unit, direction: unit.endsWith('/s') ? 'higher' : 'lower', values: [] };
      series.set(metric, s);
    }
    s.values.push(value * (known?.factor ?? 1));
  }
}

export function parseGoBench(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const order: string[] = [];
  const byName = new Map<string, Map<string, Series>>();
  const warnings: string[] = [];
  const pkgOf = new Map<string, string>();
  const clashed = new Set<string>();
  let pkg = '';
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const suffix = commonProcsSuffix(lines);
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (/^--- FAIL: Benchmark/.test(line)) {
      warnings.push(`${source}:${lineNo}: ${line.trim()} — a benchmark failed; its results (if any) are incomplete.`);
      return;
    }
    const p = /^pkg:\s*(\S+)/.exec(line);
    if (p) pkg = p[1];
    const m = RESULT_LINE.exec(line);
    if (!m) return; // not a result line: header, log output, PASS/ok, or `-v` name-only lines
    const name = suffix ? m[1].slice(0, -suffix.length) : m[1];
    const firstPkg = pkgOf.get(name);
    if (firstPkg === undefined) pkgOf.set(name, pkg);
    else if (firstPkg !== pkg) {
      if (!clashed.has(name))
        warnings.push(
          `${source}:${lineNo}: benchmark "${name}" appears in packages ${firstPkg} and ${pkg}; only the first is used. Rename one or run one package per suite.`,
        );
      clashed.add(name);
      return;
    }
    const fields = m[3].trim().split(/\s+/);
    if (fields.length % 2 !== 0)
      throw new HarnessParseError(
        source,
        `benchmark line for ${name} has an unpaired field (truncated output?); expected "<value> <unit>" pairs after the iteration count`,
        lineNo,
      );
    let series = byName.get(name);
    if (!series) {
      series = new Map();
      byName.set(name, series);
      order.push(name);
    }
    addFields(series, fields, name, source, lineNo);
  });
  const out = new BenchmarkCollector(source, 'go test -bench');
  for (const w of warnings) out.warn(w);
  for (const name of order) {
    const series = byName.get(name)!;
    out.add(
      name,
      [...series].map(([metric, s]) => ({
        name: metric,
        unit: s.unit,
        direction: s.direction,
        value: median(s.values),
      })),
    );
  }
  return out.result(EXPECTED);
}
