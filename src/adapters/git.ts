/**
 * Git: resolve the two commits to compare and check each out into its own worktree.
 *
 * The worktrees live side by side at paths of equal length (`…/perfgate/base`,
 * `…/perfgate/head`), so path lengths cannot shift memory layout or argv sizes between sides.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Revision } from '../core/model';
import { onExitUndo } from './lifetime';

const execFileAsync = promisify(execFile);

/** A git command failed; the message carries git's own words. */
export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

/** Runs git in `cwd` and returns its trimmed stdout; on abort, git is stopped and the abort reason thrown. */
export async function git(cwd: string, args: string[], signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted();
  try {
    const { stdout } = await execFileAsync('git', args, { cwd, maxBuffer: 64 * 1024 * 1024, signal });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string; signal?: string };
    // A terminal's Ctrl-C reaches git (same process group) as it reaches perfgate: give the
    // cancellation a moment to register, so it is reported as such and not as a git failure.
    if (signal && (e.signal === 'SIGINT' || e.signal === 'SIGTERM') && !signal.aborted)
      await new Promise((resolve) => setTimeout(resolve, 200));
    signal?.throwIfAborted();
    throw new GitError(`git ${args.join(' ')} failed in ${cwd}: ${(e.stderr || e.message).trim()}`);
  }
}

async function hasCommit(repo: string, rev: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await git(repo, ['cat-file', '-e', `${rev}^{commit}`], signal);
    return true;
  } catch {
    signal?.throwIfAborted();
    return false;
  }
}

/**
 * Resolves `rev` to a full SHA, fetching it from `origin` when the (usually depth-1) checkout
 * lacks it. A SHA is fetched directly; a branch name is fetched as `origin/NAME`.
 */
