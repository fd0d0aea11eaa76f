/**
 * Every input of the action (or flag of the CLI), parsed once into a typed, documented
 * `Settings` object before anything runs. Problems are collected, not thrown one at a time, so
 * a user sees every mistake at once, each naming the input or file, the key or line, and what is
 * expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { type BudgetEntry, parseBudgetLines, parseBudgetRule } from '../core/budgets';
import { roundsProblem } from '../core/gate/design';
import type { BudgetRule } from '../core/model';
import { parseDuration } from '../core/units';
import { CONFIG_KEYS } from './config-schema';
import { type ChoiceOf, choiceValues, INPUTS, type InputDefinition, type InputName, localDefault } from './inputs';
import { durationProblem, parseSuites, type Suite } from './suites';

/** The most shards a comparison may be split into: report mode reads at most this many results files. */
export const MAX_SHARDS = 64;

/** How the action runs (see README, "Fork pull requests" and "Sharding big suites"). */
export type Mode = ChoiceOf<'mode'>;

/** When to post the PR comment. */
export type CommentPolicy = ChoiceOf<'comment'>;

/** When to profile both sides after the verdict. */
export type ProfilePolicy = ChoiceOf<'profile'>;

/** The parsed, validated settings. Every field is documented with its input. */
export interface Settings {
  /** `mode`: measure+report+gate in one step (`full`), measure only, or report from results. */
  mode: Mode;
  /** `suites` (inline YAML) or the `suites:` of the `config` file. In report mode they are optional
   * (the config file is read when the job's checkout has it): this job's trusted configuration. */
  suites: Suite[];
  /** `config`: the file the suites came from, or `input "suites"` when the input held them (for messages). */
  suitesSource: string;
  /** `build`: shell command run in each checkout before measuring; empty = none. */
  build: string;
  /** `bench-from-head` (or the config file's `benchFromHead:`): paths or globs, relative to the
   * repository root, whose files are copied from the head checkout into the base checkout before
   * building, so both builds run head's benchmark code. Empty = each side runs its own. */
  benchFromHead: string[];
  /** `budget`: the rule for metrics no `budgets` line matches. */
  defaultBudget: BudgetRule;
  /** `budgets` (the config file's `budgets:`, then the input's lines): per-pattern rules. */
  budgets: BudgetEntry[];
  /** `alpha`: family-wise significance level. */
  alpha: number;
  /** `min-rounds`: rounds before the first look. */
  minRounds: number;
  /** `max-rounds`: most rounds (base+head pairs) per suite. */
  maxRounds: number;
  /** `complete-report`: after a regression, keep sampling the undecided metrics to label them. */
  completeReport: boolean;
  /** `max-time`: wall-clock cap on measuring, in seconds (builds excluded). */
  maxTimeS: number;
  /** `base`: explicit base commit (any rev git understands); null = from the event. */
  base: string | null;
  /** `comment`: when to post the sticky PR comment. */
  comment: CommentPolicy;
  /** `fail-on-regression`: fail the step on a regression (errors always fail). */
  failOnRegression: boolean;
  /** `github-token`. */
  token: string;
  /** `results`: directory to write results to (measure/full) or read them from (report). */
  resultsDir: string | null;
  /** `shard`: this job's share of the suites, 1-based `{index, total}`. */
  shard: { index: number; total: number } | null;
  /** `allow-unsafe-pr-checkout`: permit running PR code under pull_request_target/workflow_run. */
  allowUnsafePrCheckout: boolean;
  /** `tracking-issue`: a reference check keeps one issue open while it fails. */
  trackingIssue: boolean;
  /** `profile`: profile both sides of failing suites (`on-regression`), of every suite, or never. */
  profile: ProfilePolicy;
  /** `accept-label`: the PR label that accepts every failing metric. */
  acceptLabel: string;
  /**
   * The inputs the `perfgate` command also takes, as written, where they are set to something
   * other than their default: the "Reproduce locally" command passes them back as flags.
   */
  asFlags: Partial<Record<InputName, string>>;
}

