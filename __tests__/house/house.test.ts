/**
 * The house drawn from the code (scripts/house.ts): no import cycle in src/, and no function over
 * 80 lines but the kernels and decoders below, which read best in one piece. An entry that is no
 * longer long fails too, so the list stays true.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FUNCTION_LIMIT, importCycles, importedPackages, longFunctions } from '../../scripts/house';

/** Long by nature: one algorithm, one record format. */
const KERNELS: Record<string, string> = {
  'src/core/stats/group-sequential.ts:groupSequentialBoundaries':
    'numeric kernel: the recursive numerical integration of the Lan–DeMets boundaries, one look after another',
  'src/adapters/harness/gatling.ts:readBinaryLog': "decoder: one pass over Gatling's binary simulation.log records",
  'src/core/profile/callgrind.ts:readCallGraph': "decoder: one pass over callgrind's name-compressed records",
};

describe('the house', () => {
  it('has no import cycle in src/', () => {
    expect(importCycles()).toEqual([]);
  });

  it('lists in package.json every package src/ imports, type imports too (knip checks the other imports)', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const listed = new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }));
    expect([...importedPackages()].filter((name) => !listed.has(name))).toEqual([]);
  });

  it(`has no function over ${FUNCTION_LIMIT} lines but the listed ones`, () => {
    const long = longFunctions().map((f) => f.id);
    const listed = KERNELS;
    expect(long.filter((id) => !(id in listed))).toEqual([]);
    expect(Object.keys(listed).filter((id) => !long.includes(id))).toEqual([]);
  });
});
