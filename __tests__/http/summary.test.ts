import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/adapters/http/histogram';
import type { LoadRunResult } from '../../src/adapters/http/load';
import { loadShape, serverEnv, summarizeRun } from '../../src/adapters/http/replicate';
import { parseListeningInodes, parseProcStat } from '../../src/adapters/procfs';
import { suite } from './helpers';

function runOf(partial: Partial<LoadRunResult> & { latenciesMs?: number[] }): LoadRunResult {
  const latency = new LatencyHistogram();
  for (const ms of partial.latenciesMs ?? []) latency.recordMillis(ms);
  const ok = partial.ok ?? latency.count;
  return {
    latency,
    ok,
    non2xx: 0,
    statusCounts: { 200: ok },
    errors: 0,
    timeouts: 0,
    window: 1,
    driverCpu: 0.2,
    stoppedEarly: false,
    ...partial,
  };
}

const ctx = { connections: 4, serverCpu: 0.5, rss: 50e6 };
const val = (r: { values: { id: string; value: number }[] }, id: string) => r.values.find((v) => v.id === id)?.value;

describe('LatencyHistogram', () => {
  it('keeps microsecond resolution (autocannon rounds to whole milliseconds)', () => {
    const h = new LatencyHistogram();
    for (const ms of [0.25, 0.25, 0.251, 0.4, 1.337]) h.recordMillis(ms);
    expect(h.percentileSeconds(50)).toBeCloseTo(0.000251, 9);
    expect(h.percentileSeconds(100)).toBeCloseTo(0.001337, 9);
    expect(h.count).toBe(5);
  });

  it('takes percentiles over the whole run, not a mean of intervals', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.recordMillis(i / 10); // 0.1 … 100 ms
    expect(h.percentileSeconds(99)).toBeCloseTo(0.099, 3);
    expect(h.percentileSeconds(50)).toBeCloseTo(0.05, 3);
  });

  it('is empty without responses', () => {
    expect(new LatencyHistogram().percentileSeconds(50)).toBeNull();
  });
});

describe('summarizeRun', () => {
  it('produces every metric with its unit and direction', () => {
    const r = summarizeRun(
      'api/items',
      runOf({ latenciesMs: Array.from({ length: 200 }, (_, i) => 1 + i / 100) }),
      ctx,
    );
    expect(r.values.map((v) => `${v.id} ${v.unit} ${v.direction}`)).toEqual([
      'api/items:throughput 1/s higher',
      'api/items:p50 s lower',
      'api/items:p90 s lower',
      'api/items:p95 s lower',
      'api/items:p99 s lower',
      'api/items:errors fraction lower',
      'api/items:cpu s lower',
      'api/items:rss B lower',
    ]);
    expect(val(r, 'api/items:throughput')).toBe(200);
    expect(val(r, 'api/items:cpu')).toBeCloseTo(0.5 / 200, 12);
    expect(val(r, 'api/items:errors')).toBe(0);
    expect(r.warnings).toEqual([]);
  });

  it('counts non-2xx, connection errors and timeouts as a fraction of requests', () => {
    const run = runOf({
      latenciesMs: Array.from({ length: 150 }, () => 2),
      non2xx: 40,
      statusCounts: { 200: 150, 404: 10, 503: 30 },
      errors: 10,
      timeouts: 4,
    });
    const r = summarizeRun('api/items', run, ctx);
    expect(val(r, 'api/items:errors')).toBeCloseTo(50 / 200, 12);
    expect(val(r, 'api/items:throughput')).toBe(150); // 2xx only
    expect(r.warnings.join('\n')).toMatch(/non-2xx status \(404, 503\)/);
    expect(r.warnings.join('\n')).toMatch(/connection error/);
    expect(r.warnings.join('\n')).toMatch(/timed out/);
  });

  it('counts a run in which nothing completed as fully failed', () => {
    const r = summarizeRun('api/items', runOf({}), ctx);
    expect(val(r, 'api/items:errors')).toBe(1);
    expect(val(r, 'api/items:throughput')).toBe(0);
    expect(val(r, 'api/items:p50')).toBeUndefined();
    expect(val(r, 'api/items:cpu')).toBeUndefined();
    expect(r.warnings.join('\n')).toMatch(/never answered/);
  });

  it('warns when the load generator, not the server, was the bottleneck', () => {
    const run = runOf({ latenciesMs: Array.from({ length: 500 }, () => 1), driverCpu: 0.97 });
    expect(summarizeRun('api/items', run, ctx).warnings.join('\n')).toMatch(
      /load generator used over 90\.0 % of a CPU core/,
    );
  });

  it('names the bottleneck of a rate run that missed its target', () => {
    const base = { latenciesMs: Array.from({ length: 300 }, () => 10) };
    const byDriver = summarizeRun('a/b', runOf({ ...base, driverCpu: 0.95 }), { ...ctx, rate: 1000 });
    expect(byDriver.warnings.join('\n')).toMatch(/target rate 1000\/s; the bottleneck was the load generator/);
    const byServer = summarizeRun('a/b', runOf(base), { ...ctx, serverCpu: 0.99, rate: 1000 });
    expect(byServer.warnings.join('\n')).toMatch(/the bottleneck was the server \(it used most of a CPU core\)/);
    const byConnections = summarizeRun('a/b', runOf(base), { ...ctx, rate: 1000 });
    expect(byConnections.warnings.join('\n')).toMatch(/response time with 4 connections/);
    const met = summarizeRun('a/b', runOf(base), { ...ctx, rate: 300 });
    expect(met.warnings).toEqual([]);
  });

  it('words warnings without per-run figures so rounds repeat the same text', () => {
    const a = summarizeRun('a/b', runOf({ latenciesMs: [1, 2], non2xx: 3, statusCounts: { 200: 2, 500: 3 } }), ctx);
    const b = summarizeRun('a/b', runOf({ latenciesMs: [1, 2, 3], non2xx: 7, statusCounts: { 200: 3, 500: 7 } }), ctx);
    expect(a.warnings).toEqual(b.warnings);
  });
});

