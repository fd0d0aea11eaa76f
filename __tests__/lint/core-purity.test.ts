/**
 * `src/core` stays pure by a lint rule (biome.json, the `src/core/**` override), not by a comment.
 * The probe files are linted with the project's own configuration in a scratch copy of the layout,
 * so the test sees what `npm run lint` would say about them.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const biome = path.join(root, 'node_modules', '.bin', 'biome');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'perfgate-lint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Diagnostic {
  category: string;
  location: { path: string; start: { line: number } };
}

/** Lints `files` (path → source) laid out as in the repository; returns `path:line rule` strings. */
function lint(files: Record<string, string>): string[] {
  const dir = mkdtempSync(path.join(scratch, 'case-'));
  copyFileSync(path.join(root, 'biome.json'), path.join(dir, 'biome.json'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  let out: string;
  try {
    out = execFileSync(biome, ['lint', '--reporter=json', '.'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    out = (error as { stdout: string }).stdout; // exit status 1: diagnostics found
  }
  const report = JSON.parse(out) as { diagnostics: Diagnostic[] };
  return report.diagnostics.map((d) => `${d.location.path}:${d.location.start.line} ${d.category}`).sort();
}

describe('src/core purity (lint rule)', () => {
  it('rejects Node built-ins, process globals and imports of adapters, app, settings or the toolkit', () => {
    const found = lint({
      'src/core/render/probe.ts': [
        "import fs from 'node:fs';",
        "import os from 'os';",
        "import { git } from '../../adapters/git';",
        "import { measure } from '../../app/measure';",
        "import type { Settings } from '../../settings/settings';",
        "import * as core from '@actions/core';",
        'export type S = Settings;',
        'export const x = [fs, os, git, measure, core, process.env.X];',
        '',
      ].join('\n'),
    });
    expect(found).toEqual([
      'src/core/render/probe.ts:1 lint/correctness/noNodejsModules',
      'src/core/render/probe.ts:2 lint/correctness/noNodejsModules',
      'src/core/render/probe.ts:2 lint/style/useNodejsImportProtocol',
      'src/core/render/probe.ts:3 lint/style/noRestrictedImports',
      'src/core/render/probe.ts:4 lint/style/noRestrictedImports',
      'src/core/render/probe.ts:5 lint/style/noRestrictedImports',
      'src/core/render/probe.ts:6 lint/style/noRestrictedImports',
      'src/core/render/probe.ts:8 lint/style/noRestrictedGlobals',
    ]);
  });

  it('allows core-to-core imports and pure libraries, and leaves the other layers alone', () => {
    const found = lint({
      'src/core/probe.ts':
        "import picomatch from 'picomatch';\nimport { mulberry32 } from './random';\nexport const x = [picomatch, mulberry32];\n",
      'src/app/probe.ts':
        "import fs from 'node:fs';\nimport { git } from '../adapters/git';\nexport const x = [fs, git, process.env.X];\n",
    });
    expect(found).toEqual([]);
  });
});
