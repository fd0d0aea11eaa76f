import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupAlive, runMeasured } from '../../src/adapters/process';
import { marker, processesMatching } from '../helpers/procs';

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

describe('runMeasured with commands that try to escape', () => {
  // Detached daemons: the command ends at once, but what it started must not outlive it, hold
  // perfgate's pipes open or keep the run from ending.
  const detaching: [string, (m: string) => string][] = [
    ['setsid -f, output redirected', (m) => `setsid -f sleep ${m} >/dev/null 2>&1`],
    ['setsid -f, keeping stdout open', (m) => `setsid -f sleep ${m}; echo started`],
    ['nohup in the background', (m) => `nohup sleep ${m} >/dev/null 2>&1 &`],
    [
      'a double fork with setsid() that closes every descriptor',
      (m) =>
        `python3 -c "M = ${m}
import os, time
if os.fork(): os._exit(0)
os.setsid()
if os.fork(): os._exit(0)
os.closerange(0, 256)
time.sleep(M)"`,
    ],
  ];
  for (const [name, command] of detaching) {
    it(`finds and kills a daemon started by ${name}, and says so`, async () => {
      const m = marker();
      const run = await runMeasured(command(m), { cwd, timeoutS: 60 });
      expect(run.timedOut).toBe(false);
      expect(run.exitCode).toBe(0);
      expect(run.leftBehind.join('\n')).toContain(m);
      expect(processesMatching(m)).toEqual([]);
    });
  }

  it('never lets the usage report channel leak into the command', async () => {
    const run = await runMeasured('ls /proc/$$/fd; readlink /proc/$$/fd/3 || echo "no fd 3"', { cwd, timeoutS: 30 });
    expect(run.stdout).toContain('no fd 3');
    expect(run.cpuS).not.toBeNull(); // the report still arrived
  });

  it('honours the timeout of a command whose daemon keeps its output open and which never ends', async () => {
    const m = marker();
    const run = await runMeasured(`setsid -f sleep ${m}; trap '' TERM; while :; do sleep 0.1; done`, {
      cwd,
      timeoutS: 1,
    });
    expect(run.timedOut).toBe(true);
    expect(processesMatching(m)).toEqual([]);
  });

  it('stops the whole tree at once when aborted, daemons included', async () => {
    const m = marker();
    const abort = new AbortController();
    let pgid = 0;
    const pending = runMeasured(`setsid -f sleep ${m}; trap '' TERM; sleep ${m}`, {
      cwd,
      timeoutS: 600,
      signal: abort.signal,
      onSpawn: (p) => (pgid = p),
    });
    const sleeps = () => processesMatching(`sleep ${m}`).filter((p) => p.endsWith(` sleep ${m}`));
    await expect.poll(() => sleeps().length, { timeout: 30_000 }).toBe(2);
    abort.abort();
    const run = await pending;
    expect(run.aborted).toBe(true);
    expect(run.timedOut).toBe(false);
    expect(processesMatching(m)).toEqual([]);
    // The group's leader is the supervisor's runner, which reports the end and then exits: under load
    // it can still be there for a moment after the run returns.
    await expect.poll(() => groupAlive(pgid), { timeout: 5_000 }).toBe(false);
  });
});