/** One problem with the settings. `where` names the input or `file:line`. */
export interface SettingsIssue {
  where: string;
  message: string;
}

/** Thrown with every problem found; `message` lists them all. */
export class SettingsError extends Error {
  constructor(readonly issues: SettingsIssue[]) {
    super(
      `perfgate's configuration has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n` +
        issues.map((i) => `  - ${i.where}: ${i.message}`).join('\n'),
    );
    this.name = 'SettingsError';
  }
}

export { INPUT_NAMES, type InputName } from './inputs';

/** Reads one input; returns '' when unset (as `@actions/core`'s getInput does). */
export type InputReader = (name: InputName) => string;

/**
 * Parses every input. `workspace` is where relative paths (the config file) resolve.
 * `options.suites: false` skips the suites (and the config file), for comparing result files
 * made elsewhere (`perfgate compare`). Throws `SettingsError` listing every problem.
 */
export function parseSettings(read: InputReader, workspace: string, options = { suites: true }): Settings {
  const issues: SettingsIssue[] = [];
  const inputs: Inputs = {
    read,
    // An unset input takes its default from the one definition (src/settings/inputs.ts).
    input: (name) => read(name).trim() || localDefault(name),
    problem: (name, message) => issues.push({ where: `input "${name}"`, message }),
    issues,
  };
  const policy = parsePolicy(inputs);
  const gate = parseGateInputs(inputs);
  const measured = parseMeasured(inputs, workspace, policy.mode, options.suites, gate.budgets);
  if (issues.length > 0) throw new SettingsError(issues);
  return {
    mode: policy.mode!,
    suites: measured.suites,
    suitesSource: measured.suitesSource,
    build: measured.build,
    benchFromHead: measured.benchFromHead,
    defaultBudget: gate.defaultBudget as BudgetRule,
    budgets: measured.budgets,
    alpha: gate.alpha,
    minRounds: gate.minRounds!,
    maxRounds: gate.maxRounds!,
    completeReport: gate.completeReport!,
    maxTimeS: gate.maxTimeS!,
    base: inputs.input('base') || null,
    comment: policy.comment!,
    failOnRegression: policy.failOnRegression!,
    token: inputs.input('github-token'),
    resultsDir: inputs.input('results') || null,
    shard: gate.shard,
    allowUnsafePrCheckout: policy.allowUnsafePrCheckout!,
    trackingIssue: policy.trackingIssue!,
    profile: policy.profile!,
    acceptLabel: policy.acceptLabel,
    asFlags: flagsOf(read),
  };
}

/** The inputs as `parseSettings` reads them, and where their problems go. */
interface Inputs {
  /** An input as given ('' when unset). */
  read: InputReader;
  /** An input, trimmed, or its default when unset. */
  input: (name: InputName) => string;
  /** A problem with an input, named. */
  problem: (name: string, message: string) => void;
  /** Every problem found so far. */
  issues: SettingsIssue[];
}

/** What the run does and what it may do: mode, comment, failing the step, tracking issue, profiling, accepting. */
function parsePolicy({ input, problem }: Inputs) {
  const mode = oneOf(input('mode'), choiceValues('mode'), 'mode', problem);
  const comment = oneOf(input('comment'), choiceValues('comment'), 'comment', problem);
  const failOnRegression = bool(input('fail-on-regression'), 'fail-on-regression', problem);
  const allowUnsafePrCheckout = bool(input('allow-unsafe-pr-checkout'), 'allow-unsafe-pr-checkout', problem);
  const trackingIssue = bool(input('tracking-issue'), 'tracking-issue', problem);
  const profile = oneOf(input('profile'), choiceValues('profile'), 'profile', problem);
  const acceptLabel = input('accept-label');
  if (acceptLabel.length > 50 || /[\r\n]/.test(acceptLabel))
    problem(
      'accept-label',
      `expected a label name (at most 50 characters, one line), got "${acceptLabel.slice(0, 60)}"`,
    );
  return { mode, comment, failOnRegression, allowUnsafePrCheckout, trackingIssue, profile, acceptLabel };
}

