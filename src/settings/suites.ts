/**
 * The suites a project benchmarks, as written in `suites:` (inline input or config file), and
 * their validation. Three kinds, told apart by their keys:
 * - a command suite `{name, run}`: one sample = one fresh process, metrics `wall`, `cpu`, `rss`
 *   (and `instructions` with `instructions: true`);
 * - an HTTP suite `{name, server, scenarios}`: one sample = one load run against a fresh server;
 * - a harness suite `{name, run, format}`: one sample = one harness invocation, metrics as the
 *   harness reports them.
 */
import { z } from 'zod';
import { MIN_RUNS as MIN_SOAK_RUNS } from '../core/gate/growth';
import { INSTRUCTION_COUNTERS, type InstructionCounter } from '../core/model';
import { parseDuration, parsePercent, parseQuantity } from '../core/units';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const name = z
  .string()
  .regex(NAME, 'expected a name of letters, digits, ".", "_" or "-" (it becomes part of metric ids)');

/**
 * A setting written as text (`5s`) or a YAML number. Any number gets through, `.inf` and `.nan`
 * included, so that the setting's own check names what is wrong with it.
 */
const textOrNumber = z.custom<string | number>(
  (v) => typeof v === 'string' || typeof v === 'number',
  'expected a text such as "5s" or a number',
);

/**
 * The longest duration a setting may hold: 7 days. Every timer perfgate derives from one (a
 * suite's timeout, doubled for a profiled run; a load run's warm-up plus duration; max-time) must
 * stay within what a timer holds (2³¹ − 1 ms, 24.8 days), or it would fire at once.
 */
export const MAX_DURATION_S = 7 * 24 * 3600;

/** Why a duration setting is refused, or null when `seconds` is one (`positive`: 0 is refused too). */
export function durationProblem(
  seconds: number | null,
  written: string,
  positive: boolean,
  like = '"5s", "250ms" or "2m"',
): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0)
    return `expected a duration like ${like}, got ${written}`;
  if (positive && seconds === 0) return `expected a duration above 0, like "5s", got ${written}`;
  if (seconds > MAX_DURATION_S)
    return `expected at most 168h (7 days), got ${written}: a longer duration would overflow a timer`;
  return null;
}

/** A duration written as `5s`, `250ms`, `2m` (or a number of seconds), parsed into seconds. */
const durationOf = (positive: boolean) =>
  textOrNumber.transform((v, ctx) => {
    const seconds = typeof v === 'number' ? v : parseDuration(v);
    const problem = durationProblem(seconds, typeof v === 'number' ? String(v) : JSON.stringify(v), positive);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return seconds as number;
  });
/** A duration that may be 0 (a warm-up, a settle time). */
const duration = durationOf(false);
/** A duration that must be above 0 (a timeout, a measured run, a block). */
const positiveDuration = durationOf(true);

const env = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

const common = {
  name,
  /** Working directory, relative to the checkout root. */
  cwd: z.string().optional(),
  /** Extra environment variables for the process (identical on both sides). */
  env: env.optional(),
  /** Untimed runs per side before measuring (discarded). */
  warmup: z.number().int().min(0).max(100).default(1),
  /** Longest a single run may take, in seconds, before it is killed and reported as an error. */
  timeout: positiveDuration.default(600),
};

/** `instructions:` of a command suite: `true` or a counter's name (see `core/instructions.ts`). */
const instructions = z.union([z.boolean(), z.string()]).transform((v, ctx): InstructionCounter | undefined => {
  if (v === false) return undefined;
  if (v === true) return 'valgrind';
  if ((INSTRUCTION_COUNTERS as readonly string[]).includes(v)) return v as InstructionCounter;
  ctx.addIssue({
    code: 'custom',
    message: `expected true (count with valgrind), "valgrind", "hardware" (the CPU's counter, through perf stat) or false, got ${JSON.stringify(v)}`,
  });
  return z.NEVER;
});

