/**
 * BenchmarkDotNet's JSON exporters (`--exporters json`, `[JsonExporterAttribute.Full]`, … ;
 * dotnet/BenchmarkDotNet `src/BenchmarkDotNet/Exporters/Json/JsonExporterBase.cs`), written to
 * `BenchmarkDotNet.Artifacts/results/<Type>-report-full.json` (or `-report-brief.json`):
 * `{"Title", "HostEnvironmentInfo", "Benchmarks": [{FullName?, Type, Method, Parameters,
 * Statistics: {Median, Mean, … in ns}, Memory?: {BytesAllocatedPerOperation}}]}`. Older versions
 * write bare `NaN` tokens; they are accepted.
 *
 * Name: `Type.Method`, plus `(Parameters)` when the benchmark has parameters
 * (e.g. `ParserBench.Parse(Size=10)`). When several jobs run the same case (e.g. two runtimes),
 * the job from `DisplayInfo` is appended to each of them: `ParserBench.Parse(Size=10) [.NET 8.0]`. Metrics: `time` (`Statistics.Median`, the median of the
 * workload iterations, s) and `bytes` (`Memory.BytesAllocatedPerOperation`, B, with
 * `[MemoryDiagnoser]`). Benchmarks whose statistics are missing (failed runs) are skipped with a
 * warning. BenchmarkDotNet runs many iterations and launches; a short job (`--job short`) keeps
 * an invocation quick while perfgate's rounds supply the replication.
 */
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  optionalFinite,
  parseJsonWithList,
  timeMetric,
} from './common';

const EXPECTED = 'BenchmarkDotNet JSON export: {"Benchmarks": [{"Type", "Method", "Statistics": {…}}]}';

function benchmarkName(b: Record<string, unknown>): string | null {
  const params = typeof b.Parameters === 'string' && b.Parameters !== '' ? `(${b.Parameters})` : '';
  if (typeof b.Type === 'string' && typeof b.Method === 'string') return `${b.Type}.${b.Method}${params}`;
  if (typeof b.FullName === 'string') return b.FullName;
  if (typeof b.ShortInfo === 'string') return b.ShortInfo;
  // Without a type (Bencher's test data): the method, after its namespace when there is one.
  if (typeof b.Method === 'string')
    return `${typeof b.Namespace === 'string' ? `${b.Namespace}.` : ''}${b.Method}${params}`;
  return null;
}

export function parseBenchmarkDotNet(text: string, source: string): HarnessParseResult {
  const doc = parseJsonWithList(text, source, EXPECTED, 'Benchmarks');
  const out = new BenchmarkCollector(source, 'BenchmarkDotNet');
  const names = doc.Benchmarks.map((b, i) => {
    const name = isObject(b) ? benchmarkName(b) : null;
    if (name === null)
      throw new HarnessParseError(
        source,
        `Benchmarks[${i}]: expected an object with "Type" and "Method" (or "FullName")`,
      );
    return name;
  });
  const count = new Map<string, number>();
  for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
  doc.Benchmarks.forEach((raw, i) => {
    const b = raw as Record<string, unknown>;
    let name = names[i];
    if (count.get(name)! > 1 && typeof b.DisplayInfo === 'string') {
      // "Type.Method: Job [Params]" → the job
      const job = /: (.+?)(?: \[.*\])?$/.exec(b.DisplayInfo)?.[1];
      if (job) name = `${name} [${job}]`;
    }
    if (!isObject(b.Statistics)) {
      out.warn(
        `${source}: BenchmarkDotNet benchmark "${name}" has no statistics (it failed or did not run); it is skipped.`,
      );
      return;
    }
    const where = `benchmark "${name}"`;
    const metrics: HarnessMetric[] = [
      timeMetric('time', finite(b.Statistics.Median, source, `${where}.Statistics.Median`) * 1e-9),
    ];
    if (isObject(b.Memory)) {
      const bytes = optionalFinite(
        b.Memory.BytesAllocatedPerOperation,
        source,
        `${where}.Memory.BytesAllocatedPerOperation`,
      );
      if (bytes !== undefined) metrics.push({ name: 'bytes', unit: 'B', direction: 'lower', value: bytes });
    }
    out.add(name, metrics);
  });
  return out.result(EXPECTED);
}
