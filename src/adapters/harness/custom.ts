/**
 * github-action-benchmark's custom formats (`tool: customSmallerIsBetter` /
 * `customBiggerIsBetter`, benchmark-action/github-action-benchmark `src/extract.ts`): a JSON list
 * of `{"name", "value", "unit", "range"?, "extra"?}`. `value` may be a number or a numeric
 * string; `range` and `extra` are ignored.
 *
 * The direction is the format's: every value of `custom-smaller-is-better` is lower-is-better,
 * every value of `custom-bigger-is-better` higher-is-better. Units are converted as in perfgate's
 * `json` format (`ms` → s, `MB` → B, `req/s` → 1/s, `%` → fraction); any other unit string is kept.
 * The metric is named after the unit's kind: `time` (s), `bytes` (B), `throughput` (1/s, B/s),
 * `fraction`, otherwise the unit itself, or `value` when there is no unit. Entries with the same
 * name become one benchmark with several metrics.
 */
import type { Direction } from '../../core/model';
import {
  BenchmarkCollector,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJson,
} from './common';
import { canonicalUnit } from './json';

const EXPECTED = 'a JSON list of {"name": …, "value": …, "unit": …} (github-action-benchmark custom format)';

function metricName(unit: string, raw: string): string {
  if (unit === 's') return 'time';
  if (unit === 'B') return 'bytes';
  if (unit === '1/s' || unit === 'B/s') return 'throughput';
  if (unit === 'fraction' || unit === 'count') return unit;
  return raw.trim() || 'value';
}

function parseCustom(direction: Direction, text: string, source: string): HarnessParseResult {
  const doc = parseJson(text, source, EXPECTED);
  if (!Array.isArray(doc)) throw new HarnessParseError(source, `expected ${EXPECTED}; found no list`);
  const order: string[] = [];
  const byName = new Map<string, HarnessMetric[]>();
  doc.forEach((entry, i) => {
    const at = `[${i}]`;
    if (!isObject(entry) || entry.name === undefined || entry.name === null || String(entry.name).trim() === '')
      throw new HarnessParseError(source, `${at}: expected an object with a "name"; ${EXPECTED}`);
    const name = String(entry.name).trim();
    const raw = typeof entry.value === 'string' && entry.value.trim() !== '' ? Number(entry.value) : entry.value;
    if (typeof raw !== 'number' || !Number.isFinite(raw))
      throw new HarnessParseError(
        source,
        `${at} ("${name}").value: expected a finite number, got ${JSON.stringify(entry.value)}`,
      );
    const rawUnit = entry.unit === undefined || entry.unit === null ? '' : String(entry.unit);
    const { unit, factor } = rawUnit.trim() === '' ? { unit: 'count', factor: 1 } : canonicalUnit(rawUnit);
    if (!byName.has(name)) {
      byName.set(name, []);
      order.push(name);
    }
    byName.get(name)!.push({
      name: rawUnit.trim() === '' ? 'value' : metricName(unit, rawUnit),
      unit,
      direction,
      value: raw * factor,
    });
  });
  const out = new BenchmarkCollector(source, 'custom');
  for (const name of order) out.add(name, byName.get(name)!);
  return out.result(EXPECTED);
}

export function parseCustomSmallerIsBetter(text: string, source: string): HarnessParseResult {
  return parseCustom('lower', text, source);
}

export function parseCustomBiggerIsBetter(text: string, source: string): HarnessParseResult {
  return parseCustom('higher', text, source);
}
