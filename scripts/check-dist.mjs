#!/usr/bin/env node
// Checks that the committed dist/ is exactly what a fresh build of src/ produces: a runner
// executes dist/, so a stale bundle would ship code nobody reviewed. Exits 1 with the differing
// files listed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(path.join(os.tmpdir(), 'perfgate-dist-'));
const ncc = path.join(root, 'node_modules', '.bin', 'ncc');
execFileSync(ncc, ['build', 'src/main.ts', '-o', path.join(out, 'dist'), '--license', 'licenses.txt', '-t', '-q'], {
  cwd: root,
  stdio: 'inherit',
});
execFileSync(
  ncc,
  ['build', 'src/cli/index.ts', '-o', path.join(out, 'dist', 'cli'), '--license', 'licenses.txt', '-t', '-q'],
  { cwd: root, stdio: 'inherit' },
);
// What `npm run bundle` copies next to the bundles: the python supervisor (see src/adapters/supervisor.ts).
for (const dir of ['dist', 'dist/cli'])
  copyFileSync(path.join(root, 'src/adapters/supervisor.py'), path.join(out, dir, 'supervisor.py'));

function files(dir, prefix = '') {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}
const fresh = new Set(files(path.join(out, 'dist')));
const committed = new Set(files(path.join(root, 'dist')));
const problems = [];
for (const f of fresh) {
  if (!committed.has(f)) problems.push(`missing from dist/: ${f}`);
  else if (!readFileSync(path.join(out, 'dist', f)).equals(readFileSync(path.join(root, 'dist', f))))
    problems.push(`differs: dist/${f}`);
}
for (const f of committed) if (!fresh.has(f)) problems.push(`not produced by the build: dist/${f}`);
rmSync(out, { recursive: true, force: true });
if (problems.length > 0) {
  console.error(
    `dist/ is out of date with src/ — run \`npm run bundle\` and commit dist/:\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`dist/ matches a fresh build (${fresh.size} files).`);
