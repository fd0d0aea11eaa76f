/**
 * `perfgate`: the same pipeline as the action, from a developer's clone. `perfgate --help` lists
 * the commands and flags (see flags.ts). Both commands go through `run(settings, io)`: `run`
 * measures two commits, `compare` reads harness result files made elsewhere. Exit status: 0 pass,
 * 1 regression beyond budget, 2 error.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contextFromEnv } from '../app/context';
import { type RunIO, type RunSources, run } from '../app/run';
import { renderMarkdown } from '../core/render/markdown';
import { parseSettings, SettingsError } from '../settings/settings';
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

/** What `compare` reads: the files of each side, in one harness format. */
function filesOf(parsed: ParsedFlags): RunSources {
  const format = flagValue(parsed, 'format') as HarnessFormat;
  if (!HARNESS_FORMATS.includes(format))
    throw new UsageError(`--format: expected one of ${HARNESS_FORMATS.join(', ')}, got "${format}"`);
  return {
    files: {
      format,
      name: flagValue(parsed, 'name') || format,
      base: parsed.values.get('base') ?? [],
      head: parsed.values.get('head') ?? [],
    },
  };
}

async function runCommand(command: 'run' | 'compare', parsed: ParsedFlags): Promise<number> {
  const workspace = process.cwd();
  const sources = command === 'compare' ? filesOf(parsed) : {};
  const settings = parseSettings(inputReader(COMMANDS[command], parsed), workspace, { suites: command === 'run' });
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-'));
  const seed = Number(flagValue(parsed, 'seed')) || Math.floor(Math.random() * 2 ** 31);
  const result = await run(settings, terminalIO(workspace, tempDir, seed), sources);
  // The whole report: a terminal has no comment-size limit, and no use for chart markup.
  process.stdout.write(`\n${renderMarkdown(result.report, { limit: Number.POSITIVE_INFINITY })}\n`);
  const json = flagValue(parsed, 'json');
  const html = flagValue(parsed, 'html');
  if (json) copyFileSync(result.resultsPath, json);
  if (html) copyFileSync(result.htmlPath, html);
  process.stderr.write(`Results: ${json || result.resultsPath}\nHTML report: ${html || result.htmlPath}\n`);
  return result.verdict === 'pass' ? 0 : result.verdict === 'fail' ? 1 : 2;
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
    return await runCommand(command.name, parsed);
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`perfgate: ${error.message}\n\n${usage(command?.name)}`);
    // The flags are the inputs' names: point at the flag the user typed.
    else if (error instanceof SettingsError)
      process.stderr.write(`${error.message.replace(/input "([a-z-]+)"/g, '--$1')}\n`);
    else process.stderr.write(`perfgate: ${(error as Error).message}\n`);
    return 2;
  }
}
