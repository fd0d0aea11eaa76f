/**
 * Which suites are new on head, decided before anything is measured, from evidence about base's
 * own configuration — never guessed from how a suite fails. A suite is new (measured on head only,
 * its metrics `added`) only when:
 *
 * - the suites come from the config file, and that file at the base commit does not list it (or
 *   does not exist there, when base is the commit the event names: a PR, merge group or push
 *   that introduces perfgate);
 * - the suites are the workflow's `suites` input, and base's version of the same workflow file
 *   (GITHUB_WORKFLOW_REF), in the same job, has perfgate steps none of which lists it (or has no
 *   such job or step, under the same condition as above);
 * - with `bench-from-head`, when base's configuration cannot be established: the suite's command
 *   names a file the `bench-from-head` entries select that head has and base does not.
 *
 * When none of this holds, the suite runs on both sides, and a failure on base is an error that
 * names the side, the exit status and the output: no evidence, no pass. Suites of base's
 * configuration that head no longer has are named in the report.
 */
import path from 'node:path';
import { parse } from 'yaml';
import { git } from '../adapters/git';
import type { Revision } from '../core/model';
import type { Settings } from '../settings/settings';
import type { Suite } from '../settings/suites';
import type { RunContext } from './io';

/** What base's configuration says about the suites. */
export interface BaseSuites {
  /** The suite names base's configuration lists; null when it cannot be established. */
  names: ReadonlySet<string> | null;
  /** Where they were read, for messages (`.github/perfgate.yml at 1234567`), or why they are unknown. */
  source: string;
  /** Base's configuration is one list (the config file, or one perfgate step): suites head dropped can be named. */
  single: boolean;
}

const DEFAULT_CONFIG = '.github/perfgate.yml';

/** A file at a commit, or null when the commit has no such file. `file` is relative to the repository root. */
async function fileAt(repo: string, sha: string, file: string, relativeToCwd: boolean): Promise<string | null> {
  const spec = `${sha}:${relativeToCwd ? `./${file.replace(/^\.\/+/, '')}` : file}`;
  try {
    await git(repo, ['cat-file', '-e', spec]);
  } catch {
    return null;
  }
  return git(repo, ['show', spec]);
}

/** The names of a parsed `suites:` list; null when it is not one. */
function namesOf(list: unknown): string[] | null {
  if (list && typeof list === 'object' && !Array.isArray(list) && 'suites' in list)
    return namesOf((list as { suites: unknown }).suites);
  if (!Array.isArray(list)) return null;
  const names = list.map((s) => (s && typeof s === 'object' && 'name' in s ? s.name : undefined));
  return names.every((n): n is string => typeof n === 'string') ? names : null;
}

