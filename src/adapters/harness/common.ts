/**
 * Shared pieces of the harness parsers: the result types, the error type, a JSON reader that
 * reports line numbers, unit conversion and a collector that refuses silent merges.
 */
import type { Direction, Unit } from '../../core/model';

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

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * A strict JSON reader (RFC 8259) that, unlike `JSON.parse` on Node 20, reports where it failed,
 * and that accepts the bare `NaN`, `Infinity` and `-Infinity` tokens some harnesses write
 * (BenchmarkDotNet, Google Benchmark). Those become `NaN` / `±Infinity` numbers, so the finiteness
 * checks of the parsers still catch them where they matter.
 */
class JsonReader {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): unknown {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail('expected the end of the JSON document');
    return v;
  }

  /** Parses one value starting at the current position (for JSON Lines). */
  parseAt(start: number): { value: unknown; end: number } {
    this.i = start;
    this.ws();
    const value = this.value();
    return { value, end: this.i };
  }

  private fail(what: string): never {
    const found =
      this.i >= this.s.length
        ? 'the end of the output (truncated?)'
        : JSON.stringify(this.s.slice(this.i, this.i + 12));
    throw new JsonSyntaxError(`${what}, found ${found}`, this.i);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) this.i++;
      else break;
    }
  }

  private value(): unknown {
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (this.s.startsWith('true', this.i)) return this.word('true', true);
    if (this.s.startsWith('false', this.i)) return this.word('false', false);
    if (this.s.startsWith('null', this.i)) return this.word('null', null);
    if (this.s.startsWith('NaN', this.i)) return this.word('NaN', Number.NaN);
    if (this.s.startsWith('Infinity', this.i)) return this.word('Infinity', Number.POSITIVE_INFINITY);
    return this.fail('expected a JSON value');
  }

  private word<T>(w: string, v: T): T {
    this.i += w.length;
    return v;
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a property name in double quotes');
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`expected ":" after property name ${JSON.stringify(key)}`);
      this.i++;
      this.ws();
      out[key] = this.value();
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return out;
      }
      this.fail('expected "," or "}" after a property value');
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return out;
      }
      this.fail('expected "," or "]" after an array element');
    }
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    this.i++;
    let simple = true;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 34) {
        this.i++;
        const raw = s.slice(start, this.i);
        if (simple) return raw.slice(1, -1);
        try {
          return JSON.parse(raw) as string;
        } catch {
          this.i = start;
          this.fail('expected a valid JSON string');
        }
      }
      if (c === 92) {
        simple = false;
        this.i += 2;
        continue;
      }
      if (c < 32) this.fail('expected the closing quote of a string');
      this.i++;
    }
    return this.fail('expected the closing quote of a string');
  }

  private number(): number {
    const m = /-?(?:Infinity|(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r) return this.fail('expected a number');
    this.i += r[0].length;
    if (r[0] === '-Infinity') return Number.NEGATIVE_INFINITY;
    return Number(r[0]);
  }
}

/** Parses a JSON document; a syntax error becomes a HarnessParseError with the line number. */
export function parseJson(text: string, source: string, expected: string): unknown {
  requireText(text, source, expected);
  try {
    return new JsonReader(text).parseDocument();
  } catch (e) {
    if (e instanceof JsonSyntaxError)
      throw new HarnessParseError(
        source,
        `not valid JSON (${e.message}); expected ${expected}`,
        lineAt(text, e.offset),
      );
    throw e;
  }
}

/**
 * Parses JSON Lines: one JSON value per non-empty line. Returns each value with its line number.
 */
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

export function parseJsonLines(text: string, source: string, expected: string): { value: unknown; line: number }[] {
  requireText(text, source, expected);
  const out: { value: unknown; line: number }[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    if (raw.trim() === '') return;
    try {
      out.push({ value: new JsonReader(raw).parseDocument(), line: index + 1 });
    } catch (e) {
      if (e instanceof JsonSyntaxError)
        throw new HarnessParseError(source, `not a valid JSON line (${e.message}); expected ${expected}`, index + 1);
      throw e;
    }
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

/** The median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Seconds per time unit, for the abbreviations harnesses write (Go, JMH, Google Benchmark …). */
export const TIME_UNITS: Readonly<Record<string, number>> = {
  ps: 1e-12,
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  sec: 1,
  m: 60,
  min: 60,
  h: 3600,
  hr: 3600,
  day: 86400,
};

/** Bytes per size unit (decimal and binary prefixes). */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** Seconds per unit; throws a HarnessParseError naming the unknown unit. */
export function timeFactor(unit: string, source: string, where: string): number {
  const f = TIME_UNITS[unit];
  if (f === undefined)
    throw new HarnessParseError(
      source,
      `${where}: unknown time unit ${JSON.stringify(unit)}; expected one of ${Object.keys(TIME_UNITS).join(', ')}`,
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
