/**
 * Julia BenchmarkTools results saved with `BenchmarkTools.save("out.json", results)`
 * (JuliaCI/BenchmarkTools.jl `src/serialization.jl`): `[{"Julia": …, "BenchmarkTools": …}, [VALUE…]]`
 * where each value is a tagged pair — `["BenchmarkGroup", {"data": {KEY: VALUE…}, "tags": […]}]`,
 * `["TrialEstimate", {"time", "gctime", "memory", "allocs", "params"}]` (an estimate such as
 * `median(trial)`) or `["Trial", {"times": […], "gctimes": […], "memory", "allocs", "params"}]`
 * (the raw samples of `run(suite)`). Times are in nanoseconds.
 *
 * Names are the group keys joined with `/` (`fib/20`). Metrics: `time` (the estimate, or the
 * median of a trial's samples, s), `memory` (bytes allocated, B) and `allocs` (count), all lower
 * is better. Save `median(results)` (or the trials) with few samples (`seconds=1`) and let
 * perfgate's rounds supply the replication.
 */
import { median } from '../../core/stats/quantiles';
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJson,
  timeMetric,
} from './common';

const EXPECTED =
  'the JSON of BenchmarkTools.save: [{"Julia": …, "BenchmarkTools": …}, [["BenchmarkGroup", {"data": …}]]]';

export function parseBenchmarkTools(text: string, source: string): HarnessParseResult {
  const doc = parseJson(text, source, EXPECTED);
  if (!Array.isArray(doc) || doc.length < 2 || !isObject(doc[0]) || !Array.isArray(doc[1]))
    throw new HarnessParseError(source, `expected ${EXPECTED}`);
  const out = new BenchmarkCollector(source, 'BenchmarkTools');
  const visit = (value: unknown, path: string[]): void => {
    const where = path.length ? `"${path.join('/')}"` : 'the saved value';
    if (!Array.isArray(value) || typeof value[0] !== 'string' || !isObject(value[1]))
      throw new HarnessParseError(source, `${where}: expected a ["TYPE", {…}] pair; ${EXPECTED}`);
    const [type, body] = value as [string, Record<string, unknown>];
    if (type === 'BenchmarkGroup') {
      if (!isObject(body.data)) throw new HarnessParseError(source, `${where}: a BenchmarkGroup without "data"`);
      for (const [key, child] of Object.entries(body.data)) visit(child, [...path, key]);
      return;
    }
    const name = path.join('/') || type;
    let ns: number;
    if (type === 'TrialEstimate') ns = finite(body.time, source, `${where}.time`);
    else if (type === 'Trial') {
      if (!Array.isArray(body.times) || body.times.length === 0)
        throw new HarnessParseError(source, `${where}: a Trial without "times"`);
      ns = median(body.times.map((t, i) => finite(t, source, `${where}.times[${i}]`)));
    } else {
      out.warn(`${source}: ${where} is a ${type}; only Trial and TrialEstimate values are read, it is skipped.`);
      return;
    }
    const metrics: HarnessMetric[] = [timeMetric('time', ns * 1e-9)];
    if (body.memory !== undefined)
      metrics.push({
        name: 'memory',
        unit: 'B',
        direction: 'lower',
        value: finite(body.memory, source, `${where}.memory`),
      });
    if (body.allocs !== undefined)
      metrics.push({
        name: 'allocs',
        unit: 'count',
        direction: 'lower',
        value: finite(body.allocs, source, `${where}.allocs`),
      });
    out.add(name, metrics);
  };
  for (const value of doc[1]) visit(value, []);
  return out.result(EXPECTED);
}