export const commandSuiteSchema = z.strictObject({
  ...common,
  /** Shell command; one run = one sample. */
  run: z.string().min(1),
  /** Also count the instructions each run executes (`SUITE:instructions`), and with which counter. */
  instructions: instructions.optional(),
});

export const HARNESS_FORMATS = [
  'hyperfine',
  'go',
  'benchmarkjs',
  'vitest',
  'tinybench',
  'pytest',
  'google-benchmark',
  'criterion',
  'libtest',
  'gungraun',
  'jmh',
  'benchmarkdotnet',
  'catch2',
  'benchmarktools',
  'asv',
  'ruby-benchmark',
  'luau',
  'dart-benchmark-harness',
  'console-time',
  'k6',
  'autocannon',
  'jmeter',
  'gatling',
  'artillery',
  'locust',
  'json',
  'bmf',
  'custom-smaller-is-better',
  'custom-bigger-is-better',
  'auto',
] as const;
export type HarnessFormat = (typeof HARNESS_FORMATS)[number];

/**
 * Other names `format:` accepts for the same output: github-action-benchmark's `tool` values and
 * Bencher's `--adapter` names (docs/migrating.md has the table). Bencher's `magic` and its
 * language adapters (`rust`, `cpp`, …) try every parser, as Bencher does: they are `auto`.
 */
export const FORMAT_ALIASES = {
  // github-action-benchmark `tool:` (the others are perfgate names already)
  cargo: 'libtest',
  benchmarkluau: 'luau',
  googlecpp: 'google-benchmark',
  julia: 'benchmarktools',
  customSmallerIsBetter: 'custom-smaller-is-better',
  customBiggerIsBetter: 'custom-bigger-is-better',
  // Bencher `--adapter`
  magic: 'auto',
  rust: 'auto',
  rust_bench: 'libtest',
  rust_criterion: 'criterion',
  rust_iai: 'gungraun',
  rust_iai_callgrind: 'gungraun',
  rust_gungraun: 'gungraun',
  rust_gungraun_stdout: 'gungraun',
  rust_gungraun_json: 'gungraun',
  cpp: 'auto',
  cpp_google: 'google-benchmark',
  cpp_catch2: 'catch2',
  go_bench: 'go',
  java: 'auto',
  java_jmh: 'jmh',
  c_sharp: 'auto',
  c_sharp_dot_net: 'benchmarkdotnet',
  js: 'auto',
  js_benchmark: 'benchmarkjs',
  js_time: 'console-time',
  js_vitest: 'vitest',
  python: 'auto',
  python_asv: 'asv',
  python_pytest: 'pytest',
  ruby: 'auto',
  ruby_benchmark: 'ruby-benchmark',
  shell: 'auto',
  shell_hyperfine: 'hyperfine',
  dart: 'auto',
  dart_benchmark_harness: 'dart-benchmark-harness',
  // the tools' own names
  'iai-callgrind': 'gungraun',
  iai: 'gungraun',
  'benchmark-ips': 'ruby-benchmark',
} as const satisfies Record<string, HarnessFormat>;

/** Every name `format:` accepts: perfgate's names, then the aliases. */
export const FORMAT_NAMES = [...HARNESS_FORMATS, ...Object.keys(FORMAT_ALIASES)] as [string, ...string[]];

/** The format a name stands for, or null when it names none. */
export function resolveHarnessFormat(name: string): HarnessFormat | null {
  if ((HARNESS_FORMATS as readonly string[]).includes(name)) return name as HarnessFormat;
  return Object.hasOwn(FORMAT_ALIASES, name) ? FORMAT_ALIASES[name as keyof typeof FORMAT_ALIASES] : null;
}

/** Levenshtein edit distance (Wagner–Fischer, 1974), case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let row = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const next = [i];
    for (let j = 1; j <= t.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    row = next;
  }
  return row[t.length];
}

/**
 * The accepted name nearest to an unknown one, ignoring case, `-` and `_`: the longest name it
 * contains (`pytest-benchmark` → `pytest`), else the nearest by edit distance, if any is near.
 */
