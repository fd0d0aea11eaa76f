/**
 * perfgate's own harness format, for any command that measures itself. The command prints (or
 * writes to `output`) one JSON document:
 *
 * ```json
 * {
 *   "benchmarks": [
 *     {
 *       "name": "parse-large",
 *       "metrics": [
 *         { "name": "time", "value": 12.5, "unit": "ms", "direction": "lower" },
 *         { "name": "throughput", "value": 80, "unit": "MB/s", "direction": "higher" },
 *         { "name": "heap", "value": [51.2, 50.9, 51.5], "unit": "MiB", "direction": "lower" },
 *         { "name": "cache-hit", "value": 93.5, "unit": "%", "direction": "higher" },
 *         { "name": "frames", "value": 118, "unit": "frames", "direction": "higher" }
 *       ]
 *     }
 *   ]
 * }
 * ```
 *
 * Rules:
 * - `benchmarks`: a non-empty list; each `name` is unique (letters, digits and `._-/ ` are safe in
 *   metric ids; avoid `:`). Each benchmark has a non-empty `metrics` list with unique names.
 * - `value`: a finite number, or a non-empty list of finite numbers when the command measured
 *   several times in one invocation — perfgate then uses their median.
 * - `unit`: converted to perfgate's canonical units: durations `ns`, `us`, `µs`, `ms`, `s`, `min`,
 *   `h` → seconds; sizes `B`, `kB`/`KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB` → bytes; rates `/s`,
 *   `ops/s`, `req/s`, `rps`, `1/s` → 1/s; `B/s`, `kB/s`, `MB/s`, `GB/s`, `MiB/s`… → B/s; `%` →
 *   `fraction` (93.5 % → 0.935); `fraction`; `count`. Any other string is kept as a custom unit.
 * - `direction`: `"lower"` or `"higher"` — whether a smaller or a larger value is better. Required:
 *   perfgate does not guess.
 *
 * A document that is not this format but has the shape of the Bencher Metric Format
 * (`{"BENCHMARK": {"MEASURE": {"value": …}}}`, Bencher's `json` adapter) is read as BMF (see
 * `bmf.ts`); github-action-benchmark's custom list is refused with the two format names that read it.
 */
import type { Direction, Unit } from '../../core/model';
import { median } from '../../core/stats/quantiles';
import { SIZE_FACTORS, TIME_FACTORS } from '../../core/units';
import { isBmf, readBmf } from './bmf';
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJson,
} from './common';

const EXPECTED = 'perfgate JSON: {"benchmarks": [{"name": …, "metrics": [{"name", "value", "unit", "direction"}]}]}';

/** Converts a unit string to a canonical unit and the factor to multiply values by. */
export function canonicalUnit(unit: string): { unit: Unit; factor: number } {
  const u = unit.trim();
  if (u in TIME_FACTORS && !['m', 'sec', 'ps', 'hr', 'day'].includes(u)) return { unit: 's', factor: TIME_FACTORS[u] };
  if (u in SIZE_FACTORS) return { unit: 'B', factor: SIZE_FACTORS[u] };
  if (['/s', '1/s', 'ops/s', 'req/s', 'rps', 'ops/sec'].includes(u)) return { unit: '1/s', factor: 1 };
  const rate = /^(\w+)\/s$/.exec(u);
  if (rate && rate[1] in SIZE_FACTORS) return { unit: 'B/s', factor: SIZE_FACTORS[rate[1]] };
  if (u === '%') return { unit: 'fraction', factor: 0.01 };
  if (u === 'fraction' || u === 'count') return { unit: u, factor: 1 };
  return { unit: u, factor: 1 };
}

export function parsePerfgateJson(text: string, source: string): HarnessParseResult {
  const parsed = parseJson(text, source, EXPECTED);
  if (!isObject(parsed) || !Array.isArray(parsed.benchmarks)) {
    if (isBmf(parsed)) return readBmf(parsed, source);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((e) => isObject(e) && 'name' in e && 'value' in e))
      throw new HarnessParseError(
        source,
        'this is github-action-benchmark\'s custom format: use format "custom-smaller-is-better" or "custom-bigger-is-better" (which way is better is not in the file)',
      );
    throw new HarnessParseError(
      source,
      `expected ${EXPECTED} or the Bencher Metric Format; found no "benchmarks" list`,
    );
  }
  const doc = parsed as { benchmarks: unknown[] };
  const out = new BenchmarkCollector(source, 'perfgate json');
  doc.benchmarks.forEach((b, i) => {
    const at = `benchmarks[${i}]`;
    if (!isObject(b) || typeof b.name !== 'string' || b.name.trim() === '')
      throw new HarnessParseError(source, `${at}: expected an object with a non-empty "name" string`);
    if (!Array.isArray(b.metrics) || b.metrics.length === 0)
      throw new HarnessParseError(source, `${at} ("${b.name}"): expected a non-empty "metrics" list`);
    const metrics: HarnessMetric[] = b.metrics.map((m, j) => {
      const mat = `${at}.metrics[${j}]`;
      if (!isObject(m) || typeof m.name !== 'string' || m.name.trim() === '')
        throw new HarnessParseError(source, `${mat}: expected an object with a non-empty "name" string`);
      const where = `${mat} ("${b.name}" ${m.name})`;
      if (typeof m.unit !== 'string' || m.unit.trim() === '')
        throw new HarnessParseError(
          source,
          `${where}: expected a "unit" string such as "ms", "MB", "ops/s" or "count"`,
        );
      if (m.direction !== 'lower' && m.direction !== 'higher')
        throw new HarnessParseError(
          source,
          `${where}: expected "direction": "lower" or "higher" (which way is better), got ${JSON.stringify(m.direction)}`,
        );
      let value: number;
      if (Array.isArray(m.value)) {
        if (m.value.length === 0) throw new HarnessParseError(source, `${where}: "value" is an empty list`);
        value = median(m.value.map((v, k) => finite(v, source, `${where}.value[${k}]`)));
      } else value = finite(m.value, source, `${where}.value`);
      const { unit, factor } = canonicalUnit(m.unit);
      return { name: m.name.trim(), unit, direction: m.direction as Direction, value: value * factor };
    });
    out.add(b.name, metrics);
  });
  return out.result(EXPECTED);
}