/** The gate: significance, rounds, time, the budgets (the input's lines) and the shard (which splits alpha). */
function parseGateInputs({ read, input, problem, issues }: Inputs) {
  const alpha = Number(input('alpha'));
  if (!(alpha > 0 && alpha < 0.5))
    problem('alpha', `expected a number between 0 and 0.5 such as 0.05, got "${input('alpha')}"`);
  const minRounds = integer(input('min-rounds'), 'min-rounds', 4, 10_000, problem);
  const maxRounds = integer(input('max-rounds'), 'max-rounds', 4, 10_000, problem);
  if (minRounds !== null && maxRounds !== null && maxRounds < minRounds) {
    problem('max-rounds', `must be at least min-rounds (${minRounds}), got ${maxRounds}`);
  }
  const completeReport = bool(input('complete-report'), 'complete-report', problem);
  const maxTimeText = input('max-time');
  const maxTimeS = parseDuration(maxTimeText);
  const maxTimeProblem = durationProblem(maxTimeS, `"${maxTimeText}"`, true, '"15m", "90s" or "1h"');
  if (maxTimeProblem) problem('max-time', maxTimeProblem);

  const defaultBudget = parseBudgetRule(input('budget'));
  if (typeof defaultBudget === 'string') problem('budget', defaultBudget);

  const budgetLines = parseBudgetLines(read('budgets'));
  for (const i of budgetLines.issues) issues.push({ where: `input "budgets" line ${i.line}`, message: i.message });

  const shard = parseShard(input('shard'), problem);
  if (minRounds !== null && maxRounds !== null && maxRounds >= minRounds && alpha > 0 && alpha < 0.5) {
    // A schedule whose last look can never reach the level a gated metric needs could never fail one
    // (alpha after the shard split, as the gate uses it).
    const rounds = roundsProblem(alpha / (shard?.total ?? 1), minRounds, maxRounds);
    if (rounds) problem(rounds.input, rounds.message);
  }
  return { alpha, minRounds, maxRounds, completeReport, maxTimeS, defaultBudget, budgets: budgetLines.entries, shard };
}

/** `shard`: INDEX/TOTAL, or none when unset. */
function parseShard(text: string, problem: Inputs['problem']): Settings['shard'] {
  if (!text) return null;
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(text);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]) || Number(m[2]) > MAX_SHARDS) {
    problem('shard', `expected INDEX/TOTAL with 1 ≤ INDEX ≤ TOTAL ≤ ${MAX_SHARDS}, like "2/4", got "${text}"`);
    return null;
  }
  return { index: Number(m[1]), total: Number(m[2]) };
}

/**
 * What is measured: the suites (the input's, or the config file's unless `withSuites` is false),
 * the build and bench-from-head (the inputs, else the config file's), and the budgets (the
 * config file's, then the input's `budgets`).
 */
function parseMeasured(
  { read, input, issues }: Inputs,
  workspace: string,
  mode: Mode | null,
  withSuites: boolean,
  inputBudgets: BudgetEntry[],
) {
  let suites: Suite[] = [];
  let suitesSource = 'input "suites"';
  let build = input('build');
  let benchFromHead = parseBenchFromHead(
    read('bench-from-head').split(/\r?\n/),
    (i) => `input "bench-from-head" line ${i + 1}`,
    issues,
  );
  let budgets = inputBudgets;
  if (withSuites) {
    const inline = read('suites');
    if (inline.trim() !== '') {
      suites = parseSuitesYaml(inline, 'input "suites"', issues);
    } else {
      const configPath = input('config');
      const file = path.resolve(workspace, configPath);
      suitesSource = configPath;
      // Report mode runs no suite: its configuration (budgets, suite names) is optional.
      if (!existsSync(file) && mode === 'report') {
        suitesSource = '';
      } else if (!existsSync(file)) {
        issues.push({
          where: 'input "suites"',
          message: `no suites given: set the "suites" input, or create ${configPath} (input "config") with a "suites:" list`,
        });
      } else {
        const config = parseConfigFile(readFileSync(file, 'utf8'), configPath, issues);
        suites = config.suites;
        if (!build && config.build) build = config.build;
        if (benchFromHead.length === 0) benchFromHead = config.benchFromHead;
        budgets = [...config.budgets, ...budgets];
      }
    }
  }
  return { suites, suitesSource, build, benchFromHead, budgets };
}

