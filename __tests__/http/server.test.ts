import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupAlive, startServer } from '../../src/adapters/http/server';
import { expectNoLeftovers, KNOBS, recordedProcesses, tempDir } from './helpers';

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
});
