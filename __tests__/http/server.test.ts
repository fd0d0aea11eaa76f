import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupAlive, startServer } from '../../src/adapters/http/server';
import { groupCpuSeconds, groupPeakRssBytes, listenerOwner, listGroup } from '../../src/adapters/procfs';
import { marker, processesMatching } from '../helpers/procs';
import { expectNoLeftovers, KNOBS, recordedProcesses, SERVERS, tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('server lifecycle', () => {
  it('escalates to SIGKILL for a group that ignores SIGTERM, and leaves nothing behind', async () => {
    const pidfile = join(tmp.dir, 'pids');
    const lines: string[] = [];
    const server = await startServer({
      suite: 'api',
      side: 'head',
      command: KNOBS,
      cwd: tmp.dir,
      env: { ...process.env, PIDFILE: pidfile, IGNORE_SIGTERM: '1', GRANDCHILD: '1' },
      readyTimeout: 10,
      stopGrace: 0.3,
      log: (l) => lines.push(l),
    });
    expect(lines.join('\n')).toMatch(/head: server of "api" ready on port \d+/);
    expect(groupAlive(server.pgid)).toBe(true);
    const procs = recordedProcesses(pidfile);
    expect(procs.every((p) => p.pgid === server.pgid)).toBe(true); // the shell leads the group
    expect(await server.stop()).toBeNull();
    expect(groupAlive(server.pgid)).toBe(false);
    expect(server.tail()).toContain('ignoring SIGTERM');
    expect(expectNoLeftovers(pidfile)).toBe(2);
    expect(await server.stop()).toBeNull(); // idempotent
  });

  it('kills the server group when the process that started it exits without stopping it', async () => {
    const pidfile = join(tmp.dir, 'pids');
    const out = spawnSync(process.execPath, ['--import', 'tsx', join(SERVERS, 'exit-without-stop.ts'), pidfile], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.stdout).toMatch(/^started \d+/);
    // SIGKILL was sent as the starter exited; give the kernel a moment to finish the processes.
    for (let i = 0; i < 40; i++) {
      try {
        expectNoLeftovers(pidfile);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(expectNoLeftovers(pidfile)).toBe(2); // the server and its child
  });
});

describe('servers that detach processes', () => {
  it('kills a daemon the server started with setsid when the server is stopped', async () => {
    const m = marker();
    const server = await startServer({
      suite: 'api',
      side: 'base',
      command: `setsid -f sleep ${m} >/dev/null 2>&1; exec ${KNOBS}`,
      cwd: tmp.dir,
      env: process.env,
      readyTimeout: 30,
    });
    expect(processesMatching(`sleep ${m}`).some((p) => p.endsWith(`sleep ${m}`))).toBe(true);
    expect(await server.stop()).toBeNull();
    expect(processesMatching(m)).toEqual([]);
  });

  it('kills a detached daemon even when the process that started the server is killed outright', async () => {
    const m = marker();
    const pidfile = join(tmp.dir, 'pids');
    const starter = spawn(process.execPath, ['--import', 'tsx', join(SERVERS, 'exit-without-stop.ts'), pidfile, m], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    starter.stdout.on('data', (b) => (out += b));
    await expect.poll(() => out, { timeout: 30_000 }).toMatch(/started \d+/);
    await expect.poll(() => processesMatching(`sleep ${m}`).length, { timeout: 30_000 }).toBeGreaterThan(0);
    starter.kill('SIGKILL'); // no exit hook runs: the supervisor must notice on its own
    await expect.poll(() => processesMatching(m), { timeout: 30_000 }).toEqual([]);
    await expect
      .poll(
        () => {
          try {
            return expectNoLeftovers(pidfile);
          } catch {
            return -1;
          }
        },
        { timeout: 30_000 },
      )
      .toBe(2);
  });
});

describe('process group readings', () => {
  it('reads the CPU time and peak memory of a whole process group', async () => {
    // A server whose child burns exactly 300 ms of CPU (by its own clock) and then idles.
    const burn =
      'node -e "const t = process.cpuUsage(); while (process.cpuUsage(t).user < 3e5); setInterval(() => {}, 1e3)"';
    const server = await startServer({
      suite: 'cpu',
      side: 'base',
      command: `${burn} & ${KNOBS}`,
      cwd: tmp.dir,
      env: process.env,
      readyTimeout: 10,
    });
    try {
      const members = listGroup(server.pgid) ?? [];
      expect(members.length).toBeGreaterThanOrEqual(3); // shell, burner, server
      let cpu = 0;
      for (let i = 0; i < 100 && cpu < 0.3; i++) {
        await new Promise((r) => setTimeout(r, 50));
        cpu = groupCpuSeconds(server.pgid) ?? 0;
      }
      expect(cpu).toBeGreaterThanOrEqual(0.3);
      expect(cpu).toBeLessThan(10);
      const known = groupCpuSeconds(
        server.pgid,
        members.map((m) => m.pid),
      );
      expect(known).toBeGreaterThanOrEqual(0.3);
      expect(groupPeakRssBytes(server.pgid)).toBeGreaterThan(10 * 1024 * 1024);
      // Who listens where: the server on its port; this test process on another one.
      expect(listenerOwner(server.pgid, server.port)).toBe('group');
      const other = createServer();
      await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
      const otherPort = (other.address() as { port: number }).port;
      expect(listenerOwner(server.pgid, otherPort)).toBe('other');
      await new Promise((r) => other.close(r));
      expect(listenerOwner(server.pgid, otherPort)).toBe('none');
    } finally {
      await server.stop();
    }
    expect(groupAlive(server.pgid)).toBe(false);
  });
});