export async function resolveCommit(repo: string, rev: string, signal?: AbortSignal): Promise<string> {
  if (await hasCommit(repo, rev, signal)) return git(repo, ['rev-parse', `${rev}^{commit}`], signal);
  if (await hasCommit(repo, `origin/${rev}`, signal)) return git(repo, ['rev-parse', `origin/${rev}^{commit}`], signal);
  const remotes = await git(repo, ['remote'], signal);
  if (remotes.split('\n').includes('origin')) {
    try {
      await git(repo, ['fetch', '--no-tags', '--depth=1', 'origin', rev], signal);
      return await git(repo, ['rev-parse', 'FETCH_HEAD^{commit}'], signal);
    } catch (error) {
      signal?.throwIfAborted();
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
  signal?: AbortSignal,
): Promise<{ base: Revision; head: Revision }> {
  const headSha = await git(repo, ['rev-parse', 'HEAD'], signal);
  let headRef: string | undefined;
  try {
    headRef = (await git(repo, ['symbolic-ref', '--short', '-q', 'HEAD'], signal)) || undefined;
  } catch {
    signal?.throwIfAborted();
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
    if (!(await hasCommit(repo, 'HEAD~1', signal))) {
      await git(repo, ['fetch', '--no-tags', '--deepen=1', 'origin'], signal).catch(() => signal?.throwIfAborted());
    }
  }
  const baseSha = await resolveCommit(repo, baseRev, signal);
  return { base: { sha: baseSha, ref: baseRef }, head: { sha: headSha, ref: headRef } };
}

/** Two worktrees of equal path length, and how to remove them. */
export interface Checkouts {
  base: string;
  head: string;
  remove(): Promise<void>;
}

/**
 * Removes a worktree synchronously, whatever state it is in (half-created and still locked by an
 * interrupted `git worktree add`, or with its directory already gone), and drops git's record
 * of it. Used on every exit path, including the last-resort cleanup of a cancelled run.
 */
export function removeWorktreeSync(repo: string, dir: string): void {
  const run = (args: string[]) => spawnSync('git', args, { cwd: repo, stdio: 'ignore', timeout: 30_000 });
  run(['worktree', 'remove', '--force', '--force', dir]);
  rmSync(dir, { recursive: true, force: true });
  run(['worktree', 'unlock', dir]);
  run(['worktree', 'prune']);
}

/**
 * Checks base and head out into `root/base` and `root/head` (detached worktrees), with
 * submodules when the repository has them. Whatever happens — a failure, an abort, the process
 * exiting — no worktree is left behind: a failed or aborted checkout removes what it created, and
 * the worktrees are registered for the last-resort cleanup until `remove` is called.
 */
export async function addWorktrees(
  repo: string,
  root: string,
  base: Revision,
  head: Revision,
  signal?: AbortSignal,
): Promise<Checkouts> {
  mkdirSync(root, { recursive: true });
  const dirs = { base: path.join(root, 'base'), head: path.join(root, 'head') };
  const removeAll = () => {
    for (const dir of [dirs.base, dirs.head]) removeWorktreeSync(repo, dir);
    try {
      rmdirSync(root); // only when empty: the results may live next to it
    } catch {
      // not empty, or gone
    }
  };
  const unregister = onExitUndo(removeAll);
  try {
    for (const side of ['base', 'head'] as const) {
      const dir = dirs[side];
      if (existsSync(dir)) removeWorktreeSync(repo, dir);
      await git(repo, ['worktree', 'add', '--detach', '--force', dir, side === 'base' ? base.sha : head.sha], signal);
      if (existsSync(path.join(dir, '.gitmodules'))) {
        await git(dir, ['submodule', 'update', '--init', '--recursive', '--depth=1'], signal);
      }
    }
  } catch (error) {
    removeAll();
    unregister();
    throw error;
  }
  return {
    ...dirs,
    async remove() {
      removeAll();
      unregister();
    },
  };
}

/** Whether the working tree has uncommitted changes (they are not measured: worktrees check out commits). */
export async function isDirty(repo: string): Promise<boolean> {
  return (await git(repo, ['status', '--porcelain', '--untracked-files=no'])) !== '';
}

/** A checkout's tracked files, listed once (see `trackedState`). */
export interface TrackedFiles {
  dir: string;
  /** The worktree's own git directory (its HEAD and index). */
  gitDir: string;
  /** Paths of the tracked files, relative to `dir`. */
  files: string[];
}

/** Lists what `trackedState` watches in a checkout: its tracked files, HEAD and index. */
export async function listTracked(dir: string, signal?: AbortSignal): Promise<TrackedFiles> {
  const files = (await git(dir, ['ls-files', '-z'], signal)).split('\0').filter(Boolean);
  const gitDir = await git(dir, ['rev-parse', '--absolute-git-dir'], signal);
  return { dir, gitDir, files };
}

/**
 * A fingerprint of a checkout's tracked state, taken in this process (no git process per call):
 * per tracked file its size, modification and change times and inode, plus the worktree's HEAD
 * and index. Writing a file, replacing it, deleting it, checking out another commit or staging
 * something changes it; the change time cannot be set back from user space.
 */
export function trackedState(tracked: TrackedFiles): Map<string, string> {
  const state = new Map<string, string>();
  const key = (file: string) => {
    try {
      const st = lstatSync(file, { throwIfNoEntry: false });
      return st ? `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}` : 'gone';
    } catch (error) {
      return `unreadable: ${(error as NodeJS.ErrnoException).code}`; // e.g. a directory replaced it
    }
  };
  let head: string;
  try {
    head = readFileSync(path.join(tracked.gitDir, 'HEAD'), 'utf8');
  } catch {
    head = 'gone';
  }
  state.set('HEAD', head);
  state.set('index', key(path.join(tracked.gitDir, 'index')));
  for (const file of tracked.files) state.set(file, key(path.join(tracked.dir, file)));
  return state;
}

/** The entries (tracked paths, `HEAD`, `index`) whose fingerprint differs between two states. */
export function changedEntries(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
}

/**
 * Whether the repository's git config holds an HTTP authorization header — where
 * actions/checkout keeps the token unless `persist-credentials: false`. The worktrees share that
 * config, so code under test could read it.
 */
export function hasPersistedCredentials(repo: string): boolean {
  const out = spawnSync('git', ['config', '--get-regexp', '^http\\..*\\.extraheader$'], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return out.status === 0 && out.stdout.trim() !== '';
}
