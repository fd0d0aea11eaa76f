/**
 * Google Benchmark's JSON (`--benchmark_format=json` or `--benchmark_out=FILE
 * --benchmark_out_format=json`, google/benchmark `src/json_reporter.cc`):
 * `{"context": {…}, "benchmarks": [{name, run_name, run_type: "iteration"|"aggregate",
 * aggregate_name?, repetitions, real_time, cpu_time, time_unit, items_per_second?,
 * bytes_per_second?, error_occurred?, …counters}]}`.
 *
 * Repetitions: with `--benchmark_repetitions=N`, each benchmark has N `iteration` entries and
 * `aggregate` entries (`_mean`, `_median`, `_stddev`, `_cv`). perfgate takes the **median of the
 * N iteration entries** and ignores the aggregates. When only aggregates are present
 * (`--benchmark_report_aggregates_only`), the `median` aggregate is used (the `mean` if no median).
 * Prefer no repetitions (the default) and let perfgate's rounds supply the replication.
 *
 * Name: `run_name` (e.g. `BM_Sort/64`, `BM_X/threads:2`). Metrics: `time` (real time, s), `cpu`
 * (CPU time, s), `items` (items_per_second, 1/s), `bytes` (bytes_per_second, B/s). User counters
 * are not used: the JSON does not say their unit or whether more is better (report them through
 * perfgate's `json` format instead).
 */
import type { Direction, Unit } from '../../core/model';
import { median } from '../../core/stats/quantiles';
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJsonWithList,
  timeFactor,
} from './common';

const EXPECTED = 'Google Benchmark JSON: {"benchmarks": [{"name", "real_time", "time_unit", …}]}';

/** Fields that are not user counters. */
const STANDARD = new Set([
  'name',
  'family_index',
  'per_family_instance_index',
  'run_name',
  'run_type',
  'repetitions',
  'repetition_index',
  'threads',
  'iterations',
  'real_time',
  'cpu_time',
  'time_unit',
  'items_per_second',
  'bytes_per_second',
  'aggregate_name',
  'aggregate_unit',
  'error_occurred',
  'error_message',
  'label',
  'big_o',
  'rms',
  'complexity',
]);

interface Entry {
  runName: string;
  metrics: Map<string, { unit: Unit; direction: Direction; value: number }>;
}

function entryMetrics(b: Record<string, unknown>, source: string, where: string): Entry['metrics'] {
  const unit = typeof b.time_unit === 'string' ? b.time_unit : 'ns';
  const f = timeFactor(unit, source, `${where}.time_unit`);
  const m: Entry['metrics'] = new Map();
  m.set('time', { unit: 's', direction: 'lower', value: finite(b.real_time, source, `${where}.real_time`) * f });
  if (b.cpu_time !== undefined)
    m.set('cpu', { unit: 's', direction: 'lower', value: finite(b.cpu_time, source, `${where}.cpu_time`) * f });
  if (b.items_per_second !== undefined)
    m.set('items', {
      unit: '1/s',
      direction: 'higher',
      value: finite(b.items_per_second, source, `${where}.items_per_second`),
    });
  if (b.bytes_per_second !== undefined)
    m.set('bytes', {
      unit: 'B/s',
      direction: 'higher',
      value: finite(b.bytes_per_second, source, `${where}.bytes_per_second`),
    });
  return m;
}

export function parseGoogleBenchmark(text: string, source: string): HarnessParseResult {
  const doc = parseJsonWithList(text, source, EXPECTED, 'benchmarks');
  const out = new BenchmarkCollector(source, 'Google Benchmark');
  const order: string[] = [];
  const iterations = new Map<string, Entry[]>();
  const aggregates = new Map<string, Map<string, Entry>>();
  const counterNames = new Set<string>();
  const failed = new Set<string>();
  doc.benchmarks.forEach((b, i) => {
    if (!isObject(b) || typeof b.name !== 'string')
      throw new HarnessParseError(source, `benchmarks[${i}]: expected an object with a "name"`);
    const runName = typeof b.run_name === 'string' ? b.run_name : b.name;
    const where = `benchmark "${b.name}"`;
    if (!order.includes(runName)) order.push(runName);
    if (b.error_occurred === true) {
      if (!failed.has(runName))
        out.warn(
          `${source}: ${where} reported an error (${String(b.error_message ?? 'no message')}); it is skipped. Fix the benchmark.`,
        );
      failed.add(runName);
      return;
    }
    for (const k of Object.keys(b)) if (!STANDARD.has(k)) counterNames.add(k);
    if (b.run_type === 'aggregate') {
      const kind = typeof b.aggregate_name === 'string' ? b.aggregate_name : '';
      if (kind !== 'median' && kind !== 'mean') return;
      if (b.aggregate_unit !== undefined && b.aggregate_unit !== 'time') return;
      let byKind = aggregates.get(runName);
      if (!byKind) {
        byKind = new Map();
        aggregates.set(runName, byKind);
      }
      byKind.set(kind, { runName, metrics: entryMetrics(b, source, where) });
      return;
    }
    const list = iterations.get(runName) ?? [];
    list.push({ runName, metrics: entryMetrics(b, source, where) });
    iterations.set(runName, list);
  });
  for (const runName of order) {
    if (failed.has(runName)) continue;
    const reps = iterations.get(runName);
    let metrics: HarnessMetric[];
    if (reps && reps.length > 0) {
      const names = [...reps[0].metrics.keys()];
      metrics = names.map((name) => {
        const first = reps[0].metrics.get(name)!;
        const values = reps.map((r) => r.metrics.get(name)?.value).filter((v): v is number => v !== undefined);
        return { name, unit: first.unit, direction: first.direction, value: median(values) };
      });
    } else {
      const agg = aggregates.get(runName);
      const chosen = agg?.get('median') ?? agg?.get('mean');
      if (!chosen) continue;
      if (!agg?.has('median'))
        out.warn(`${source}: "${runName}" has only a mean aggregate; the mean is used instead of the median.`);
      metrics = [...chosen.metrics].map(([name, m]) => ({ name, ...m }));
    }
    out.add(runName, metrics);
  }
  if (counterNames.size > 0)
    out.warn(
      `${source}: user counters ${[...counterNames].map((c) => `"${c}"`).join(', ')} are not compared: Google Benchmark's JSON does not say their unit or whether more is better. Report them with perfgate's "json" format if they matter.`,
    );
  return out.result(EXPECTED);
}
