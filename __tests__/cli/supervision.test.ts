/**
 * A benchmark that kills its supervisor through the real CLI: `setsid -f … sleep; kill -9 $PPID`
 * used to leave the daemon running after perfgate, re-parented to init and never named, and the
 * sample read "killed by SIGKILL". It must be an error that names the daemon, and nothing of it
 * may be left when perfgate exits.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { marker, processesMatching } from '../helpers/procs';
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

describe('supervision through the CLI', () => {
  it('reports a sample that killed its supervisor as an error naming its daemon, and leaves nothing running', async () => {
    const m = marker();
    const command = `setsid -f sleep ${m} >/dev/null 2>&1; kill -9 $PPID; sleep 1`;
    const repo = makeRepo({
      '.github/perfgate.yml': `suites:\n  - name: rogue\n    run: ${JSON.stringify(command)}\n    warmup: 0\n`,
    });
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'identical head');
    const json = path.join(repo, '..', `${path.basename(repo)}-supervision.json`);
    const r = await run(repo, ['--base', 'HEAD~1', '--min-rounds', '8', '--max-rounds', '8', '--json', json]);
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.verdict).toBe('error');
    const text = report.errors.join('\n');
    expect(text).toMatch(/lost its supervision \(the process supervising it \(pid \d+\) was killed by SIGKILL/);
    expect(text).toContain(`sleep ${m}`);
    expect(text).not.toContain('killed by SIGKILL"');
    expect(processesMatching(m)).toEqual([]);
  });
});
