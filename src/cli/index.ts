/**
 * `perfgate`: the same engine from a developer's clone.
 *
 *   perfgate run [--base REV] [--config FILE] [--budget 5%] [--budgets RULES] [--build CMD]
 *                [--strict] [--alpha A] [--min-rounds N] [--max-rounds N] [--max-time 15m]
 *                [--profile on-regression|always|never] [--json FILE] [--html FILE] [--seed N]
 *   perfgate compare --format FMT --base FILE... --head FILE... [--budget 5%] [--budgets RULES]
 *                [--name SUITE] [--strict] [--alpha A] [--json FILE] [--html FILE]
 *
 * Exit status: 0 no regression, 1 regression beyond budget, 2 error (bad input, build failure,
 * nothing comparable).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { harnessReplicate } from '../adapters/harness';
import { contextFromEnv } from '../app/context';
import { environment, type RunIO, run } from '../app/run';
import { budgetFor, parseBudgetLines, parseBudgetRule } from '../core/budgets';
import { SequentialGate } from '../core/engine';
import type { ComparisonReport, MetricSamples } from '../core/model';
import { renderHtmlReport } from '../core/render/html';
import { renderMarkdown } from '../core/render/markdown';
import { decideVerdict } from '../core/report';
import { type InputName, parseSettings, SettingsError } from '../settings/settings';
import { HARNESS_FORMATS, type HarnessFormat } from '../settings/suites';

const USAGE = `Usage:
  perfgate run [--base REV] [--config FILE] [--budget 5%] [--budgets "PATTERN: RULE"] [--build CMD]
               [--strict] [--alpha 0.05] [--min-rounds 10] [--max-rounds 50] [--max-time 15m]
               [--profile on-regression|always|never] [--json FILE] [--html FILE] [--seed N]
      Measure the commit checked out (HEAD) against --base (default: HEAD~1) with the suites of
      .github/perfgate.yml, print the report, exit 1 on a regression beyond budget.
  perfgate compare --format FMT --base FILE... --head FILE... [--name SUITE] [--budget 5%]
               [--budgets "PATTERN: RULE"] [--strict] [--alpha 0.05] [--json FILE] [--html FILE]
      Compare result files produced elsewhere (one file per replicate per side).
      Formats: ${HARNESS_FORMATS.join(', ')}.`;

class UsageError extends Error {}

/** Parses `--flag value`, `--flag=value`, boolean flags, and lists (`--base a b c`). */
function parseFlags(args: string[], lists: string[], booleans: string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  let current: string | null = null;
  for (const arg of args) {
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (booleans.includes(name)) {
        flags.set(name, ['true']);
        current = null;
        continue;
      }
      flags.set(name, inline !== undefined ? [inline] : []);
      current = inline !== undefined && !lists.includes(name) ? null : name;
      continue;
    }
    if (current === null) throw new UsageError(`unexpected argument "${arg}"`);
    flags.get(current)!.push(arg);
    if (!lists.includes(current)) current = null;
  }
  return flags;
}

function one(flags: Map<string, string[]>, name: string): string {
  const v = flags.get(name);
  if (v && v.length !== 1) throw new UsageError(`--${name} takes one value`);
  return v?.[0] ?? '';
}

function terminalIO(workspace: string, tempDir: string, seed: number): RunIO {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  return {
    workspace,
    tempDir,
    context: { ...contextFromEnv({}), workflow: 'local', job: 'local' },
    log: {
      info: err,
      warning: (m) => err(`warning: ${m}`),
      error: (m) => err(`error: ${m}`),
      async group(name, fn) {
        err(`▶ ${name}`);
        return fn();
      },
    },
    setOutput: () => undefined,
    writeSummary: () => undefined,
    github: null,
    seed,
    local: true,
  };
}

const RUN_FLAGS: Record<string, InputName> = {
  base: 'base',
  config: 'config',
  budget: 'budget',
  budgets: 'budgets',
  build: 'build',
  strict: 'strict',
  alpha: 'alpha',
  correction: 'correction',
  'min-rounds': 'min-rounds',
  'max-rounds': 'max-rounds',
  'max-time': 'max-time',
  suites: 'suites',
  profile: 'profile',
};

async function runCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, [], ['strict']);
  for (const name of flags.keys()) {
    if (!(name in RUN_FLAGS) && !['json', 'html', 'seed'].includes(name))
      throw new UsageError(`unknown flag --${name}`);
  }
  const workspace = process.cwd();
  const settings = parseSettings((name) => {
    const flag = Object.keys(RUN_FLAGS).find((k) => RUN_FLAGS[k] === name);
    const value = flag ? one(flags, flag) : '';
    if (name === 'base') return value || 'HEAD~1';
    if (name === 'comment') return 'never';
    return value;
  }, workspace);
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-'));
  const seed = Number(one(flags, 'seed')) || Math.floor(Math.random() * 2 ** 31);
  const result = await run(settings, terminalIO(workspace, tempDir, seed));
  process.stdout.write(`\n${result.markdown}\n`);
  const json = one(flags, 'json');
  const html = one(flags, 'html');
  if (json) copyFileSync(result.resultsPath, json);
  if (html) copyFileSync(result.htmlPath, html);
  process.stderr.write(`Results: ${json || result.resultsPath}\nHTML report: ${html || result.htmlPath}\n`);
  return result.verdict === 'pass' ? 0 : result.verdict === 'fail' ? 1 : 2;
}

