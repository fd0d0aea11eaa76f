import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricValue, Replicate } from '../../src/core/model';
import { type HttpSuite, httpSuiteSchema } from '../../src/settings/suites';

export const SERVERS = join(dirname(fileURLToPath(import.meta.url)), 'servers');
export const KNOBS = `node ${JSON.stringify(join(SERVERS, 'knobs.mjs'))}`;

/** An HTTP suite through the real schema (defaults applied), short enough for tests. */
export function suite(raw: Record<string, unknown>): HttpSuite {
  return {
    ...httpSuiteSchema.parse({
      name: 'api',
      server: KNOBS,
      duration: '500ms',
      warmupDuration: '200ms',
      readyTimeout: '10s',
      connections: 4,
      scenarios: [{ name: 'items', path: '/items' }],
      ...raw,
    }),
    kind: 'http',
  };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-http-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The "pid pgid" lines a knobs server wrote to its PIDFILE. */
export function recordedProcesses(pidfile: string): { pid: number; pgid: number }[] {
  if (!existsSync(pidfile)) return [];
  return readFileSync(pidfile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [pid, pgid] = l.split(' ').map(Number);
      return { pid, pgid };
    });
}

function stateOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return null;
  }
}

/**
 * Processes of group `pgid` that are still running. `process.kill(-pgid, 0)` succeeding is not
 * enough to call a process alive: orphans that already exited stay zombies until the machine's
 * init reaps them, which can take seconds.
 */
export function liveMembers(pgid: number): number[] {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return [];
    throw err;
  }
  const live: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') live.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return live;
}

/** Asserts that nothing recorded in `pidfile` runs any more; returns how many were recorded. */
export function expectNoLeftovers(pidfile: string): number {
  const procs = recordedProcesses(pidfile);
  for (const { pid, pgid } of procs) {
    const live = liveMembers(pgid);
    if (live.length) throw new Error(`process group ${pgid} still has running processes ${live.join(', ')}`);
    const st = stateOf(pid);
    if (st !== null && st !== 'Z' && st !== 'X') throw new Error(`process ${pid} is still running (state ${st})`);
  }
  return procs.length;
}

export function metric(r: Replicate, id: string): MetricValue | undefined {
  return r.values.find((v) => v.id === id);
}

export function value(r: Replicate, id: string): number {
  const m = metric(r, id);
  if (!m) throw new Error(`no metric ${id} in ${r.values.map((v) => v.id).join(', ')}`);
  return m.value;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
