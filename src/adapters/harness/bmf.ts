/**
 * Bencher Metric Format (BMF; bencher.dev "Bencher Metric Format", bencherdev/bencher
 * `lib/bencher_adapter/src/adapters/json.rs`): one JSON object
 * `{"BENCHMARK": {"MEASURE": {"value": N, "lower_value"?: N, "upper_value"?: N}}}`. Read by the
 * `bmf` format, and by `json` when the document is not perfgate's own JSON (Bencher's `json`
 * adapter is BMF).
 *
 * Each measure becomes a metric named as the measure. Bencher's built-in measures carry their
 * units: `latency` (ns → s), `throughput` (operations/s, higher), `build-time` (s), `file-size`
 * and `allocated` (B), instruction and cache counts (`instructions`, `estimated-cycles`,
 * `l1-hits`…: count), DHAT byte measures (`total-bytes`…: B), rates (`…-miss-rate`,
 * `…-hit-rate`: % → fraction; `l1-hit-rate` higher). Any other measure keeps its name as a
 * custom unit and is **lower-is-better** unless its name contains `throughput`; a command that
 * reports higher-is-better custom measures should print perfgate's `json` format, which states
 * the direction. `lower_value` and `upper_value` are ignored.
 */
import type { Direction, Unit } from '../../core/model';
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJson,
} from './common';

const EXPECTED = 'Bencher Metric Format: {"benchmark": {"measure": {"value": 1.0}}}';

const COUNT_MEASURES = new Set([
  'instructions',
  'l1-accesses',
  'l2-accesses',
  'ram-accesses',
  'estimated-cycles',
  'l1-hits',
  'l2-hits',
  'll-hits',
  'ram-hits',
  'total-read-write',
  'global-bus-events',
  'total-operations',
  'gen0-collects',
  'gen1-collects',
  'gen2-collects',
]);

/** Unit, factor and direction of a measure, by its slug. */
export function bmfMeasure(slug: string): { unit: Unit; factor: number; direction: Direction } {
  const s = slug.trim().toLowerCase();
  if (s === 'latency') return { unit: 's', factor: 1e-9, direction: 'lower' };
  if (s === 'build-time') return { unit: 's', factor: 1, direction: 'lower' };
  if (s === 'file-size' || s === 'allocated' || /(^|-)bytes$/.test(s))
    return { unit: 'B', factor: 1, direction: 'lower' };
  if (s.endsWith('-hit-rate') || s.endsWith('-miss-rate'))
    return { unit: 'fraction', factor: 0.01, direction: s === 'l1-hit-rate' ? 'higher' : 'lower' };
  if (COUNT_MEASURES.has(s)) return { unit: 'count', factor: 1, direction: 'lower' };
  if (s.includes('throughput')) return { unit: s === 'throughput' ? '1/s' : slug, factor: 1, direction: 'higher' };
  return { unit: slug, factor: 1, direction: 'lower' };
}

/** Whether a parsed document has BMF's shape (an object of objects of `{value}` objects). */
export function isBmf(doc: unknown): doc is Record<string, Record<string, Record<string, unknown>>> {
  if (!isObject(doc) || Object.keys(doc).length === 0) return false;
  return Object.values(doc).every(
    (measures) => isObject(measures) && Object.values(measures).every((m) => isObject(m) && 'value' in m),
  );
}

/** Reads an already parsed BMF document. */
export function readBmf(doc: unknown, source: string): HarnessParseResult {
  if (!isObject(doc)) throw new HarnessParseError(source, `expected ${EXPECTED}; found no object`);
  const out = new BenchmarkCollector(source, 'BMF');
  for (const [name, measures] of Object.entries(doc)) {
    if (!isObject(measures))
      throw new HarnessParseError(source, `benchmark "${name}": expected an object of measures; ${EXPECTED}`);
    const metrics: HarnessMetric[] = Object.entries(measures).map(([slug, m]) => {
      if (!isObject(m)) throw new HarnessParseError(source, `"${name}"."${slug}": expected {"value": …}`);
      const value = finite(m.value, source, `"${name}"."${slug}".value`);
      const { unit, factor, direction } = bmfMeasure(slug);
      return { name: slug, unit, direction, value: value * factor };
    });
    out.add(name, metrics);
  }
  return out.result(EXPECTED);
}

export function parseBmf(text: string, source: string): HarnessParseResult {
  return readBmf(parseJson(text, source, EXPECTED), source);
}