export function nearestFormatName(name: string): string | null {
  const squash = (n: string) => n.toLowerCase().replace(/[-_ .]/g, '');
  const wanted = squash(name);
  const contained = FORMAT_NAMES.filter((c) => squash(c).length >= 4 && wanted.includes(squash(c)));
  if (contained.length > 0) return contained.reduce((a, b) => (squash(b).length > squash(a).length ? b : a));
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of FORMAT_NAMES) {
    const d = editDistance(wanted, squash(candidate));
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : null;
}

/** The message for a format name that names no format: the nearest name, then the list. */
export function unknownFormatMessage(name: unknown): string {
  const near = typeof name === 'string' ? nearestFormatName(name) : null;
  return `unknown format ${JSON.stringify(name)}${near ? `; did you mean "${near}"?` : ''} Expected one of ${HARNESS_FORMATS.join(', ')}, or a github-action-benchmark tool or Bencher adapter name (see docs/migrating.md)`;
}

export const harnessSuiteSchema = z.strictObject({
  ...common,
  /** Shell command that runs the harness. */
  run: z.string().min(1),
  /** Which harness wrote the results: a perfgate format name or an alias (`FORMAT_ALIASES`). */
  format: z
    .enum(FORMAT_NAMES, { error: (issue) => unknownFormatMessage(issue.input) })
    .transform((name) => resolveHarnessFormat(name) as HarnessFormat),
  /** File the harness writes, relative to the suite's cwd; stdout when omitted. */
  output: z.string().optional(),
});

