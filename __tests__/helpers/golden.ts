/**
 * Golden files, benchstat style: compare text with `__tests__/golden/NAME`; on a mismatch the
 * actual text is written beside it as `NAME.got` (git-ignored) for diffing. A missing golden file
 * is a failure too (a test that silently wrote its own expectation would pass on anything). Set
 * UPDATE_GOLDEN=1 to (re)write the golden files after reviewing the change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/** Whether this run rewrites golden files instead of checking them. */
export const UPDATING = process.env.UPDATE_GOLDEN === '1';

export function expectGolden(name: string, actual: string): void {
  const file = path.join(dir, name);
  if (UPDATING) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.got`, actual);
    expect.fail(
      `golden file __tests__/golden/${name} is missing (actual written to ${name}.got); review it and run with UPDATE_GOLDEN=1 to create it`,
    );
  }
  const expected = readFileSync(file, 'utf8');
  if (expected !== actual) writeFileSync(`${file}.got`, actual);
  expect(actual, `golden file __tests__/golden/${name} (actual written to ${name}.got)`).toBe(expected);
}
