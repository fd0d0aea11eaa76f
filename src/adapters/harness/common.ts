/**
 * Shared pieces of the harness parsers: the result types, the error type, JSON reading that
 * reports line numbers, and a collector that refuses silent merges. Units come from
 * `core/units.ts` and the median from `core/stats/quantiles.ts`, like everywhere else.
 */
import JSON5 from 'json5';
import type { Direction, Unit } from '../../core/model';
import { TIME_FACTORS } from '../../core/units';

/** One metric of one benchmark, in perfgate's canonical unit (see `core/model.ts`). */
export interface HarnessMetric {
  name: string;
  unit: Unit;
  direction: Direction;
  value: number;
  /** The latency percentile (0–100) it is, when it is one. */
  percentile?: number;
}

/** One benchmark of a harness invocation with the metrics it reported. */
export interface HarnessBenchmark {
  name: string;
  metrics: HarnessMetric[];
}

/** What one harness invocation reported. Warnings are sentences that say what to do. */
export interface HarnessParseResult {
  benchmarks: HarnessBenchmark[];
  warnings: string[];
}

/**
 * Harness output that cannot be read. The message names the source (file or `stdout of …`),
 * the line when known, and what was expected there.
 */
export class HarnessParseError extends Error {
  readonly source: string;
  readonly line?: number;

  constructor(source: string, message: string, line?: number) {
    super(`${source}${line !== undefined ? `:${line}` : ''}: ${message}`);
    this.name = 'HarnessParseError';
    this.source = source;
    this.line = line;
  }
}

/** Throws when the output is empty, naming what the format expects instead. */
export function requireText(text: string, source: string, expected: string): void {
  if (text.trim() === '') throw new HarnessParseError(source, `the output is empty; expected ${expected}`);
}

/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

/**
 * Parses one JSON value. `JSON.parse` first (strict, fast); on failure JSON5, which also reads the
 * bare `NaN`, `Infinity` and `-Infinity` tokens some harnesses write (BenchmarkDotNet, Google
 * Benchmark) — they become `NaN` / `±Infinity`, so the parsers' finiteness checks still catch them
 * where they matter — and which, unlike `JSON.parse` on Node 20, says on which line it failed.
 */
function readJson(text: string): { value: unknown } | { error: string; line?: number } {
  try {
    return { value: JSON.parse(text) };
  } catch {
    try {
      return { value: JSON5.parse(text) };
    } catch (e) {
      const err = e as SyntaxError & { lineNumber?: number; columnNumber?: number };
      const what = err.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
      if (what === 'invalid end of input') return { error: 'the output ends early (truncated?)', line: err.lineNumber };
      return { error: `${what} at column ${err.columnNumber}`, line: err.lineNumber };
    }
  }
}

/** Parses a JSON document; a syntax error becomes a HarnessParseError with the line number. */
export function parseJson(text: string, source: string, expected: string): unknown {
  requireText(text, source, expected);
  const r = readJson(text);
  if ('error' in r) throw new HarnessParseError(source, `not valid JSON (${r.error}); expected ${expected}`, r.line);
  return r.value;
}

/**
 * Parses a JSON document whose results sit in a top-level list under `key` (most harnesses'
 * exports), or throws a `HarnessParseError` saying which list is missing.
 */
export function parseJsonWithList<K extends string>(
  text: string,
  source: string,
  expected: string,
  key: K,
): Record<string, unknown> & Record<K, unknown[]> {
  const doc = parseJson(text, source, expected);
  if (!isObject(doc) || !Array.isArray(doc[key])) {
    throw new HarnessParseError(source, `expected ${expected}; found no "${key}" list`);
  }
  return doc as Record<string, unknown> & Record<K, unknown[]>;
}

/** Parses JSON Lines: one JSON value per non-empty line. Returns each value with its line number. */
export function parseJsonLines(text: string, source: string, expected: string): { value: unknown; line: number }[] {
  requireText(text, source, expected);
  const out: { value: unknown; line: number }[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    const r = readJson(raw);
    if ('error' in r)
      throw new HarnessParseError(source, `not a valid JSON line (${r.error}); expected ${expected}`, index + 1);
    out.push({ value: r.value, line: index + 1 });
  });
  return out;
}

