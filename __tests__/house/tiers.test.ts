/**
 * The unit tier is the inner loop: it starts no process, git, server or browser (those tests are
 * `integration`, `e2e` or `slow`; see vitest.config.ts). Checked from the imports of every unit
 * test file and of the test helpers it imports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../vitest.config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What changes state shared by the unit files (they run in threads without isolation). */
const SHARED_STATE =
  /\bvi\.(mock|doMock|stubEnv|stubGlobal|useFakeTimers|spyOn)\(|process\.chdir\(|process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete process\.env/;

/** Imports that start a process, git, a server or a browser (or hand a test one). */
const STARTS = [
  /^node:(child_process|http|https|net|worker_threads)$/,
  /^playwright-core$/,
  /\/helpers\/(repo|fake-github|action|events|procs)$/,
  /\/http\/helpers$/,
  /\/src\/adapters\/(process|git|lifetime|http\/server|http\/load|http\/replicate|http\/soak|github)(\/index)?$/,
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

/** The file's imports, following relative imports of test helpers (not of src). */
function reach(file: string, seen = new Set<string>()): { from: string; spec: string }[] {
  if (seen.has(file)) return [];
  seen.add(file);
  return importsOf(file).flatMap((spec) => {
    const own = [{ from: file, spec }];
    if (!spec.startsWith('.')) return own;
    const target = path.resolve(path.dirname(file), spec);
    if (!target.startsWith(path.join(root, '__tests__'))) return own;
    const resolved = [`${target}.ts`, path.join(target, 'index.ts')].find((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
    return resolved ? [...own, ...reach(resolved, seen)] : own;
  });
}

describe('the unit tier', () => {
  const isUnit = picomatch(TIERS.unit.include);
  const notUnit = picomatch(TIERS.unit.exclude);
  const unit = files(path.join(root, '__tests__'))
    .map((f) => path.relative(root, f))
    .filter((f) => isUnit(f) && !notUnit(f));

  it('is found', () => {
    expect(unit.length).toBeGreaterThan(10);
  });

  it('starts no process, git, server or browser (move such a test to integration, e2e or slow)', () => {
    const offending = unit.flatMap((f) =>
      reach(path.join(root, f))
        .filter(({ spec }) => STARTS.some((re) => re.test(spec)))
        .map(({ from, spec }) => `${f}: ${path.relative(root, from)} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('changes no global shared between its files (mocks, process.env, timers, the working directory)', () => {
    const offending = unit.filter((f) => SHARED_STATE.test(readFileSync(path.join(root, f), 'utf8')));
    expect(offending).toEqual([]);
  });
});