describe('loadShape', () => {
  it('defaults to 10 connections closed-loop, and one connection per request/s (at most 100) with a rate', () => {
    expect(loadShape(suite({ connections: undefined }))).toEqual({ connections: 10 });
    expect(loadShape(suite({ connections: undefined, rate: 40 }))).toEqual({ connections: 40, rate: 40 });
    expect(loadShape(suite({ connections: undefined, rate: 5000 }))).toEqual({ connections: 100, rate: 5000 });
    expect(loadShape(suite({ connections: 8, rate: 500 }))).toEqual({ connections: 8, rate: 500 });
    expect(loadShape(suite({ connections: 8, rate: 2.5 }))).toEqual({ connections: 8, rate: 2.5 });
  });
});

describe('procfs parsers', () => {
  it('reads state, parent, process group and CPU ticks from /proc/PID/stat, even with ") " in the name', () => {
    const text =
      '4242 (node (x) y) S 4200 4242 4242 0 -1 4194560 3000 0 0 0 150 30 7 3 20 0 11 0 9000 1000000 5000 18446744073709551615';
    expect(parseProcStat(4242, text)).toEqual({
      pid: 4242,
      state: 'S',
      ppid: 4200,
      pgrp: 4242,
      ownTicks: 180,
      childTicks: 10,
    });
  });

  it('finds sockets listening on a port in /proc/net/tcp', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 12346 1 0 20 4 30 10 -1',
      '   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0 100 0 0 10 0',
    ].join('\n');
    expect(parseListeningInodes(text, 8080)).toEqual(['12345']);
    expect(parseListeningInodes(text, 80)).toEqual(['999']);
    expect(parseListeningInodes(text, 81)).toEqual([]);
  });
});

describe('serverEnv', () => {
  it("passes the environment and the suite's env, but not the action's inputs and runner tokens", () => {
    const env = serverEnv(
      {
        PATH: '/bin',
        INPUT_TOKEN: 'secret',
        ACTIONS_RUNTIME_TOKEN: 't',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'u',
        HOME: '/h',
      },
      { NODE_ENV: 'production' },
    );
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', NODE_ENV: 'production' });
  });
});
