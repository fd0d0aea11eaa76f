/**
 * Side isolation through the real CLI: base and head are identical commits; a base-side command
 * that writes into `../head/extra.sh` used to make head look 10× slower (a "regression"), and a
 * head-side command that rewrote base's git-ignored build output made head 33 % slower look like
 * an improvement. Both must be errors that name the side and the file, with no regression
 * reported. A side changing its own checkout is its own business.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/repo';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'index.js');

function run(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function repoWith(command: string, files: Record<string, string> = {}) {
  const repo = makeRepo({
    '.github/perfgate.yml': `suites:\n  - name: cross\n    run: ${JSON.stringify(command)}\n    warmup: 0\n`,
    'extra.sh': 'true\n',
    'own.txt': 'x\n',
    ...files,
  });
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'identical head');
  return repo;
}

const ARGS = ['--base', 'HEAD~1', '--min-rounds', '8', '--max-rounds', '8', '--seed', '5'];

describe('side isolation', () => {
  it('reports a side that writes into the other checkout as an error naming it, never as a regression', async () => {
    const repo = repoWith(
      'bash extra.sh; if [ "$(basename "$PWD")" = base ]; then echo "sleep 0.3" > ../head/extra.sh; fi',
    );
    const json = path.join(repo, '..', `${path.basename(repo)}-isolation.json`);
    const r = await run(repo, [...ARGS, '--json', json]);
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.verdict).toBe('error');
    expect(report.results).toEqual([]);
    expect(report.errors[0]).toMatch(/^The base side wrote into the head checkout \("extra.sh" \(modified\)\)/);
    expect(report.errors[0]).toContain('suite "cross"');
    expect(r.stdout).not.toContain('regression beyond budget');
    expect(r.stderr).toMatch(/Side isolation: \d+ checks of the other checkout/);
  });

  it("reports head rewriting base's git-ignored build output, as an error naming head and the file", async () => {
    // The build writes dist/config.sh (ignored by git); head's benchmark makes base's version slow.
    const repo = repoWith(
      'bash dist/config.sh; if [ "$(basename "$PWD")" = head ]; then echo "sleep 0.3" > ../base/dist/config.sh; fi',
      { '.gitignore': 'dist/\n' },
    );
    const json = path.join(repo, '..', `${path.basename(repo)}-ignored.json`);
    const r = await run(repo, [...ARGS, '--build', 'mkdir -p dist && echo true > dist/config.sh', '--json', json]);
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.verdict).toBe('error');
    expect(report.results).toEqual([]);
    expect(report.errors[0]).toMatch(/^The head side wrote into the base checkout \("dist\/config.sh" \(modified\)\)/);
    expect(r.stderr).toMatch(
      /Side isolation: \d+ checks of the other checkout, [\d.]+ ms each on average \(inotify on \d+ directories\)/,
    );
  });

  it('lets a side change its own checkout', async () => {
    const repo = repoWith('echo more >> own.txt');
    const json = path.join(repo, '..', `${path.basename(repo)}-own.json`);
    const r = await run(repo, [...ARGS, '--json', json]);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.errors).toEqual([]);
    expect(report.results.map((m: { id: string }) => m.id)).toContain('cross:wall');
    expect(r.code).not.toBe(2);
  });
});
