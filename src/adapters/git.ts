/**
 * Git: resolve the two commits to compare and check each out into its own worktree.
 *
 * The worktrees live side by side at paths of equal length (`…/perfgate/base`,
 * `…/perfgate/head`), so path lengths cannot shift memory layout or argv sizes between sides.
 */
import { execFile, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import picomatch from 'picomatch';
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

/** Whether the repository has a remote named `origin` to fetch from. */
async function hasOrigin(repo: string): Promise<boolean> {
  return (await git(repo, ['remote'])).split('\n').includes('origin');
}

/** Whether the clone is shallow (actions/checkout's default depth of 1). */
export async function isShallow(repo: string): Promise<boolean> {
  return (await git(repo, ['rev-parse', '--is-shallow-repository'])) === 'true';
}

/** The commit checked out in the workspace, with its branch name when HEAD is on one. */
export async function workspaceHead(repo: string): Promise<Revision> {
  const sha = await git(repo, ['rev-parse', 'HEAD']);
  let ref: string | undefined;
  try {
    ref = (await git(repo, ['symbolic-ref', '--short', '-q', 'HEAD'])) || undefined;
  } catch {
    ref = undefined;
  }
  return { sha, ref };
}

/**
 * The first parent of `sha`, deepening a shallow clone by one commit when it lacks it; null when
 * `sha` is a root commit (or its parent cannot be had).
 */
export async function parentOf(repo: string, sha: string): Promise<string | null> {
  if (!(await hasCommit(repo, `${sha}^`)) && (await hasOrigin(repo))) {
    await git(repo, ['fetch', '--no-tags', '--deepen=1', 'origin']).catch(() => undefined);
  }
  return (await hasCommit(repo, `${sha}^`)) ? git(repo, ['rev-parse', `${sha}^`]) : null;
}

/** Commits reachable from `head` but not from `base`; undefined when a shallow clone cannot tell. */
export async function commitCount(repo: string, base: string, head: string): Promise<number | undefined> {
  if (await isShallow(repo)) return undefined;
  const n = Number(await git(repo, ['rev-list', '--count', `${base}..${head}`]).catch(() => ''));
  return Number.isInteger(n) ? n : undefined;
}

/** A tag and the committer date of the commit it names. */
export interface TagInfo {
  name: string;
  /** Committer date of the tagged commit, Unix seconds. */
  date: number;
}

/**
 * Every tag whose commit is reachable from `head` (`git for-each-ref --merged`). Tags and, in a
 * shallow clone, the whole history are fetched from origin first: reachability needs the commits
 * between a tag and the head.
 */
export async function reachableTags(repo: string, head: string): Promise<TagInfo[]> {
  if (await hasOrigin(repo)) {
    const shallow = await isShallow(repo);
    try {
      await git(repo, ['fetch', '--quiet', '--tags', '--force', ...(shallow ? ['--unshallow'] : []), 'origin']);
    } catch (error) {
      if (shallow) {
        throw new GitError(
          `cannot fetch the history and tags needed to find the latest tag (${(error as Error).message}). ` +
            'Use actions/checkout with fetch-depth: 0, or set "base" to a tag name.',
        );
      }
      // A full clone already holds the tags it was cloned with; go on with those.
    }
  }
  const format = '%(refname:strip=2)%09%(committerdate:unix)%09%(*committerdate:unix)';
  const lines = await git(repo, ['for-each-ref', `--merged=${head}`, `--format=${format}`, 'refs/tags']);
  return lines
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [name, own, peeled] = l.split('\t');
      // Annotated tags carry the commit date on the peeled object (`*committerdate`).
      return { name, date: Number(peeled || own) || 0 };
    });
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

/** What `copyFromHead` did. */
export interface CopiedFromHead {
  /** Files written into the base checkout (head's versions). */
  copied: number;
  /** Base files matched by the patterns but absent on head, removed from the base checkout. */
  removed: number;
  /** The files copied that the base commit does not have (repository paths): benchmark code new on head. */
  newOnHead: string[];
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
  const baseFiles = await tracked(checkouts.base);
  const onBase = new Set(baseFiles);
  let removed = 0;
  for (const file of baseFiles) {
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
  return { copied: headFiles.length, removed, newOnHead: headFiles.filter((f) => !onBase.has(f)) };
}

/** A worktree's own git directory (its HEAD and index), outside the checkout. */
export async function gitDirOf(dir: string, signal?: AbortSignal): Promise<string> {
  return git(dir, ['rev-parse', '--absolute-git-dir'], signal);
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