/** The inputs the `perfgate` command also takes that are set to other than their default, as written. */
function flagsOf(read: InputReader): Settings['asFlags'] {
  return Object.fromEntries(
    INPUTS.flatMap((i: InputDefinition) => {
      const value = read(i.name as InputName).trim();
      return i.cli && value && value !== localDefault(i.name as InputName) ? [[i.name, value]] : [];
    }),
  );
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  name: string,
  problem: (name: string, message: string) => void,
): T | null {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problem(name, `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got "${value}"`);
  return null;
}

function bool(value: string, name: string, problem: (name: string, message: string) => void): boolean | null {
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^(false|no|off)$/i.test(value)) return false;
  problem(name, `expected "true" or "false", got "${value}"`);
  return null;
}

function integer(
  value: string,
  name: string,
  min: number,
  max: number,
  problem: (name: string, message: string) => void,
): number | null {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    problem(name, `expected a whole number from ${min} to ${max}, got "${value}"`);
    return null;
  }
  return n;
}

/** Parses YAML, mapping validation paths back to `file:line`. */
function parseYaml(text: string, where: string, issues: SettingsIssue[]) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors.slice(0, 5)) {
      const pos = lineCounter.linePos(e.pos[0]);
      issues.push({ where: `${where} line ${pos.line}`, message: `invalid YAML: ${e.message.split('\n')[0]}` });
    }
    return null;
  }
  const lineOf = (p: (string | number)[]): number | null => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return null;
  };
  return { value: doc.toJS() as unknown, lineOf };
}