export const scenarioSchema = z.strictObject({
  name,
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  path: z.string().startsWith('/', 'expected a path starting with "/"'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});

/** A rate written as `100/s`, `100 req/s` or a bare number of requests per second. */
const rate = textOrNumber.transform((v, ctx) => {
  const q = typeof v === 'number' ? { value: v, unit: '1/s' } : parseQuantity(v);
  if (!q || (q.unit !== '1/s' && q.unit !== 'count') || !(q.value > 0 && Number.isFinite(q.value))) {
    ctx.addIssue({ code: 'custom', message: `expected a positive rate like "500/s", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return q.value;
});

/** `p99 < 50ms`: a latency percentile and its bound (seconds). */
const latencySlo = z.string().transform((v, ctx) => {
  const m = /^\s*p(\d+(?:\.\d+)?)\s*<\s*(\S.*)$/.exec(v);
  const bound = m ? parseDuration(m[2]) : null;
  const percentile = m ? Number(m[1]) : Number.NaN;
  if (!m || bound === null || !(bound > 0 && Number.isFinite(bound)) || !(percentile > 0 && percentile < 100)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a latency objective like "p99 < 50ms" (a percentile between p1 and p99.9, "<", a duration), got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return { percentile, bound, text: `p${m[1]} < ${m[2].trim()}` };
});

/** `< 1%`: the largest error fraction the objective allows. */
const errorSlo = textOrNumber.transform((v, ctx) => {
  const text = typeof v === 'number' ? `${v * 100}%` : v;
  const m = /^\s*<\s*(.*)$/.exec(text);
  const fraction = parsePercent(m ? m[1] : text);
  if (fraction === null || !(fraction > 0 && fraction <= 1)) {
    ctx.addIssue({ code: 'custom', message: `expected an error objective like "< 1%", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return fraction;
});

const fraction = textOrNumber.transform((v, ctx) => {
  const f = typeof v === 'number' ? v : parsePercent(v);
  if (f === null || !(f >= 0.001 && f <= 0.5)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a percentage between 0.1% and 50%, like "2%", got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return f;
});

/**
 * Capacity search (instead of one fixed load): the highest arrival rate at which the objective
 * holds, searched on a geometric grid of rates between `from` and `to` (see `core/capacity.ts`).
 */
export const capacitySchema = z
  .strictObject({
    /** Latency objective, e.g. `p99 < 50ms`. */
    slo: latencySlo,
    /** Error objective, e.g. `< 1%` (errors and non-2xx responses over all requests). */
    errors: errorSlo.default(0.01),
    /** Lowest rate tried. */
    from: rate,
    /** Highest rate tried (never above what the load generator can drive on the machine). */
    to: rate,
    /** Relative step between neighbouring rates of the grid. */
    resolution: fraction.default(0.02),
    /** Measured time of each load step, after `stepWarmup` of un-measured load at the same rate. */
    step: positiveDuration.default(2),
    stepWarmup: duration.default(0.5),
  })
  .superRefine((c, ctx) => {
    if (c.to <= c.from)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `expected "to" above "from" (${c.from}/s), got ${c.to}/s`,
      });
    if (!(c.step > 0)) ctx.addIssue({ code: 'custom', path: ['step'], message: 'expected a step longer than 0 s' });
  });
export type CapacityOptions = z.infer<typeof capacitySchema>;

/** A memory growth rate such as `1MB/min` or `20kB/s`, in bytes per second. */
const growth = textOrNumber.transform((v, ctx) => {
  const q = typeof v === 'number' ? { value: v, unit: 'B/s' } : parseQuantity(v);
  if (q?.unit !== 'B/s' || !(q.value >= 0 && Number.isFinite(q.value))) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a growth rate like "1MB/min" or "20kB/s", got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return q.value;
});

/**
 * Soak (instead of one short load): a constant arrival rate for minutes while the server's memory
 * and open file descriptors are sampled every second; head fails when it grows faster than base by
 * more than the tolerance (see `core/soak.ts` and `core/gate/growth.ts`). The defaults decide a
 * 3 MB/min leak against the 1 MB/min tolerance (measured in `npm run bench:soak`).
 */
export const soakSchema = z
  .strictObject({
    /** Constant arrival rate for the whole soak. */
    rate,
    /** Length of one soak run (one side, one round). */
    duration: positiveDuration.default(300),
    /** Start of each run left out of the growth (warm-up, caches filling). */
    settle: duration.default(60),
    /** Window of the lower envelope: each window's lowest sample; at least the time between major collections. */
    block: positiveDuration.default(60),
    /** Extra memory growth head may show over base. */
    tolerance: growth.default(1e6 / 60),
    /** Extra open file descriptors per minute head may gain over base. */
    fdTolerance: z.number().min(0).default(1),
    /** Soak runs per side (each a fresh server), interleaved like every replicate; the runs are the replicates of the growth test. */
    rounds: z.number().int().min(MIN_SOAK_RUNS).max(20).default(3),
  })
  .superRefine((c, ctx) => {
    if (c.duration - c.settle < 3 * c.block)
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        message: `expected at least 3 windows of "block" (${3 * c.block} s) after the settle time (${c.settle} s): lengthen "duration" or shorten "settle" or "block"`,
      });
  });
export type SoakOptions = z.infer<typeof soakSchema>;

/**
 * Seconds the soak suites' runs take at most (every run of every side, a server start each), beyond
 * which measuring cannot stop them without losing their comparison: max-time is extended by this.
 */
export function soakTimeS(suites: readonly Suite[]): number {
  return suites.reduce(
    (total, s) =>
      s.kind === 'http' && s.soak ? total + 2 * s.soak.rounds * (s.soak.duration + s.readyTimeout) : total,
    0,
  );
}

export const httpSuiteSchema = z
  .strictObject({
    ...common,
    /** Shell command that starts the server; PORT is set to a free port. */
    server: z.string().min(1),
    /** Path polled until it answers 2xx; a TCP connect when omitted. */
    ready: z.string().startsWith('/', 'expected a path starting with "/"').optional(),
    /** Longest the server may take to become ready, in seconds. */
    readyTimeout: positiveDuration.default(30),
    /** Closed-loop load: concurrent connections. */
    connections: z.number().int().min(1).max(1000).optional(),
    /** Open-loop load: constant arrival rate in requests per second. */
    rate: z.number().positive().optional(),
    /** Measured time per run, after the warm-up, in seconds. */
    duration: positiveDuration.default(5),
    /** Un-measured load before each measured run, in seconds. */
    warmupDuration: duration.default(1),
    scenarios: z.array(scenarioSchema).min(1),
    /** Search the highest rate that meets an objective instead of measuring one load. */
    capacity: capacitySchema.optional(),
    /** Endurance: constant load for minutes, memory and file-descriptor growth against base. */
    soak: soakSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.soak && s.capacity)
      ctx.addIssue({
        code: 'custom',
        path: ['soak'],
        message: 'a suite is either a soak or a capacity suite: split it in two',
      });
    if (s.soak && s.timeout < s.soak.duration + 60)
      ctx.addIssue({
        code: 'custom',
        path: ['timeout'],
        message: `expected a timeout of at least the soak's duration plus a minute (${s.soak.duration + 60} s), got ${s.timeout} s`,
      });
    if (s.soak && s.rate !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['rate'],
        message: 'a soak suite sets its rate in "soak.rate": remove "rate"',
      });
    if (s.soak && s.scenarios.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['scenarios'],
        message: "a soak suite drives one scenario (its memory is the whole server's): give it exactly one",
      });
    if (s.capacity && s.rate !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['rate'],
        message: 'a capacity suite searches the rate itself: remove "rate" (or "capacity")',
      });
    const seen = new Set<string>();
    for (const [i, sc] of s.scenarios.entries()) {
      if (seen.has(sc.name))
        ctx.addIssue({
          code: 'custom',
          path: ['scenarios', i, 'name'],
          message: `duplicate scenario name "${sc.name}"`,
        });
      seen.add(sc.name);
    }
  });