function parseYaml(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

/** A literal value of the workflow (no `${{ … }}` expression in it), or null. */
function literal(value: unknown): string | null {
  return typeof value === 'string' && !value.includes('${{') ? value : null;
}

/** Whether a step's `uses:` is this action (`OWNER/perfgate@v1`, a path below it, or `./` for a local action). */
function isThisAction(uses: unknown, actionRepository: string | undefined): boolean {
  if (typeof uses !== 'string') return false;
  if (!actionRepository) return uses.startsWith('./');
  const repo = actionRepository.toLowerCase();
  const u = uses.toLowerCase();
  return u.startsWith(`${repo}@`) || u.startsWith(`${repo}/`);
}

type Found = { names: string[] | null; source: string; single: boolean } | { none: string };

/** The suites of the config file at base. */
async function fromConfigFile(repo: string, base: Revision, file: string): Promise<Found> {
  const at = `${file} at ${base.sha.slice(0, 7)}`;
  const text = await fileAt(repo, base.sha, file, true);
  if (text === null) return { none: `base has no ${file}` };
  const names = namesOf(parseYaml(text));
  return { names, source: names ? at : `${at} (its "suites:" could not be read)`, single: true };
}

/** The suites of this job's perfgate steps in base's version of the workflow file. */
async function fromWorkflow(repo: string, base: Revision, context: RunContext): Promise<Found> {
  const ref = context.workflowRef;
  const file = ref ? ref.split('@')[0].split('/').slice(2).join('/') : '';
  if (!file)
    return { names: null, source: 'the workflow file is not known (GITHUB_WORKFLOW_REF is not set)', single: false };
  const at = `job "${context.job}" of ${file} at ${base.sha.slice(0, 7)}`;
  const text = await fileAt(repo, base.sha, file, false);
  if (text === null) return { none: `base has no ${file}` };
  const doc = parseYaml(text) as { jobs?: Record<string, { steps?: unknown; uses?: unknown }> } | undefined;
  const job = doc?.jobs?.[context.job];
  if (!job) return { none: `base's ${file} has no job "${context.job}"` };
  if (!Array.isArray(job.steps)) return { names: null, source: `${at} (its steps could not be read)`, single: false };
  const steps = (job.steps as { uses?: unknown; with?: Record<string, unknown> }[]).filter((s) =>
    isThisAction(s?.uses, context.actionRepository),
  );
  if (steps.length === 0) return { none: `${at} has no perfgate step` };
  const names: string[] = [];
  let lists = 0;
  for (const step of steps) {
    const suites = step.with?.suites;
    if (suites !== undefined && suites !== '') {
      const found = literal(suites) === null ? null : namesOf(parseYaml(suites as string));
      if (!found) return { names: null, source: `${at} (its "suites" input could not be read)`, single: false };
      names.push(...found);
      lists++;
      continue;
    }
    const config = step.with?.config === undefined ? DEFAULT_CONFIG : literal(step.with.config);
    if (config === null) return { names: null, source: `${at} (its "config" input is an expression)`, single: false };
    const fromFile = await fromConfigFile(repo, base, config);
    if ('none' in fromFile) continue;
    if (!fromFile.names) return { ...fromFile, single: false };
    names.push(...fromFile.names);
    lists++;
  }
  if (lists === 0) return { none: `${at} has no suites` };
  return { names, source: steps.length === 1 ? at : `${at} (${steps.length} perfgate steps)`, single: lists === 1 };
}

/**
 * Reads base's configuration. `repo`: the repository (the config path is relative to it, as the
 * `config` input is). When base has no configuration at all, its suites are none when base is the
 * commit the event names (the change introduces them), and unknown when the `base` input chose it
 * (an older release compared with head's suites: they may well exist there).
 */
export async function readBaseSuites(
  settings: Settings,
  repo: string,
  base: Revision,
  context: RunContext,
): Promise<BaseSuites> {
  const inline = settings.suitesSource === 'input "suites"';
  let found: Found;
  try {
    found = inline ? await fromWorkflow(repo, base, context) : await fromConfigFile(repo, base, settings.suitesSource);
  } catch (error) {
    return {
      names: null,
      source: `base's configuration could not be read: ${(error as Error).message}`,
      single: false,
    };
  }
  if ('none' in found)
    return settings.base === null
      ? { names: new Set(), source: found.none, single: true }
      : { names: null, source: `${found.none} (the "base" input chose it)`, single: false };
  return { names: found.names ? new Set(found.names) : null, source: found.source, single: found.single };
}

/** Path-like words of a suite's commands and directories, relative to the repository root. */
function pathsNamed(suite: Suite): string[] {
  const text = [suite.kind === 'http' ? suite.server : suite.run, suite.kind === 'harness' ? suite.output : '']
    .filter(Boolean)
    .join(' ');
  const cwd = suite.cwd ?? '.';
  return text
    .split(/[\s'"`;&|()<>=]+/)
    .filter((w) => w && !w.startsWith('-') && !w.startsWith('$'))
    .map((w) => path.posix.normalize(path.posix.join(cwd, w)))
    .filter((p) => !p.startsWith('..') && !path.posix.isAbsolute(p));
}

/** Why each suite is new on head (suite name → reason), from base's configuration and `bench-from-head`. */
export function newOnHead(
  suites: readonly Suite[],
  base: BaseSuites,
  /** Files `bench-from-head` selects that head has and base does not (repository paths). */
  newBenchFiles: readonly string[],
): Map<string, string> {
  const out = new Map<string, string>();
  const added = new Set(newBenchFiles);
  for (const suite of suites) {
    if (base.names) {
      if (!base.names.has(suite.name)) out.set(suite.name, `base's configuration (${base.source}) does not list it`);
      continue;
    }
    const file = pathsNamed(suite).find((p) => added.has(p));
    if (file) out.set(suite.name, `its file ${file} (bench-from-head) is new on head`);
  }
  return out;
}

/** Suites base's configuration lists that head's does not (only when base's is one list). */
export function droppedOnHead(settings: Settings, base: BaseSuites): string[] {
  if (!base.names || !base.single) return [];
  const onHead = new Set(settings.suites.map((s) => s.name));
  return [...base.names].filter((n) => !onHead.has(n));
}
