#!/usr/bin/env node
// Lints the python shipped in dist/ (src/adapters/supervisor.py): compiles it with python3
// (without writing bytecode next to it) and runs pyflakes (Debian: python3-pyflakes) when one is
// installed. Exits 1 with the findings.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = ['src/adapters/supervisor.py'].map((f) => path.join(root, f));
const run = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' });

let failed = false;
for (const file of files) {
  const compiled = run('python3', ['-c', 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")', file]);
  if (compiled.error) {
    console.error(`python3 is needed to lint ${path.relative(root, file)}: ${compiled.error.message}`);
    process.exit(1);
  }
  if (compiled.status !== 0) {
    console.error(compiled.stderr);
    failed = true;
  }
}
// pyflakes: as a command (Debian's pyflakes3), or a module of whichever python has it.
const tries = [
  ['pyflakes3', []],
  ['pyflakes', []],
  ['python3', ['-m', 'pyflakes']],
  ['/usr/bin/python3', ['-m', 'pyflakes']],
];
const found = tries.find(([cmd, args]) => run(cmd, [...args, '--version']).status === 0);
if (found) {
  const [cmd, args] = found;
  const out = run(cmd, [...args, ...files]);
  if (out.status !== 0) {
    console.error(out.stdout + out.stderr);
    failed = true;
  } else console.log(`python: ${files.length} file(s) compiled and clean under pyflakes`);
} else console.log('python: compiled; pyflakes is not installed (apt-get install python3-pyflakes), so not run');
process.exit(failed ? 1 : 0);
