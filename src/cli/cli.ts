/**
 * `perfgate`: the same pipeline as the action, from a developer's clone. `perfgate --help` lists
 * the commands and flags (see flags.ts). Both commands go through `run(settings, io)`: `run`
 * measures two commits, `compare` reads harness result files made elsewhere. Exit status: 0 pass,
 * 1 regression beyond budget, 2 error, 130 / 143 cancelled by SIGINT (Ctrl-C) / SIGTERM.
 */
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onExitUndo } from '../adapters/lifetime';
import { hideSecrets } from '../adapters/process';
import { cancelOnSignals } from '../adapters/signals';
import { contextFromEnv } from '../app/context';
import { PROFILES_DIR } from '../app/profile';
import { logReporter, terminalReporter } from '../app/progress';
import { type RunIO, type RunSources, run } from '../app/run';
import { renderTerminal } from '../core/render/terminal';
import { parseSettings, SettingsError } from '../settings/settings';
import { resolveHarnessFormat, unknownFormatMessage } from '../settings/suites';
import { COMMANDS, flagValue, inputReader, type ParsedFlags, parseFlags, UsageError, usage } from './flags';
import { versionText } from './version';

/** The conventional exit status of a process ended by a signal (128 + its number). */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

function terminalIO(workspace: string, tempDir: string, seed: number, signal: AbortSignal): RunIO {
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
    signal,
    local: true,
    // One line updated in place on a terminal; plain lines in CI logs and pipes.
    progress: process.stderr.isTTY && !process.env.GITHUB_ACTIONS ? terminalReporter(process.stderr) : logReporter(err),
  };
}

/** What `compare` reads: the files of each side, in one harness format. */
function filesOf(parsed: ParsedFlags): RunSources {
  const format = resolveHarnessFormat(flagValue(parsed, 'format'));
  if (!format) throw new UsageError(`--format: ${unknownFormatMessage(flagValue(parsed, 'format'))}`);
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
  hideSecrets(process.env); // no token of the developer's shell reaches the code under test
  const seed = Number(flagValue(parsed, 'seed')) || Math.floor(Math.random() * 2 ** 31);
  // Ctrl-C: stop every process, remove the worktrees, print what was measured (not a verdict).
  const cancellation = cancelOnSignals({
    exitCode: (signal) => SIGNAL_EXIT[signal] ?? 2,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  // The scratch directory holds the worktrees and the report files; only the files the user is
  // pointed to (no --json / --html given) outlive the run.
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-'));
  const keep = new Set<string>();
  const unregister = onExitUndo(() => rmSync(tempDir, { recursive: true, force: true }));
  try {
    const result = await run(settings, terminalIO(workspace, tempDir, seed, cancellation.signal), sources);
    const json = flagValue(parsed, 'json');
    const html = flagValue(parsed, 'html');
    if (json) copyFileSync(result.resultsPath, json);
    else keep.add(result.resultsPath);
    if (html) copyFileSync(result.htmlPath, html);
    else keep.add(result.htmlPath);
    // The raw profiles go where the reports go: beside --json and --html, else they stay in the temp directory.
    const profiles = path.join(path.dirname(result.resultsPath), PROFILES_DIR);
    let profilesDir: string | undefined;
    if (existsSync(profiles)) {
      const dirs = [...new Set([json, html].filter(Boolean).map((f) => path.resolve(path.dirname(f))))];
      for (const dir of dirs) {
        const to = path.join(dir, PROFILES_DIR);
        rmSync(to, { recursive: true, force: true });
        cpSync(profiles, to, { recursive: true });
      }
      if (dirs.length === 0) keep.add(profiles);
      profilesDir = dirs[0] ?? path.dirname(profiles);
    }
    // The whole report as plain text: a terminal has no comment-size limit and shows no markup.
    process.stdout.write(`\n${renderTerminal(result.report, { resultsDir: profilesDir })}\n`);
    process.stderr.write(
      `Results: ${json || result.resultsPath}\nHTML report: ${html || result.htmlPath}\n${profilesDir ? `Raw profiles: ${path.join(profilesDir, PROFILES_DIR)}\n` : ''}`,
    );
    if (result.report.cancelled) return SIGNAL_EXIT[result.report.cancelled] ?? 2;
    return result.verdict === 'pass' ? 0 : result.verdict === 'fail' ? 1 : 2;
  } finally {
    for (const name of readdirSync(tempDir)) {
      const file = path.join(tempDir, name);
      if (!keep.has(file)) rmSync(file, { recursive: true, force: true });
    }
    if (keep.size === 0) rmSync(tempDir, { recursive: true, force: true });
    unregister();
  }
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
      if (name === '--version' || name === '-V' || name === 'version') {
        process.stdout.write(`${versionText()}\n`);
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
