/**
 * The suites a project benchmarks, as written in `suites:` (inline input or config file), and
 * their validation. Three kinds, told apart by their keys:
 * - a command suite `{name, run}`: one sample = one fresh process, metrics `wall`, `cpu`, `rss`;
 * - an HTTP suite `{name, server, scenarios}`: one sample = one load run against a fresh server;
 * - a harness suite `{name, run, format}`: one sample = one harness invocation, metrics as the
 *   harness reports them.
 */
import { z } from 'zod';
import { parseDuration } from '../core/units';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const name = z
  .string()
  .regex(NAME, 'expected a name of letters, digits, ".", "_" or "-" (it becomes part of metric ids)');

/** A duration written as `5s`, `250ms`, `2m`, parsed into seconds. */
const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const seconds = typeof v === 'number' ? v : parseDuration(v);
  if (seconds === null || !(seconds >= 0)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like "5s", "250ms" or "2m", got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return seconds;
});

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
  timeout: duration.default(600),
};

export const commandSuiteSchema = z.strictObject({
  ...common,
  /** Shell command; one run = one sample. */
  run: z.string().min(1),
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
  'jmh',
  'benchmarkdotnet',
  'catch2',
  'k6',
  'autocannon',
  'jmeter',
  'gatling',
  'artillery',
  'locust',
  'json',
] as const;
export type HarnessFormat = (typeof HARNESS_FORMATS)[number];

export const harnessSuiteSchema = z.strictObject({
  ...common,
  /** Shell command that runs the harness. */
  run: z.string().min(1),
  /** Which harness wrote the results. */
  format: z.enum(HARNESS_FORMATS),
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

export const httpSuiteSchema = z
  .strictObject({
    ...common,
    /** Shell command that starts the server; PORT is set to a free port. */
    server: z.string().min(1),
    /** Path polled until it answers 2xx; a TCP connect when omitted. */
    ready: z.string().startsWith('/', 'expected a path starting with "/"').optional(),
    /** Longest the server may take to become ready, in seconds. */
    readyTimeout: duration.default(30),
    /** Closed-loop load: concurrent connections. */
    connections: z.number().int().min(1).max(1000).optional(),
    /** Open-loop load: constant arrival rate in requests per second. */
    rate: z.number().positive().optional(),
    /** Measured time per run, after the warm-up, in seconds. */
    duration: duration.default(5),
    /** Un-measured load before each measured run, in seconds. */
    warmupDuration: duration.default(1),
    scenarios: z.array(scenarioSchema).min(1),
  })
  .superRefine((s, ctx) => {
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
