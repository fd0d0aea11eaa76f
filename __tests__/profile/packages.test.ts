/** Dependency frames carry their package and installed version (a real package.json on disk). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tagDependencies } from '../../src/adapters/profile/packages';
import type { StackProfile } from '../../src/core/profile/types';
import { whereText } from '../../src/core/render/profile-view';

describe('tagDependencies', () => {
  it('names the package and version of node_modules frames, relative or absolute, and leaves the project alone', () => {
    const checkout = mkdtempSync(path.join(os.tmpdir(), 'perfgate-packages-'));
    mkdirSync(path.join(checkout, 'node_modules', 'tinybench', 'dist'), { recursive: true });
    writeFileSync(
      path.join(checkout, 'node_modules', 'tinybench', 'package.json'),
      '{"name":"tinybench","version":"6.2.5"}',
    );
    const elsewhere = path.join(checkout, 'global', 'node_modules', '@scope', 'nover');
    mkdirSync(elsewhere, { recursive: true });
    const p: StackProfile = {
      unit: 's',
      frames: [
        { name: 's', file: 'node_modules/tinybench/dist/index.js', line: 428 },
        { name: 'f', file: `${elsewhere}/lib/f.js`, line: 3 },
        { name: 'mine', file: 'index.js', line: 24 },
        { name: 'readFile', file: 'node:fs', line: 10 },
      ],
      stacks: [],
    };
    tagDependencies(p, checkout);
    expect(p.frames.map((f) => whereText(f))).toEqual([
      'tinybench@6.2.5 dist/index.js:428',
      '@scope/nover lib/f.js:3',
      'index.js:24',
      'node:fs:10',
    ]);
  });
});
