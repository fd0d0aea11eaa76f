/**
 * ARCHITECTURE.md checked against the code: every file it names exists, every function or table
 * it names next to a file is in that file, and every npm script it names is in package.json.
 * Moving or renaming what the guide points at fails here until the guide follows.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const guide = readFileSync(path.join(root, 'ARCHITECTURE.md'), 'utf8');

/** A path as the guide writes it: from the repository root, or from src/. */
function resolve(file: string): string | null {
  const clean = file.replace(/[<*].*$/, ''); // a placeholder or a glob: its folder
  for (const candidate of [path.join(root, clean), path.join(root, 'src', clean)])
    if (existsSync(candidate)) return candidate;
  return null;
}

const PATH =
  /`((?:src\/|__tests__\/|scripts\/|adapters\/|app\/|core\/|settings\/|cli\/)[^`\s]*|[\w.-]+\.(?:ts|json|md))`/g;

describe('ARCHITECTURE.md', () => {
  it('names files that exist', () => {
    const files = [...guide.matchAll(PATH)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(30);
    expect(files.filter((f) => resolve(f) === null)).toEqual([]);
  });

  it('names functions and tables where they are', () => {
    const pairs = [...guide.matchAll(/`([\w./-]+\.ts)` `(\w+)`/g)].map((m) => [m[1], m[2]] as const);
    expect(pairs.length).toBeGreaterThan(10);
    const missing = pairs.filter(([file, name]) => {
      const at = resolve(file);
      return !at || !new RegExp(`\\b${name}\\b`).test(readFileSync(at, 'utf8'));
    });
    expect(missing).toEqual([]);
  });

  it('names npm scripts that exist', () => {
    const scripts = Object.keys(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts);
    const named = [...guide.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(named.filter((s) => !scripts.includes(s))).toEqual([]);
  });
});
