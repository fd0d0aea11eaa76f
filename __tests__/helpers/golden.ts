/**
 * Golden files, benchstat style: compare text with `__tests__/golden/NAME`; on a mismatch the
 * actual text is written beside it as `NAME.got` (git-ignored) for diffing. Set
 * UPDATE_GOLDEN=1 to (re)write the golden files after reviewing the change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden');

export function expectGolden(name: string, actual: string): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    writeFileSync(file, actual);
    return;
  }
  const expected = readFileSync(file, 'utf8');
  if (expected !== actual) writeFileSync(`${file}.got`, actual);
  expect(actual, `golden file __tests__/golden/${name} (actual written to ${name}.got)`).toBe(expected);
}
