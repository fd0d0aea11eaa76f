import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupAlive, runMeasured } from '../../src/adapters/process';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'perfgate-proc-'));

describe('runMeasured', () => {
  it('measures wall, CPU and peak RSS of the whole process tree', async () => {
    // A child that allocates ~64 MB and burns CPU, started from a shell: rusage must include it.
    const run = await runMeasured(
      `node -e "const b = Buffer.alloc(64e6, 1); let x = 0; for (let i = 0; i < 3e7; i++) x += i; console.log(b.length, x > 0)"`,
      { cwd, timeoutS: 60 },
    );
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe('64000000 true');
    expect(run.wallS).toBeGreaterThan(0);
    expect(run.cpuS).toBeGreaterThan(0);
    expect(run.rssB).toBeGreaterThan(64e6);
  });

  it('reports the exit code and keeps the tail of the output', async () => {
    const run = await runMeasured('echo one; echo two >&2; exit 3', { cwd, timeoutS: 10 });
    expect(run.exitCode).toBe(3);
    expect(run.outputTail).toContain('one');
    expect(run.outputTail).toContain('two');
  });

  it('kills the whole process group on timeout and leaves no process behind', async () => {
    let pgid = 0;
    const run = await runMeasured('sleep 30 & sleep 30; wait', { cwd, timeoutS: 0.5, onSpawn: (p) => (pgid = p) });
    expect(run.timedOut).toBe(true);
    expect(pgid).toBeGreaterThan(0);
    await expect.poll(() => groupAlive(pgid), { timeout: 5000 }).toBe(false);
  });

  it('stops background processes a command leaves running', async () => {
    let pgid = 0;
    const run = await runMeasured('sleep 30 & echo started', { cwd, timeoutS: 10, onSpawn: (p) => (pgid = p) });
    expect(run.exitCode).toBe(0);
    await expect.poll(() => groupAlive(pgid), { timeout: 5000 }).toBe(false);
  });

  it('never shows the action inputs (the GitHub token) to code under test', async () => {
    process.env['INPUT_GITHUB-TOKEN'] = 'ghs_secret';
    process.env.ACTIONS_RUNTIME_TOKEN = 'runtime_secret';
    try {
      const run = await runMeasured('env', { cwd, timeoutS: 10, env: { MINE: 'yes' } });
      expect(run.stdout).not.toContain('secret');
      expect(run.stdout).toContain('MINE=yes');
    } finally {
      delete process.env['INPUT_GITHUB-TOKEN'];
      delete process.env.ACTIONS_RUNTIME_TOKEN;
    }
  });
});
