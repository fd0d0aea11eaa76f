/**
 * tinybench results, either as JSON of `bench.table()` (`console.log(JSON.stringify(bench.table()))`)
 * or as the text table `console.table(bench.table())` prints. The column names of tinybench 2 to 6
 * are understood:
 * - v3–v6: `Task name`, `Latency med (ns)` (`"100.00 ± 0.00"`), `Throughput med (ops/s)`, …
 * - v2: `Task Name`, `ops/sec` (`"1,234,567"`), `Average Time (ns)` (means only).
 *
 * Metrics: `time` (median latency, s; the mean on v2, which reports nothing else) and `ops`
 * (median throughput, 1/s; on v2 its `ops/sec`). Tasks that errored or did not run are skipped
 * with a warning. Keep `time` short; perfgate's rounds do the replication.
 */
import {
  BenchmarkCollector,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  lineAt,
  parseJson,
  rateMetric,
  requireText,
  timeMetric,
} from './common';

const EXPECTED = "JSON of tinybench's bench.table() or the console.table(bench.table()) text";

const NAME_COLS = ['Task name', 'Task Name', 'name'];
const LATENCY_MEDIAN = ['Latency med (ns)'];
const LATENCY_MEAN = ['Latency avg (ns)', 'Average Time (ns)'];
const THROUGHPUT_MEDIAN = ['Throughput med (ops/s)'];
const THROUGHPUT_MEAN = ['Throughput avg (ops/s)', 'ops/sec'];

/** The leading number of a cell such as `"1,234.5 ± 0.2%"` or `123`; null for `N/A`/`NaN`. */
function leadingNumber(cell: unknown): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (typeof cell !== 'string') return null;
  const m = /^\s*'?([-+]?[0-9][0-9,]*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)/.exec(cell);
  if (!m) return null;
  const v = Number(m[1].replace(/,/g, ''));
  return Number.isFinite(v) ? v : null;
}

function pick(row: Record<string, unknown>, cols: readonly string[]): { col: string; value: unknown } | undefined {
  for (const col of cols) if (col in row) return { col, value: row[col] };
  return undefined;
}

function rowsToResult(rows: { row: Record<string, unknown>; line?: number }[], source: string): HarnessParseResult {
  const out = new BenchmarkCollector(source, 'tinybench');
  for (const { row, line } of rows) {
    const name = pick(row, NAME_COLS)?.value;
    if (typeof name !== 'string')
      throw new HarnessParseError(source, `a tinybench row has no "Task name" column; expected ${EXPECTED}`, line);
    if ('Error' in row || (typeof row.Remarks === 'string' && row.Remarks !== '')) {
      out.warn(
        `${source}: tinybench task "${name}" did not complete (${String(row.Error ?? row.Remarks)}); it is skipped. Fix the task so it runs to completion.`,
      );
      continue;
    }
    const metrics: HarnessMetric[] = [];
    const latency = pick(row, LATENCY_MEDIAN) ?? pick(row, LATENCY_MEAN);
    const throughput = pick(row, THROUGHPUT_MEDIAN) ?? pick(row, THROUGHPUT_MEAN);
    if (!latency && !throughput)
      throw new HarnessParseError(
        source,
        `task "${name}": found neither a latency nor a throughput column; expected ${EXPECTED}`,
        line,
      );
    for (const [p, make] of [
      [latency, (v: number) => timeMetric('time', v * 1e-9)],
      [throughput, (v: number) => rateMetric('ops', v)],
    ] as const) {
      if (!p) continue;
      const v = leadingNumber(p.value);
      if (v === null) {
        if (p.value === 'N/A' || p.value === 'NaN') {
          out.warn(`${source}: tinybench task "${name}" has no ${p.col}; it did not run. It is skipped.`);
          metrics.length = 0;
          break;
        }
        throw new HarnessParseError(
          source,
          `task "${name}": expected a number in column "${p.col}", got ${JSON.stringify(p.value)}`,
          line,
        );
      }
      metrics.push(make(v));
    }
    if (metrics.length > 0) out.add(name, metrics);
  }
  return out.result(EXPECTED);
}

/** Splits a console.table row `│ a │ 'b' │` into trimmed cells with surrounding quotes removed. */
function tableCells(line: string): string[] {
  const inner = line.trim().replace(/^[│|]/, '').replace(/[│|]$/, '');
  return inner.split(/[│|]/).map((c) => {
    const t = c.trim();
    return t.length >= 2 && t.startsWith("'") && t.endsWith("'") ? t.slice(1, -1) : t;
  });
}

function parseConsoleTable(text: string, source: string): HarnessParseResult {
  const lines = text.split('\n');
  let header: string[] | null = null;
  let closed = false;
  const rows: { row: Record<string, unknown>; line: number }[] = [];
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const t = line.trim();
    if (t.startsWith('└')) closed = true;
    if (!/^[│|]/.test(t)) return;
    const cells = tableCells(t);
    if (!header) {
      header = cells;
      return;
    }
    if (cells.length !== header.length)
      throw new HarnessParseError(
        source,
        `table row has ${cells.length} cells but the header has ${header.length} (truncated?)`,
        index + 1,
      );
    const row: Record<string, unknown> = {};
    header.forEach((h, i) => {
      row[h] = cells[i];
    });
    rows.push({ row, line: index + 1 });
  });
  if (!header) throw new HarnessParseError(source, `no table found; expected ${EXPECTED}`);
  if (!closed)
    throw new HarnessParseError(source, 'the table has no closing border line (truncated output?)', lines.length);
  return rowsToResult(rows, source);
}

export function parseTinybench(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const first = text.trimStart()[0];
  if (first === '[' || first === '{') {
    const doc = parseJson(text, source, EXPECTED);
    const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.table) ? doc.table : null;
    if (!list) throw new HarnessParseError(source, `expected ${EXPECTED}; found JSON that is not a list of rows`);
    return rowsToResult(
      list.map((row, i) => {
        if (!isObject(row)) throw new HarnessParseError(source, `row ${i}: expected an object`, lineAt(text, 0));
        return { row };
      }),
      source,
    );
  }
  return parseConsoleTable(text, source);
}
