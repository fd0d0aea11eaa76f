/**
 * JMH's JSON result format (`-rf json -rff FILE`, openjdk/jmh
 * `jmh-core/src/main/java/org/openjdk/jmh/results/format/JSONResultFormat.java`): a list of
 * `{benchmark, mode, params?, primaryMetric: {score, scoreUnit, scorePercentiles, rawData},
 * secondaryMetrics: {…}}`.
 *
 * Value: the median over all measurement iterations of all forks (`scorePercentiles["50.0"]`, or
 * the median of `rawData` when percentiles are absent, or `score` as a last resort). Forks and
 * iterations are JMH's own repetitions: keep them few (`-f 1 -i 3 -wi 2`) and let perfgate's
 * rounds supply the replication.
 *
 * Name: `benchmark`, plus `/param=value` for each `@Param` (e.g. `org.x.Bench.parse/size=10`).
 * Metrics: `ops` for throughput mode (`ops/s`… → 1/s, higher is better), `time` for `avgt`,
 * `sample` and `ss` (`us/op`… → s, lower is better). Secondary metrics with an understood unit are
 * kept under their own name (leading `·`/`:` removed): `gc.alloc.rate.norm` (`B/op`) becomes
 * `bytes`; other time-per-op, ops-per-time, `B/op` and count (`#`, `#/op`) units are converted;
 * the rest is skipped with a warning.
 */
import type { Direction, Unit } from '../../core/model';
import { median } from '../../core/stats/quantiles';
import { TIME_FACTORS } from '../../core/units';
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJson,
} from './common';

const EXPECTED = 'JMH JSON (-rf json): [{"benchmark", "mode", "primaryMetric": {"score", "scoreUnit", …}}]';

interface Converted {
  unit: Unit;
  direction: Direction;
  factor: number;
}

/** Converts a JMH score unit (`ops/ms`, `us/op`, `B/op`, `#`, `MB/sec`) or returns null. */
function convertUnit(u: string): Converted | null {
  let m = /^ops\/(\w+)$/.exec(u);
  if (m && TIME_FACTORS[m[1]] !== undefined)
    return { unit: '1/s', direction: 'higher', factor: 1 / TIME_FACTORS[m[1]] };
  m = /^(\w+)\/op$/.exec(u);
  if (m && TIME_FACTORS[m[1]] !== undefined) return { unit: 's', direction: 'lower', factor: TIME_FACTORS[m[1]] };
  if (u === 'B/op') return { unit: 'B', direction: 'lower', factor: 1 };
  if (u === '#' || u === '#/op' || u === 'counts') return { unit: 'count', direction: 'lower', factor: 1 };
  return null;
}

/** The median of one JMH metric (see the file comment for the order of preference). */
function metricMedian(m: Record<string, unknown>, source: string, where: string): number {
  const pct = m.scorePercentiles;
  if (isObject(pct) && pct['50.0'] !== undefined) return finite(pct['50.0'], source, `${where}.scorePercentiles.50.0`);
  if (Array.isArray(m.rawData)) {
    const all = m.rawData.flat().map((v, i) => finite(v, source, `${where}.rawData[${i}]`));
    if (all.length > 0) return median(all);
  }
  return finite(m.score, source, `${where}.score`);
}

export function parseJmh(text: string, source: string): HarnessParseResult {
  const doc = parseJson(text, source, EXPECTED);
  if (!Array.isArray(doc)) throw new HarnessParseError(source, `expected ${EXPECTED}; the document is not a list`);
  const out = new BenchmarkCollector(source, 'JMH');
  const skipped = new Set<string>();
  doc.forEach((b, i) => {
    if (!isObject(b) || typeof b.benchmark !== 'string' || !isObject(b.primaryMetric))
      throw new HarnessParseError(source, `[${i}]: expected an object with "benchmark" and "primaryMetric"`);
    const params = isObject(b.params) ? Object.entries(b.params).map(([k, v]) => `/${k}=${String(v)}`) : [];
    const name = `${b.benchmark}${params.join('')}`;
    const where = `benchmark "${name}"`;
    const pm = b.primaryMetric;
    const unit = typeof pm.scoreUnit === 'string' ? pm.scoreUnit : '';
    const conv = convertUnit(unit);
    if (!conv || (conv.unit !== 's' && conv.unit !== '1/s'))
      throw new HarnessParseError(
        source,
        `${where}: unknown primary score unit ${JSON.stringify(unit)}; expected "ops/<time>" or "<time>/op"`,
      );
    const metrics: HarnessMetric[] = [
      {
        name: conv.unit === 's' ? 'time' : 'ops',
        unit: conv.unit,
        direction: conv.direction,
        value: metricMedian(pm, source, `${where}.primaryMetric`) * conv.factor,
      },
    ];
    if (isObject(b.secondaryMetrics)) {
      for (const [key, sm] of Object.entries(b.secondaryMetrics)) {
        if (!isObject(sm)) continue;
        const metricName = key.replace(/^[·:]+/, '');
        const su = typeof sm.scoreUnit === 'string' ? sm.scoreUnit : '';
        const c = convertUnit(su);
        if (!c) {
          skipped.add(`${metricName} (${su})`);
          continue;
        }
        metrics.push({
          name: metricName === 'gc.alloc.rate.norm' ? 'bytes' : metricName,
          unit: c.unit,
          direction: c.direction,
          value: metricMedian(sm, source, `${where}.secondaryMetrics.${key}`) * c.factor,
        });
      }
    }
    out.add(name, metrics);
  });
  if (skipped.size > 0)
    out.warn(
      `${source}: JMH secondary metrics ${[...skipped].join(', ')} have units perfgate does not compare; they are skipped.`,
    );
  return out.result(EXPECTED);
}