/** A plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Numbers and units
// ---------------------------------------------------------------------------------------------

/** Seconds per unit; throws a HarnessParseError naming the unknown unit. */
export function timeFactor(unit: string, source: string, where: string): number {
  const f = TIME_FACTORS[unit];
  if (f === undefined)
    throw new HarnessParseError(
      source,
      `${where}: unknown time unit ${JSON.stringify(unit)}; expected one of ${Object.keys(TIME_FACTORS).join(', ')}`,
    );
  return f;
}

/**
 * Reads a finite number from a parsed document. `where` names the benchmark and field for the
 * error message.
 */
export function finite(v: unknown, source: string, where: string, line?: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    const got = typeof v === 'number' ? String(v) : v === undefined ? 'nothing' : JSON.stringify(v);
    throw new HarnessParseError(source, `${where}: expected a finite number, got ${got}`, line);
  }
  return v;
}

/** A finite number or undefined when the field is absent/null (optional metrics). */
export function optionalFinite(v: unknown, source: string, where: string, line?: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  return finite(v, source, where, line);
}

// ---------------------------------------------------------------------------------------------
// Collecting benchmarks
// ---------------------------------------------------------------------------------------------

/**
 * Collects benchmarks in the order the harness reported them. A second benchmark with the same
 * name is dropped with a warning (the first is kept), never merged.
 */
export class BenchmarkCollector {
  private readonly seen = new Map<string, HarnessBenchmark>();
  readonly warnings: string[] = [];

  constructor(
    private readonly source: string,
    private readonly format: string,
  ) {}

  add(name: string, metrics: HarnessMetric[]): void {
    const n = name.trim();
    if (n === '') throw new HarnessParseError(this.source, `a ${this.format} benchmark has an empty name`);
    if (this.seen.has(n)) {
      this.warnings.push(
        `${this.source}: benchmark "${n}" appears more than once in one ${this.format} run; only the first is used. Give each benchmark a unique name.`,
      );
      return;
    }
    if (metrics.length === 0) {
      this.warnings.push(`${this.source}: benchmark "${n}" reported no metric perfgate can use; it is skipped.`);
      return;
    }
    const names = new Set<string>();
    const unique: HarnessMetric[] = [];
    for (const m of metrics) {
      if (names.has(m.name)) {
        this.warnings.push(
          `${this.source}: benchmark "${n}" reports metric "${m.name}" more than once; only the first is used.`,
        );
        continue;
      }
      names.add(m.name);
      unique.push(m);
    }
    this.seen.set(n, { name: n, metrics: unique });
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** The result; throws when no benchmark was found, naming what the format looks like. */
  result(expected: string): HarnessParseResult {
    if (this.seen.size === 0)
      throw new HarnessParseError(this.source, `no benchmark results found; expected ${expected}`);
    return { benchmarks: [...this.seen.values()], warnings: this.warnings };
  }
}

/** A metric in seconds, lower is better. */
export function timeMetric(name: string, seconds: number): HarnessMetric {
  return { name, unit: 's', direction: 'lower', value: seconds };
}

/** A latency percentile (`p99`) in seconds, lower is better. */
export function percentileMetric(percentile: number, seconds: number): HarnessMetric {
  return { name: `p${percentile}`, unit: 's', direction: 'lower', value: seconds, percentile };
}

/** A rate in events per second, higher is better. */
export function rateMetric(name: string, perSecond: number): HarnessMetric {
  return { name, unit: '1/s', direction: 'higher', value: perSecond };
}

// ---------------------------------------------------------------------------------------------
// Text outputs
// ---------------------------------------------------------------------------------------------

/** A number as text harnesses print it: digits with optional `,` thousands separators and a fraction. */
export const NUMBER_TEXT = '[0-9][0-9,]*(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?';

/** Reads a number printed with `,` thousands separators. */
export function readNumber(text: string): number {
  return Number(text.replace(/,/g, ''));
}

/** The output's lines, without `\r` and without ANSI colour escapes (tools colour a terminal's output). */
export function textLines(text: string): string[] {
  return text
    .replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
}

/**
 * Throws when the last non-blank line starts like a result line (`partial`) but is not one
 * (`complete`): the output was cut in the middle of a result.
 */
export function rejectCutLastLine(
  lines: string[],
  partial: RegExp,
  complete: RegExp,
  source: string,
  expected: string,
): void {
  let last = lines.length - 1;
  while (last > 0 && lines[last].trim() === '') last--;
  const line = lines[last] ?? '';
  if (partial.test(line) && !complete.test(line))
    throw new HarnessParseError(
      source,
      `the last result line is incomplete (truncated output?); expected ${expected}`,
      last + 1,
    );
}
