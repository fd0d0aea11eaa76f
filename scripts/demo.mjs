#!/usr/bin/env node
// `npm run demo`: builds a throw-away git repository from examples/demo (a base commit and a head
// commit whose loop does more work), then runs `perfgate run` in it exactly as a developer would.
// It prints the progress, the report, and ends with perfgate's exit status (1: regression found).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const example = path.join(root, 'examples', 'demo');
const cli = path.join(root, 'dist', 'cli', 'index.js');
if (!existsSync(cli)) {
  console.error('dist/cli/index.js is missing: run `npm run bundle` first.');
  process.exit(2);
}
const repo = mkdtempSync(path.join(os.tmpdir(), 'perfgate-demo-'));
const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
git('init', '-q', '-b', 'main');
git('config', 'user.email', 'demo@example.invalid');
git('config', 'user.name', 'perfgate demo');
mkdirSync(path.join(repo, '.github'));
copyFileSync(path.join(example, 'perfgate.yml'), path.join(repo, '.github', 'perfgate.yml'));
copyFileSync(path.join(example, 'base', 'work.js'), path.join(repo, 'work.js'));
git('add', '-A');
git('commit', '-qm', 'base: count primes');
copyFileSync(path.join(example, 'head', 'work.js'), path.join(repo, 'work.js'));
git('commit', '-qam', 'head: "simplify" the loop');

console.error(`Demo repository: ${repo} (base = HEAD~1, head = HEAD)\n`);
const result = spawnSync(process.execPath, [cli, 'run', '--base', 'HEAD~1', ...process.argv.slice(2)], {
  cwd: repo,
  stdio: 'inherit',
});
rmSync(repo, { recursive: true, force: true });
const verdict = result.status === 1 ? 'FAIL (regression found, as expected)' : result.status === 0 ? 'PASS' : 'ERROR';
console.error(`\nperfgate exit status ${result.status}: ${verdict}`);
process.exit(result.status ?? 2);
