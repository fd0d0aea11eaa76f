import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectGolden, UPDATING } from './golden';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden');

describe.skipIf(UPDATING)('expectGolden', () => {
  it('fails on a missing golden file instead of writing it and passing', () => {
    const name = 'missing/never-committed.txt';
    try {
      expect(() => expectGolden(name, 'text')).toThrow(/is missing/);
      expect(existsSync(path.join(dir, name))).toBe(false);
      expect(existsSync(path.join(dir, `${name}.got`))).toBe(true);
    } finally {
      rmSync(path.join(dir, 'missing'), { recursive: true, force: true });
    }
  });

  it('passes on an equal file and fails on a different one', () => {
    expectGolden('terminal/regression.txt', readFileSync(path.join(dir, 'terminal/regression.txt'), 'utf8'));
    expect(() => expectGolden('markdown/error.md', 'something else')).toThrow();
    rmSync(path.join(dir, 'markdown/error.md.got'), { force: true });
  });
});
