/**
 * The CLI as users get it: `npm pack` of this repository installed into a fresh project, and the
 * repository itself installed as a git dependency pinned to a tag (what
 * `npm i -D github:OWNER/perfgate#v1` and `npx --yes github:OWNER/perfgate#v1` do). Both run
 * with `--offline` and an empty npm cache: the package has no runtime dependencies (the bundle in
 * dist/cli carries them) and no script that would make npm install dev dependencies first.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../helpers/repo';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'perfgate-package-'));
const cache = path.join(scratch, 'npm-cache');

/** The environment of a user's shell: without the npm_* variables `npm test` sets for its scripts. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))) as NodeJS.ProcessEnv;

async function npm(cwd: string, ...args: string[]) {
  return run('npm', [...args, '--cache', cache, '--no-audit', '--no-fund', '--offline'], { cwd, env });
}

async function perfgate(bin: string, cwd: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(bin, args, { cwd, env });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout + e.stderr };
  }
}

/** An empty user project. */
function project(name: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "user-project", "version": "1.0.0", "private": true }\n');
  return dir;
}

/** perfgate's json format: one replicate of `parse` taking `ms` milliseconds. */
function replicate(dir: string, name: string, ms: number): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      benchmarks: [{ name: 'parse', metrics: [{ name: 'time', value: ms, unit: 'ms', direction: 'lower' }] }],
    }),
  );
  return file;
}

let tarball: string;
beforeAll(async () => {
  if (!existsSync(path.join(root, 'dist', 'cli', 'index.js')))
    throw new Error('dist/cli/index.js is missing: run `npm run bundle` first');
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, env });
  const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = path.join(scratch, packed.filename);
  // What is published: the bin and the CLI bundle (and npm's own README, LICENSE, package.json).
  expect(packed.files.map((f) => f.path).filter((p) => !p.startsWith('dist/cli/'))).toEqual([
    'LICENSE',
    'README.md',
    'bin/perfgate.js',
    'package.json',
  ]);
}, 180_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packed CLI', () => {
  it('installs offline into a fresh project, prints its usage and compares result files', async () => {
    const dir = project('from-tarball');
    await npm(dir, 'install', '--save-dev', tarball);
    expect(readdirSync(path.join(dir, 'node_modules'))).toEqual(['.bin', '.package-lock.json', 'perfgate']);
    const bin = path.join(dir, 'node_modules', '.bin', 'perfgate');

    const help = await perfgate(bin, dir, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('perfgate compare');

    const base = [10.0, 10.1, 9.9, 10.05].map((ms, i) => replicate(dir, `base-${i}.json`, ms));
    const head = [15.0, 15.2, 14.9, 15.1].map((ms, i) => replicate(dir, `head-${i}.json`, ms));
    const compared = await perfgate(bin, dir, 'compare', '--format', 'json', '--base', ...base, '--head', ...head);
    expect(compared.code, compared.stdout).toBe(1);
    expect(compared.stdout).toContain('parse:time');
  }, 180_000);
});

describe('the CLI from the action repository, pinned to a tag', () => {
  it('installs offline as a git dependency (no dev install, no build) and runs through npx', async () => {
    // The repository as a tag holds it: sources plus the committed bundle.
    const repo = path.join(scratch, 'perfgate-repo');
    cpSync(root, repo, {
      recursive: true,
      filter: (src) => !/[/\\](node_modules|\.git)$/.test(src),
    });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.email=t@example.invalid', '-c', 'user.name=t', 'commit', '-qm', 'release');
    git(repo, 'tag', 'v1');
    const spec = `git+file://${repo}#v1`;

    const dir = project('from-git');
    await npm(dir, 'install', '--save-dev', spec);
    const help = await perfgate(path.join(dir, 'node_modules', '.bin', 'perfgate'), dir, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('perfgate run');
    // `--version` names the commit the tag points at, from the lockfile npm wrote.
    const version = await perfgate(path.join(dir, 'node_modules', '.bin', 'perfgate'), dir, '--version');
    expect(version.stdout).toContain(`(commit ${git(repo, 'rev-parse', 'v1')})`);

    const { stdout } = await npm(project('npx'), 'exec', '--yes', `--package=${spec}`, '--', 'perfgate', '--help');
    expect(stdout).toContain('perfgate compare');
  }, 300_000);
});