/** `suites[1].timeout` → ['suites', 1, 'timeout'] (the path format of `parseSuites`). */
function pathOf(issuePath: string): (string | number)[] {
  return issuePath
    .split(/\.|\[|\]/)
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function parseSuitesYaml(text: string, where: string, issues: SettingsIssue[]): Suite[] {
  const parsed = parseYaml(text, where, issues);
  if (!parsed) return [];
  // The input holds the list itself; tolerate a `suites:` key around it as well.
  let value = parsed.value;
  let prefix: (string | number)[] = [];
  if (value && typeof value === 'object' && !Array.isArray(value) && 'suites' in value) {
    value = (value as { suites: unknown }).suites;
    prefix = ['suites'];
  }
  const { suites, issues: found } = parseSuites(value);
  for (const i of found) {
    const p = pathOf(i.path).slice(1);
    const line = parsed.lineOf([...prefix, ...p]);
    issues.push({ where: `${where}${line ? ` line ${line}` : ''}`, message: `${i.path}: ${i.message}` });
  }
  return suites;
}

/**
 * Validates `bench-from-head` entries: paths (a directory means everything under it) or globs,
 * relative to the repository root, never leaving it. Blank lines and `# comments` are skipped.
 */
export function parseBenchFromHead(
  entries: string[],
  whereOf: (index: number) => string,
  issues: SettingsIssue[],
): string[] {
  const paths: string[] = [];
  for (const [i, raw] of entries.entries()) {
    const entry = raw.replace(/\s+#.*$|^#.*$/, '').trim();
    if (!entry) continue;
    const at = whereOf(i);
    const normal = entry.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    if (
      path.isAbsolute(entry) ||
      /^[A-Za-z]:/.test(entry) ||
      normal.split('/').includes('..') ||
      normal === '' ||
      normal === '.'
    ) {
      issues.push({
        where: at,
        message: `expected a path or glob inside the repository, like "bench/" or "**/*.bench.ts", got "${entry}"`,
      });
      continue;
    }
    paths.push(normal);
  }
  return paths;
}

/** Parses the config file: `suites:` (required), `build:`, `budgets:` and `benchFromHead:` (optional). */
export function parseConfigFile(
  text: string,
  file: string,
  issues: SettingsIssue[],
): { suites: Suite[]; build: string; budgets: BudgetEntry[]; benchFromHead: string[] } {
  const empty = { suites: [], build: '', budgets: [], benchFromHead: [] };
  const parsed = parseYaml(text, file, issues);
  if (!parsed) return empty;
  const doc = parsed.value as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    issues.push({
      where: file,
      message: 'expected a mapping with a "suites:" list (and optionally "build:" and "budgets:")',
    });
    return empty;
  }
  for (const key of Object.keys(doc)) {
    if (!CONFIG_KEYS.includes(key)) {
      const line = parsed.lineOf([key]);
      issues.push({
        where: `${file}${line ? ` line ${line}` : ''}`,
        message: `unknown key "${key}"; expected ${CONFIG_KEYS.map((k) => `"${k}"`).join(', ')}`,
      });
    }
  }
  const { suites, issues: found } = parseSuites(doc.suites, 'suites');
  for (const i of found) {
    const line = parsed.lineOf(pathOf(i.path));
    issues.push({ where: `${file}${line ? ` line ${line}` : ''}`, message: `${i.path}: ${i.message}` });
  }
  let build = '';
  if (doc.build !== undefined) {
    if (typeof doc.build !== 'string')
      issues.push({
        where: `${file} line ${parsed.lineOf(['build'])}`,
        message: 'build: expected a shell command (a string)',
      });
    else build = doc.build;
  }
  let budgets: BudgetEntry[] = [];
  if (doc.budgets !== undefined) {
    // Accept a mapping {PATTERN: RULE} or a block string of "PATTERN: RULE" lines.
    const lines: string[] = [];
    const lineNumbers: number[] = [];
    if (typeof doc.budgets === 'string') {
      const start = parsed.lineOf(['budgets']) ?? 1;
      doc.budgets.split(/\r?\n/).forEach((l, i) => {
        lines.push(l);
        lineNumbers.push(start + 1 + i);
      });
    } else if (doc.budgets && typeof doc.budgets === 'object' && !Array.isArray(doc.budgets)) {
      for (const [pattern, rule] of Object.entries(doc.budgets)) {
        lines.push(`${pattern}: ${String(rule)}`);
        lineNumbers.push(parsed.lineOf(['budgets', pattern]) ?? 0);
      }
    } else {
      issues.push({
        where: `${file} line ${parsed.lineOf(['budgets'])}`,
        message: 'budgets: expected a mapping of "PATTERN: RULE"',
      });
    }
    const result = parseBudgetLines(lines.join('\n'));
    for (const i of result.issues)
      issues.push({ where: `${file} line ${lineNumbers[i.line - 1]}`, message: `budgets: ${i.message}` });
    budgets = result.entries.map((e) => ({ ...e, line: lineNumbers[e.line - 1] ?? e.line }));
  }
  let benchFromHead: string[] = [];
  if (doc.benchFromHead !== undefined) {
    const value = doc.benchFromHead;
    const lineOf = (...p: (string | number)[]) => `${file} line ${parsed.lineOf(['benchFromHead', ...p])}`;
    if (typeof value === 'string') benchFromHead = parseBenchFromHead([value], () => lineOf(), issues);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      benchFromHead = parseBenchFromHead(value, (i) => lineOf(i), issues);
    else issues.push({ where: lineOf(), message: 'benchFromHead: expected a list of paths or globs, like ["bench/"]' });
  }
  return { suites, build, budgets, benchFromHead };
}
