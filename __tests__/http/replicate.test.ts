import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpSuiteError, runHttpReplicate } from '../../src/adapters/http';
import type { Replicate, Side } from '../../src/core/model';
import { expectNoLeftovers, median, metric, recordedProcesses, suite, tempDir, value } from './helpers';

let tmp: ReturnType<typeof tempDir>;
let pidfile: string;
beforeEach(() => {
  tmp = tempDir();
  pidfile = join(tmp.dir, 'pids');
});
afterEach(() => {
  // Every test: whatever the servers started is gone once the replicate settled.
  try {
    expectNoLeftovers(pidfile);
  } finally {
    tmp.cleanup();
  }
});

function run(side: Side, raw: Record<string, unknown>, env: Record<string, string> = {}): Promise<Replicate> {
  return runHttpReplicate(suite({ ...raw, env: { PIDFILE: pidfile, ...env } }), { side, checkoutDir: tmp.dir });
}

async function rejection(p: Promise<unknown>): Promise<HttpSuiteError> {
  const err = await p.then(
    () => {
      throw new Error('expected the replicate to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpSuiteError);
  return err as HttpSuiteError;
}

const METRICS = ['throughput', 'p50', 'p90', 'p95', 'p99', 'errors', 'cpu', 'rss'];

describe('runHttpReplicate against real servers', () => {
  it('measures identical servers on both sides with sane metrics for every scenario', async () => {
    const raw = {
      scenarios: [
        { name: 'items', path: '/items' },
        {
          name: 'create',
          method: 'POST',
          path: '/items',
          headers: { 'content-type': 'application/json' },
          body: '{"name":"a"}',
        },
      ],
    };
    for (const side of ['base', 'head'] as const) {
      const r = await run(side, raw);
      expect(r.values.map((v) => v.id).sort()).toEqual(
        ['items', 'create'].flatMap((s) => METRICS.map((m) => `api/${s}:${m}`)).sort(),
      );
      for (const s of ['items', 'create']) {
        const id = (m: string) => `api/${s}:${m}`;
        expect(value(r, id('throughput'))).toBeGreaterThan(0);
        expect(metric(r, id('throughput'))).toMatchObject({ unit: '1/s', direction: 'higher' });
        const ps = ['p50', 'p90', 'p95', 'p99'].map((p) => value(r, id(p)));
        expect(ps[0]).toBeGreaterThan(0);
        expect(ps[0]).toBeLessThan(5); // seconds: a sanity bound, not a timing assertion
        for (let i = 1; i < ps.length; i++) expect(ps[i]).toBeGreaterThanOrEqual(ps[i - 1]);
        expect(metric(r, id('p99'))).toMatchObject({ unit: 's', direction: 'lower' });
        expect(value(r, id('errors'))).toBe(0);
        expect(metric(r, id('errors'))).toMatchObject({ unit: 'fraction', direction: 'lower' });
        expect(value(r, id('cpu'))).toBeGreaterThan(0);
        expect(value(r, id('cpu'))).toBeLessThan(1);
        expect(value(r, id('rss'))).toBeGreaterThan(10 * 1024 * 1024); // a Node process
        expect(metric(r, id('rss'))).toMatchObject({ unit: 'B', direction: 'lower' });
      }
      expect(r.warnings.filter((w) => /non-2xx|failed|no request/.test(w))).toEqual([]);
    }
    expect(expectNoLeftovers(pidfile)).toBeGreaterThanOrEqual(2);
  });

  it('measures a server with an artificial 20 ms delay as slower than one without', async () => {
    const fast: Replicate[] = [];
    const slow: Replicate[] = [];
    for (let i = 0; i < 3; i++) {
      fast.push(await run('base', { duration: 0.4, warmupDuration: 0.1 }));
      slow.push(await run('head', { duration: 0.4, warmupDuration: 0.1 }, { DELAY_MS: '20' }));
    }
    const p50 = (rs: Replicate[]) => median(rs.map((r) => value(r, 'api/items:p50')));
    const tput = (rs: Replicate[]) => median(rs.map((r) => value(r, 'api/items:throughput')));
    // The delay bounds the slow side's latency from below; the fast side is far below 20 ms.
    expect(p50(slow)).toBeGreaterThanOrEqual(0.02);
    expect(p50(slow)).toBeGreaterThan(3 * p50(fast));
    expect(tput(slow)).toBeLessThan(tput(fast) / 3);
  });

  it('measures HEAD and DELETE scenarios (autocannon alone hangs on HEAD bodies)', async () => {
    const r = await run('base', {
      duration: 0.3,
      warmupDuration: 0,
      scenarios: [
        { name: 'probe', method: 'HEAD', path: '/items' },
        { name: 'remove', method: 'DELETE', path: '/items/1' },
      ],
    });
    for (const s of ['probe', 'remove']) {
      expect(value(r, `api/${s}:throughput`)).toBeGreaterThan(0);
      expect(value(r, `api/${s}:errors`)).toBe(0);
    }
  });

  it('counts non-2xx responses as errors even when the server got faster', async () => {
    const r = await run('head', {}, { FAIL_EVERY: '4' });
    const errors = value(r, 'api/items:errors');
    expect(errors).toBeGreaterThan(0.2);
    expect(errors).toBeLessThan(0.3);
    expect(r.warnings.some((w) => w.includes('non-2xx status (500)'))).toBe(true);
    expect(value(r, 'api/items:p50')).toBeGreaterThan(0); // latency of the 2xx responses
  });

  it('reports errors = 1 and no latency when every request fails', async () => {
    const r = await run('head', {}, { FAIL_EVERY: '1' });
    expect(value(r, 'api/items:errors')).toBe(1);
    expect(value(r, 'api/items:throughput')).toBe(0);
    expect(metric(r, 'api/items:p50')).toBeUndefined();
    expect(r.warnings.some((w) => w.includes('no request got a 2xx response'))).toBe(true);
  });

  it('fails with HttpSuiteError naming the side and carrying the output of a server that exits at start', async () => {
    const err = await rejection(run('head', {}, { EXIT_AT_START: '1' }));
    expect(err.side).toBe('head');
    expect(err.message).toMatch(/head server of suite "api".*exited with code 3 before it became ready/);
    expect(err.outputTail).toContain('cannot open database');
  });

  it('fails with HttpSuiteError when the working directory is missing or the command is not found', async () => {
    let err = await rejection(run('base', { cwd: 'missing' }));
    expect(err.message).toMatch(/working directory "missing" does not exist in the base checkout/);
    err = await rejection(run('head', { server: 'no-such-server-binary' }));
    expect(err.message).toMatch(/exited with code 127 before it became ready/);
    expect(err.outputTail).toMatch(/no-such-server-binary/);
  });

  it('fails with HttpSuiteError when the server crashes during the run', async () => {
    const err = await rejection(run('base', {}, { CRASH_AFTER: '30' }));
    expect(err.side).toBe('base');
    expect(err.message).toMatch(/exited with code 1 during the load run of scenario "items"/);
    expect(err.outputTail).toContain('crashing after 30 requests');
  });

  it('fails with HttpSuiteError when the server never becomes ready', async () => {
    const err = await rejection(run('base', { ready: '/health', readyTimeout: '4s' }, { HEALTH_STATUS: '503' }));
    expect(err.message).toMatch(/did not answer GET \/health with a 2xx status .* within 4 s \(readyTimeout\)/);
    expect(err.outputTail).toContain('listening on 127.0.0.1');
    expect(expectNoLeftovers(pidfile)).toBe(1);
  });

  it('retries on another port when the port was taken at start', async () => {
    const r = await run('base', {}, { EADDRINUSE_ONCE: join(tmp.dir, 'once') });
    expect(value(r, 'api/items:throughput')).toBeGreaterThan(0);
    expect(expectNoLeftovers(pidfile)).toBe(2);
  });

  it('refuses a port answered by a process outside the server process group', async () => {
    const err = await rejection(run('head', { readyTimeout: '3s' }, { OUTSIDER: '1' }));
    expect(err.message).toMatch(/did not own the socket listening on port \d+ .* after 3 attempts/);
  });

  it('stops the server and rethrows the reason when aborted', async () => {
    const controller = new AbortController();
    const s = suite({ duration: '5s', env: { PIDFILE: pidfile } });
    const p = runHttpReplicate(s, { side: 'base', checkoutDir: tmp.dir, signal: controller.signal });
    // Abort once the server runs (it records its pid at start), mid-way through the load run.
    await expect.poll(() => recordedProcesses(pidfile).length, { timeout: 30_000 }).toBe(1);
    setTimeout(() => controller.abort(new Error('cancelled by test')), 700);
    await expect(p).rejects.toThrow('cancelled by test');
    expect(expectNoLeftovers(pidfile)).toBe(1);
  });

  it("fails with HttpSuiteError when the replicate passes the suite's timeout", async () => {
    const err = await rejection(run('head', { duration: '5s', timeout: '1s' }));
    expect(err.message).toMatch(/head run of HTTP suite "api" took longer than its timeout of 1 s/);
    // Nothing runs any more; on a loaded machine the timeout may come before the server started.
    expect(expectNoLeftovers(pidfile)).toBeLessThanOrEqual(1);
  });

  it('stops a server that is not ready yet when aborted', async () => {
    const controller = new AbortController();
    const s = suite({ ready: '/health', env: { PIDFILE: pidfile, HEALTH_STATUS: '503' } });
    const p = runHttpReplicate(s, { side: 'head', checkoutDir: tmp.dir, signal: controller.signal });
    await expect.poll(() => recordedProcesses(pidfile).length, { timeout: 30_000 }).toBe(1);
    controller.abort(new Error('cancelled while waiting'));
    await expect(p).rejects.toThrow('cancelled while waiting');
    expect(expectNoLeftovers(pidfile)).toBe(1);
  });

  it('stops a server that keeps a child process, without leaving either behind', async () => {
    const r = await run('base', { ready: '/health' }, { GRANDCHILD: '1' });
    expect(value(r, 'api/items:throughput')).toBeGreaterThan(0);
    expect(expectNoLeftovers(pidfile)).toBe(2);
  });

  it('drives a constant arrival rate without saturation warnings', async () => {
    const r = await run('base', { rate: 100, duration: 1, warmupDuration: 0 });
    const tput = value(r, 'api/items:throughput');
    expect(tput).toBeGreaterThan(50); // loose: the run length is measured, not assumed
    expect(tput).toBeLessThan(150);
    expect(r.warnings.some((w) => w.includes('saturated'))).toBe(false);
  });

  it('counts latency from the intended send time when the server stalls (coordinated omission)', async () => {
    // The server blocks for 300 ms at its 60th request. At 200 req/s about 60 requests were due
    // during the stall; measured from their intended send time they all waited, so more than
    // 10 % of the ~200 requests took over 100 ms. Measured from the actual send time only the
    // 10 requests in flight would have.
    const r = await run(
      'base',
      { rate: 200, connections: 10, duration: 1, warmupDuration: 0 },
      { FREEZE_AT: '60', FREEZE_MS: '300' },
    );
    expect(value(r, 'api/items:p90')).toBeGreaterThan(0.1);
  });

  it('warns that a rate run was saturated when the target rate is out of reach', async () => {
    // 2 connections × 20 ms per response allow about 100 req/s, a tenth of the target.
    const r = await run('base', { rate: 1000, connections: 2, duration: 1, warmupDuration: 0 }, { DELAY_MS: '20' });
    const w = r.warnings.find((x) => x.includes('a run was saturated'));
    expect(w).toBeDefined();
    expect(w).toMatch(/target rate 1000\/s/);
    expect(w).toMatch(/bottleneck was/);
  });
});
