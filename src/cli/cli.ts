/**
 * `perfgate`: the same engine from a developer's clone. `perfgate --help` lists the commands
 * and flags (see flags.ts); the exit status is 0 pass, 1 regression beyond budget, 2 error.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { harnessReplicate } from '../adapters/harness';
import { contextFromEnv } from '../app/context';
import { environment, type RunIO, run } from '../app/run';
import { budgetFor } from '../core/budgets';
import { SequentialGate } from '../core/engine';
import type { ComparisonReport, MetricSamples } from '../core/model';
import { renderHtmlReport } from '../core/render/html';
import { renderMarkdown } from '../core/render/markdown';
import { decideVerdict } from '../core/report';
import { parseSettings, type Settings, SettingsError } from '../settings/settings';
import { HARNESS_FORMATS, type HarnessFormat } from '../settings/suites';
import { COMMANDS, flagValue, inputReader, type ParsedFlags, parseFlags, UsageError, usage } from './flags';

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

async function runCommand(parsed: ParsedFlags): Promise<number> {
  const workspace = process.cwd();
  const settings = parseSettings(inputReader(COMMANDS.run, parsed), workspace);
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-'));
  const seed = Number(flagValue(parsed, 'seed')) || Math.floor(Math.random() * 2 ** 31);
  const result = await run(settings, terminalIO(workspace, tempDir, seed));
  process.stdout.write(`\n${result.markdown}\n`);
  const json = flagValue(parsed, 'json');
  const html = flagValue(parsed, 'html');
  if (json) copyFileSync(result.resultsPath, json);
  if (html) copyFileSync(result.htmlPath, html);
  process.stderr.write(`Results: ${json || result.resultsPath}\nHTML report: ${html || result.htmlPath}\n`);
  return result.verdict === 'pass' ? 0 : result.verdict === 'fail' ? 1 : 2;
}

/** `perfgate compare`: the engine on result files, one per replicate per side. */
export function compareFiles(
  format: HarnessFormat,
  name: string,
  baseFiles: string[],
  headFiles: string[],
  settings: Settings,
): ComparisonReport {
  const samples = new Map<string, MetricSamples>();
  const warnings = new Set<string>();
  for (const [side, files] of [
    ['base', baseFiles],
    ['head', headFiles],
  ] as const) {
    for (const file of files) {
      if (!existsSync(file)) throw new UsageError(`--${side}: no such file ${file}`);
      const replicate = harnessReplicate(name, format, readFileSync(file, 'utf8'), file);
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
      alpha: settings.alpha,
      correction: settings.correction,
      strict: settings.strict,
      minRounds: Math.max(1, rounds),
      maxRounds: Math.max(1, rounds),
    },
    (id) => budgetFor(id, units.get(id) ?? 'count', settings.budgets, settings.defaultBudget).rule,
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
      alpha: settings.alpha,
      correction: settings.correction,
      strict: settings.strict,
      minRounds: rounds,
      maxRounds: rounds,
      rounds,
      looks: [rounds],
    },
    environment: environment(0),
    warnings: [...warnings].map((text) => ({ code: 'replicate', text })),
    errors,
    reproduce: `perfgate compare --format ${format} --base ${baseFiles.join(' ')} --head ${headFiles.join(' ')}`,
  };
}

function compareCommand(parsed: ParsedFlags): number {
  const format = flagValue(parsed, 'format') as HarnessFormat;
  if (!HARNESS_FORMATS.includes(format))
    throw new UsageError(`--format: expected one of ${HARNESS_FORMATS.join(', ')}, got "${format}"`);
  const settings = parseSettings(inputReader(COMMANDS.compare, parsed), process.cwd(), { suites: false });
  const report = compareFiles(
    format,
    flagValue(parsed, 'name') || format,
    parsed.values.get('base') ?? [],
    parsed.values.get('head') ?? [],
    settings,
  );
  process.stdout.write(renderMarkdown(report, { limit: Number.POSITIVE_INFINITY }));
  const json = flagValue(parsed, 'json');
  if (json) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const html = flagValue(parsed, 'html');
  if (html) writeFileSync(html, renderHtmlReport(report));
  return report.verdict === 'pass' ? 0 : report.verdict === 'fail' ? 1 : 2;
}

export async function cli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === 'run' || name === 'compare' ? COMMANDS[name] : undefined;
  try {
    if (!command) {
      if (name === '--help' || name === '-h' || name === 'help') {
        process.stdout.write(usage());
        return 0;
      }
      throw new UsageError(name ? `unknown command "${name}"` : 'missing command');
    }
    const parsed = parseFlags(command, rest);
    if (parsed.help) {
      process.stdout.write(usage(command.name));
      return 0;
    }
    return command.name === 'run' ? await runCommand(parsed) : compareCommand(parsed);
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`perfgate: ${error.message}\n\n${usage(command?.name)}`);
    else if (error instanceof SettingsError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`perfgate: ${(error as Error).message}\n`);
    return 2;
  }
}
