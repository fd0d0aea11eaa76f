/**
 * Git: resolve the two commits to compare and check each out into its own worktree.
 *
 * The worktrees live side by side at paths of equal length (`…/perfgate/base`,
 * `…/perfgate/head`), so path lengths cannot shift memory layout or argv sizes between sides.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import picomatch from 'picomatch';
import type { Revision } from '../core/model';

const execFileAsync = promisify(execFile);

/** A git command failed; the message carries git's own words. */
export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

/** Runs git in `cwd` and returns its trimmed stdout. */
export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new GitError(`git ${args.join(' ')} failed in ${cwd}: ${(e.stderr || e.message).trim()}`);
  }
}

async function hasCommit(repo: string, rev: string): Promise<boolean> {
  try {
    await git(repo, ['cat-file', '-e', `${rev}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves `rev` to a full SHA, fetching it from `origin` when the (usually depth-1) checkout
 * lacks it. A SHA is fetched directly; a branch name is fetched as `origin/NAME`.
 */
export async function resolveCommit(repo: string, rev: string): Promise<string> {
  if (await hasCommit(repo, rev)) return git(repo, ['rev-parse', `${rev}^{commit}`]);
  if (await hasCommit(repo, `origin/${rev}`)) return git(repo, ['rev-parse', `origin/${rev}^{commit}`]);
  const remotes = await git(repo, ['remote']);
  if (remotes.split('\n').includes('origin')) {
    try {
      await git(repo, ['fetch', '--no-tags', '--depth=1', 'origin', rev]);
      return git(repo, ['rev-parse', 'FETCH_HEAD^{commit}']);
    } catch (error) {
      throw new GitError(
        `cannot find the commit "${rev}" locally or fetch it from origin (${(error as Error).message}). ` +
          'Check the "base" input, or use actions/checkout with fetch-depth: 0.',
      );
    }
  }
  throw new GitError(`cannot find the commit "${rev}" and the repository has no "origin" remote to fetch it from`);
}

/** The facts of the triggering event that decide the default base (from GITHUB_EVENT_PATH). */
export interface EventFacts {
  eventName: string;
  /** pull_request.base.sha / pull_request.base.ref */
  prBaseSha?: string;
  prBaseRef?: string;
  /** pull_request.head.sha: the PR's own head commit (the workspace holds the merge commit). */
  prHeadSha?: string;
  /** workflow_run.head_sha: the commit whose workflow produced the artifact (report mode). */
  workflowRunHeadSha?: string;
  /** push: the commit before the push. */
  pushBefore?: string;
}

/**
 * Chooses base and head: head is the workspace's HEAD (for a PR, the merge commit GitHub made);
 * base is the explicit `base` input, else the PR's base SHA, else the push's `before`, else HEAD~1.
 */
export async function resolveRevisions(
  repo: string,
  explicitBase: string | null,
  event: EventFacts,
): Promise<{ base: Revision; head: Revision }> {
  const headSha = await git(repo, ['rev-parse', 'HEAD']);
  let headRef: string | undefined;
  try {
    headRef = (await git(repo, ['symbolic-ref', '--short', '-q', 'HEAD'])) || undefined;
  } catch {
    headRef = undefined;
  }
  let baseRev: string;
  let baseRef: string | undefined;
  if (explicitBase) {
    baseRev = explicitBase;
    baseRef = explicitBase;
  } else if (event.prBaseSha) {
    baseRev = event.prBaseSha;
    baseRef = event.prBaseRef;
  } else if (event.pushBefore && !/^0+$/.test(event.pushBefore)) {
    baseRev = event.pushBefore;
  } else {
    baseRev = 'HEAD~1';
    if (!(await hasCommit(repo, 'HEAD~1'))) {
      await git(repo, ['fetch', '--no-tags', '--deepen=1', 'origin']).catch(() => undefined);
    }
  }
  const baseSha = await resolveCommit(repo, baseRev);
  return { base: { sha: baseSha, ref: baseRef }, head: { sha: headSha, ref: headRef } };
}

/** Two worktrees of equal path length, and how to remove them. */
export interface Checkouts {
  base: string;
  head: string;
  remove(): Promise<void>;
}

/**
 * Checks base and head out into `root/base` and `root/head` (detached worktrees), with
 * submodules when the repository has them.
 */
export async function addWorktrees(repo: string, root: string, base: Revision, head: Revision): Promise<Checkouts> {
  mkdirSync(root, { recursive: true });
  const dirs = { base: path.join(root, 'base'), head: path.join(root, 'head') };
  for (const side of ['base', 'head'] as const) {
    const dir = dirs[side];
    if (existsSync(dir)) {
      await git(repo, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
    await git(repo, ['worktree', 'add', '--detach', '--force', dir, side === 'base' ? base.sha : head.sha]);
    if (existsSync(path.join(dir, '.gitmodules'))) {
      await git(dir, ['submodule', 'update', '--init', '--recursive', '--depth=1']);
    }
  }
  return {
    ...dirs,
    async remove() {
      for (const dir of [dirs.base, dirs.head]) {
        await git(repo, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
      await git(repo, ['worktree', 'prune']).catch(() => undefined);
    },
  };
}

/** Whether the working tree has uncommitted changes (they are not measured: worktrees check out commits). */
export async function isDirty(repo: string): Promise<boolean> {
  return (await git(repo, ['status', '--porcelain', '--untracked-files=no'])) !== '';
}

/** What `copyFromHead` did. */
export interface CopiedFromHead {
  /** Files written into the base checkout (head's versions). */
  copied: number;
  /** Base files matched by the patterns but absent on head, removed from the base checkout. */
  removed: number;
}

/** Whether `file` (a repository path) is selected by a `bench-from-head` entry: a path (file or directory) or a glob. */
function selector(entry: string): (file: string) => boolean {
  if (/[*?[\]{}!]/.test(entry)) return picomatch(entry, { dot: true });
  const dir = entry.replace(/\/+$/, '');
  return (file) => file === dir || file.startsWith(`${dir}/`);
}

/**
 * Makes the base checkout hold head's version of every tracked file the entries select (and none
 * of base's own files there that head does not have), so both builds run head's benchmark code
 * against their own library code. Throws `GitError` naming an entry that selects no file on head
 * (a typo would otherwise silently compare base's benchmarks).
 */
export async function copyFromHead(
  checkouts: { base: string; head: string },
  entries: string[],
): Promise<CopiedFromHead> {
  const select = entries.map((e) => ({ entry: e, test: selector(e) }));
  const tracked = async (dir: string) => (await git(dir, ['ls-files', '-z'])).split('\0').filter(Boolean);
  const headFiles = (await tracked(checkouts.head)).filter((f) => select.some((s) => s.test(f)));
  const unmatched = select.filter((s) => !headFiles.some((f) => s.test(f))).map((s) => `"${s.entry}"`);
  if (unmatched.length > 0) {
    throw new GitError(
      `bench-from-head: ${unmatched.join(', ')} ${unmatched.length === 1 ? 'selects' : 'select'} no file tracked in the head commit. ` +
        'Give paths relative to the repository root (a directory like "bench/", a file, or a glob like "**/*.bench.ts").',
    );
  }
  const onHead = new Set(headFiles);
  let removed = 0;
  for (const file of await tracked(checkouts.base)) {
    if (!onHead.has(file) && select.some((s) => s.test(file))) {
      rmSync(path.join(checkouts.base, file), { force: true });
      removed++;
    }
  }
  for (const file of headFiles) {
    const from = path.join(checkouts.head, file);
    const to = path.join(checkouts.base, file);
    mkdirSync(path.dirname(to), { recursive: true });
    rmSync(to, { force: true, recursive: true });
    const stat = lstatSync(from);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (stat.isDirectory())
      cpSync(from, to, { recursive: true }); // a submodule
    else copyFileSync(from, to); // keeps the file mode (an executable script stays executable)
  }
  return { copied: headFiles.length, removed };
}