/** `perfgate compare`: the engine on result files, one per replicate per side. */
export function compareFiles(
  format: HarnessFormat,
  baseFiles: string[],
  headFiles: string[],
  options: { name: string; budget: string; budgets: string; strict: boolean; alpha: number },
): ComparisonReport {
  const defaultBudget = parseBudgetRule(options.budget);
  if (typeof defaultBudget === 'string') throw new UsageError(`--budget: ${defaultBudget}`);
  const lines = parseBudgetLines(options.budgets);
  if (lines.issues.length > 0)
    throw new UsageError(lines.issues.map((i) => `--budgets line ${i.line}: ${i.message}`).join('\n'));
  const samples = new Map<string, MetricSamples>();
  const warnings = new Set<string>();
  for (const [side, files] of [
    ['base', baseFiles],
    ['head', headFiles],
  ] as const) {
    for (const file of files) {
      if (!existsSync(file)) throw new UsageError(`--${side}: no such file ${file}`);
      const replicate = harnessReplicate(options.name, format, readFileSync(file, 'utf8'), file);
      for (const w of replicate.warnings) warnings.add(`${side} ${file}: ${w}`);
      for (const v of replicate.values) {
        const s = samples.get(v.id) ?? { id: v.id, unit: v.unit, direction: v.direction, base: [], head: [] };
        s[side].push(v.value);
        samples.set(v.id, s);
      }
    }
  }
  const rounds = Math.min(baseFiles.length, headFiles.length);
  const units = new Map([...samples.values()].map((s) => [s.id, s.unit]));
  const gate = new SequentialGate(
    {
      alpha: options.alpha,
      correction: 'holm',
      strict: options.strict,
      minRounds: Math.max(1, rounds),
      maxRounds: Math.max(1, rounds),
    },
    (id) => budgetFor(id, units.get(id) ?? 'count', lines.entries, defaultBudget).rule,
  );
  const look = gate.look([...samples.values()], rounds, true);
  const errors =
    rounds < 2
      ? [`Too few files: need at least 2 per side to compare (got ${baseFiles.length} base, ${headFiles.length} head).`]
      : [];
  return {
    formatVersion: 1,
    verdict: decideVerdict(look.results, errors),
    base: { sha: 'base', ref: `${baseFiles.length} file${baseFiles.length === 1 ? '' : 's'}` },
    head: { sha: 'head', ref: `${headFiles.length} file${headFiles.length === 1 ? '' : 's'}` },
    results: look.results,
    geomean: look.geomean,
    method: {
      alpha: options.alpha,
      correction: 'holm',
      strict: options.strict,
      minRounds: rounds,
      maxRounds: rounds,
      rounds,
      looks: [rounds],
    },
    environment: environment(0),
    warnings: [...warnings].map((text) => ({ code: 'replicate', text })),
    errors,
    reproduce: `npx perfgate compare --format ${format} --base ${baseFiles.join(' ')} --head ${headFiles.join(' ')}`,
  };
}

function compareCommand(args: string[]): number {
  const flags = parseFlags(args, ['base', 'head'], ['strict']);
  for (const name of flags.keys()) {
    if (!['format', 'base', 'head', 'name', 'budget', 'budgets', 'strict', 'alpha', 'json', 'html'].includes(name)) {
      throw new UsageError(`unknown flag --${name}`);
    }
  }
  const format = one(flags, 'format') as HarnessFormat;
  if (!HARNESS_FORMATS.includes(format))
    throw new UsageError(`--format: expected one of ${HARNESS_FORMATS.join(', ')}, got "${format}"`);
  const baseFiles = flags.get('base') ?? [];
  const headFiles = flags.get('head') ?? [];
  if (baseFiles.length === 0 || headFiles.length === 0)
    throw new UsageError('--base and --head each need at least one file');
  const alpha = Number(one(flags, 'alpha') || '0.05');
  if (!(alpha > 0 && alpha < 0.5)) throw new UsageError('--alpha: expected a number between 0 and 0.5');
  const report = compareFiles(format, baseFiles, headFiles, {
    name: one(flags, 'name') || format,
    budget: one(flags, 'budget') || '5%',
    budgets: one(flags, 'budgets'),
    strict: flags.has('strict'),
    alpha,
  });
  process.stdout.write(renderMarkdown(report, { limit: Number.POSITIVE_INFINITY }));
  const json = one(flags, 'json');
  if (json) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const html = one(flags, 'html');
  if (html) writeFileSync(html, renderHtmlReport(report));
  return report.verdict === 'pass' ? 0 : report.verdict === 'fail' ? 1 : 2;
}

export async function cli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run') return await runCommand(rest);
    if (command === 'compare') return compareCommand(rest);
    if (command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`perfgate: ${error.message}\n\n${USAGE}\n`);
    else if (error instanceof SettingsError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`perfgate: ${(error as Error).message}\n`);
    return 2;
  }
}

process.exitCode = await cli(process.argv.slice(2));
