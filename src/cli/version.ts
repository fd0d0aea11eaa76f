/**
 * `perfgate --version`: the package's version and the commit it was built from, so a report can be
 * matched with the code that wrote it. The commit is found where the install left it: a clone's
 * git metadata, or, for `npm i github:OWNER/perfgate#v1` and `npx github:…`, the `resolved` URL
 * npm records for the package in the installing project's lockfile (`…perfgate.git#<sha>`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from '../../package.json';

/** The package's root: two levels above this module, in `src/cli/` as in the bundle's `dist/cli/`. */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The commit the package at `root` came from, when its install recorded one. */
export function installedCommit(root: string): string | null {
  if (existsSync(path.join(root, '.git'))) {
    try {
      return execFileSync('git', ['rev-parse', 'HEAD'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      // Not a readable repository: look further.
    }
  }
  // <project>/node_modules/<name>: npm's hidden lockfile, then the project's own.
  const modules = path.dirname(root);
  if (path.basename(modules) !== 'node_modules') return null;
  const key = `node_modules/${path.basename(root)}`;
  for (const lock of [
    path.join(modules, '.package-lock.json'),
    path.join(path.dirname(modules), 'package-lock.json'),
  ]) {
    const data = readJson(lock) as { packages?: Record<string, { resolved?: unknown }> } | null;
    const resolved = data?.packages?.[key]?.resolved;
    const sha = typeof resolved === 'string' ? /#([0-9a-f]{40})$/.exec(resolved)?.[1] : undefined;
    if (sha) return sha;
  }
  return null;
}

/** `perfgate 1.2.0 (commit 0123456789ab…)`. */
export function versionText(root = packageRoot()): string {
  const commit = installedCommit(root);
  return `perfgate ${pkg.version} (${commit ? `commit ${commit}` : 'commit unknown: not installed from git'})`;
}