export type CommandSuite = z.infer<typeof commandSuiteSchema> & { kind: 'command' };
export type HarnessSuite = z.infer<typeof harnessSuiteSchema> & { kind: 'harness' };
export type HttpSuite = z.infer<typeof httpSuiteSchema> & { kind: 'http' };
export type HttpScenario = z.infer<typeof scenarioSchema>;
export type Suite = CommandSuite | HarnessSuite | HttpSuite;

/** A validation problem: where (`path`, e.g. `suites[1].timeout`) and what is expected. */
export interface ConfigIssue {
  path: string;
  message: string;
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

/**
 * Validates a parsed `suites` list. Returns the typed suites, or every problem found (not just
 * the first), each naming its path, e.g. `suites[0].timeout: expected a duration …`.
 */
export function parseSuites(raw: unknown, where = 'suites'): { suites: Suite[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  if (!Array.isArray(raw)) {
    return {
      suites: [],
      issues: [{ path: where, message: 'expected a list of suites (each item starts with "- name: …")' }],
    };
  }
  if (raw.length === 0) issues.push({ path: where, message: 'expected at least one suite' });
  const suites: Suite[] = [];
  const names = new Set<string>();
  raw.forEach((item, i) => {
    const at = `${where}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      issues.push({ path: at, message: 'expected a mapping with at least "name" and "run" (or "server")' });
      return;
    }
    const kind = 'server' in item ? 'http' : 'format' in item ? 'harness' : 'command';
    const schema = kind === 'http' ? httpSuiteSchema : kind === 'harness' ? harnessSuiteSchema : commandSuiteSchema;
    const result = schema.safeParse(item);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const message =
          issue.code === 'unrecognized_keys'
            ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} for a ${kind} suite`
            : issue.message;
        issues.push({ path: formatPath(at, issue.path), message });
      }
      return;
    }
    const suite = { ...result.data, kind } as Suite;
    if (names.has(suite.name)) issues.push({ path: `${at}.name`, message: `duplicate suite name "${suite.name}"` });
    names.add(suite.name);
    suites.push(suite);
  });
  return { suites, issues };
}
