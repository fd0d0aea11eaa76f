/**
 * Names the dependency a profiled frame belongs to, with its installed version, so a library's
 * frame reads `tinybench@6.2.5 dist/index.js:428` rather than passing for the project's own code.
 * The split of a path is pure (`dependencyOf`); the version is read from the package's own
 * `package.json` beside it (Go module paths carry theirs).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dependencyOf } from '../../core/profile/diff';
import type { StackProfile } from '../../core/profile/types';

/**
 * Tags the frames of `profile` that lie in a dependency, in place: `package` becomes `name@version`
 * (just the name when no version can be read) and `file` the path inside the package. Relative
 * files are resolved against `checkout`.
 */
export function tagDependencies(profile: StackProfile, checkout: string, cache = new Map<string, string>()): void {
  for (const frame of profile.frames) {
    if (frame.package || !frame.file) continue;
    const dep = dependencyOf(frame.file);
    if (!dep) continue;
    const absolute = path.isAbsolute(frame.file) ? frame.file : path.join(checkout, frame.file);
    const root = absolute.slice(0, absolute.length - dep.file.length);
    frame.package = dep.package.includes('@v') ? dep.package : versioned(dep.package, root, cache);
    frame.file = dep.file;
  }
}

function versioned(name: string, root: string, cache: Map<string, string>): string {
  const cached = cache.get(root);
  if (cached !== undefined) return cached;
  let tag = name;
  try {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string' && /^[\w.+-]{1,64}$/.test(pkg.version)) tag = `${name}@${pkg.version}`;
  } catch {
    // No readable package.json: the name alone.
  }
  cache.set(root, tag);
  return tag;
}
