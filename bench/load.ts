/**
 * Load-driver benchmark: how fast perfgate's HTTP driver (autocannon in-process, with our own
 * histogram and pacing) can push one trivial server, compared with wrk against the same server,
 * and what a suite run costs beyond its measured duration (startup, readiness, warm-up, stop).
 *
 *   node --import tsx bench/load.ts [--quick]
 *
 * Figures depend on the machine and on whatever else runs on it: the driver and the server share
 * its cores. "driver CPU" and "server CPU" are fractions of one core over the run.
 */
import { spawnSync } from 'node:child_process';
import { runLoad } from '../src/adapters/http/load';
import { groupCpuSeconds } from '../src/adapters/http/procfs';
import { measureHttpReplicate, runHttpReplicate } from '../src/adapters/http/replicate';
import { type ServerProcess, startServer } from '../src/adapters/http/server';
import type { HttpScenario, HttpSuite } from '../src/settings/suites';

const quick = process.argv.includes('--quick');
const RUN_S = quick ? 1 : 2;

const TRIVIAL_SERVER =
  'node -e \'require("node:http").createServer((q, s) => s.end("ok")).listen(process.env.PORT, process.env.HOST)\'';
const scenario: HttpScenario = { name: 'root', method: 'GET', path: '/' };

type Row = (string | number)[];
function table(head: string[], rows: Row[]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const ms = (s: number | null) => (s === null ? '–' : (s * 1000).toFixed(3));
const fixed = (x: number, d = 0) => x.toFixed(d);

async function withServer<T>(fn: (server: ServerProcess) => Promise<T>): Promise<T> {
  const server = await startServer({
    suite: 'bench',
    side: 'base',
    command: TRIVIAL_SERVER,
    cwd: process.cwd(),
    env: process.env,
    readyTimeout: 10,
  });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

async function driverRun(server: ServerProcess, connections: number, rate?: number) {
  const cpu0 = groupCpuSeconds(server.pgid);
  const run = await runLoad({ port: server.port, scenario, connections, rate, duration: RUN_S });
  const cpu1 = groupCpuSeconds(server.pgid);
  const attempts = run.ok + run.non2xx + run.errors;
  return {
    achieved: attempts / run.window,
    ok: run.ok / run.window,
    p50: run.latency.percentileSeconds(50),
    p99: run.latency.percentileSeconds(99),
    driverCpu: run.driverCpu / run.window,
    serverCpu: cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / run.window : null,
  };
}

function wrk(port: number, connections: number): { rps: number; p50: string; p99: string } | null {
  const out = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${RUN_S}s`, '--latency', `http://127.0.0.1:${port}/`], {
    encoding: 'utf8',
  });
  if (out.error || out.status !== 0) return null;
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out.stdout);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out.stdout);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out.stdout);
  return rps ? { rps: Number(rps[1]), p50: p50?.[1] ?? '–', p99: p99?.[1] ?? '–' } : null;
}

async function main(): Promise<void> {
  const cores = (await import('node:os')).cpus().length;
  console.log(`# perfgate load driver benchmark (${cores} cores, Node ${process.version}, ${RUN_S} s per run)\n`);

  // 1. Closed loop: our driver vs wrk against the same trivial server.
  const closed: Row[] = [];
  await withServer(async (server) => {
    await runLoad({ port: server.port, scenario, connections: 10, duration: 0.5 }); // warm the server
    for (const c of [1, 10, 50]) {
      const r = await driverRun(server, c);
      closed.push([
        'perfgate (autocannon)',
        c,
        fixed(r.ok),
        ms(r.p50),
        ms(r.p99),
        pct(r.driverCpu),
        r.serverCpu === null ? '–' : pct(r.serverCpu),
      ]);
      const cpu0 = groupCpuSeconds(server.pgid);
      const t0 = performance.now();
      const w = wrk(server.port, c);
      const wall = (performance.now() - t0) / 1000;
      const cpu1 = groupCpuSeconds(server.pgid);
      const serverCpu = cpu0 !== null && cpu1 !== null ? pct((cpu1 - cpu0) / wall) : '–';
      closed.push(
        w
          ? ['wrk -t1', c, fixed(w.rps), w.p50, w.p99, '–', serverCpu]
          : ['wrk (not installed)', c, '–', '–', '–', '–', '–'],
      );
    }
  });
  console.log('## Closed loop (as fast as possible)\n');
  console.log(table(['driver', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'driver CPU', 'server CPU'], closed));

  // 2. Open loop: the highest constant rate the paced driver sustains (≥ 90 % of target).
  const open: Row[] = [];
  let sustained = 0;
  await withServer(async (server) => {
    await runLoad({ port: server.port, scenario, connections: 10, duration: 0.5 });
    for (const rate of quick ? [1000, 4000, 8000] : [1000, 2000, 4000, 8000, 16000, 24000, 32000, 48000]) {
      const r = await driverRun(server, 100, rate);
      const met = r.achieved >= 0.9 * rate;
      if (met) sustained = rate;
      open.push([
        rate,
        fixed(r.achieved),
        met ? 'yes' : 'no',
        ms(r.p50),
        ms(r.p99),
        pct(r.driverCpu),
        r.serverCpu === null ? '–' : pct(r.serverCpu),
      ]);
      if (!met) break;
    }
  });
  console.log('\n## Open loop (paced, 100 connections)\n');
  console.log(table(['target req/s', 'achieved', 'met', 'p50 ms', 'p99 ms', 'driver CPU', 'server CPU'], open));
  console.log(`\nHighest rate sustained: ${sustained} req/s`);

  // 3. Overhead of one replicate beyond its measured duration.
  const overhead: Row[] = [];
  for (const [duration, warmupDuration] of [
    [1, 0],
    [1, 1],
  ]) {
    const suite: HttpSuite = {
      kind: 'http',
      name: 'bench',
      server: TRIVIAL_SERVER,
      ready: '/',
      readyTimeout: 10,
      connections: 10,
      duration,
      warmupDuration,
      warmup: 0,
      timeout: 60,
      scenarios: [scenario],
    };
    const reps = quick ? 2 : 4;
    const sums = { start: 0, warmup: 0, measured: 0, stop: 0, total: 0 };
    for (let i = 0; i < reps; i++) {
      const { timings } = await measureHttpReplicate(suite, { side: 'base', checkoutDir: process.cwd() });
      for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] += timings[k] / reps;
    }
    overhead.push([
      `${duration} s + ${warmupDuration} s warm-up`,
      fixed(sums.start, 3),
      fixed(sums.warmup, 3),
      fixed(sums.measured, 3),
      fixed(sums.stop, 3),
      fixed(sums.total, 3),
      fixed(sums.total - duration, 3),
    ]);
  }
  // 4. A/A spread: replicates of the same server, as the statistics will see them.
  const spread: Row[] = [];
  for (const [label, shape] of [
    ['closed, 10 connections', { connections: 10 }],
    ['rate 2000/s', { rate: 2000 }],
  ] as const) {
    const suite: HttpSuite = {
      kind: 'http',
      name: 'bench',
      server: TRIVIAL_SERVER,
      readyTimeout: 10,
      ...shape,
      duration: 1,
      warmupDuration: 0.5,
      warmup: 0,
      timeout: 60,
      scenarios: [scenario],
    };
    const reps = quick ? 3 : 8;
    const byMetric = new Map<string, number[]>();
    for (let i = 0; i < reps; i++) {
      const r = await runHttpReplicate(suite, { side: 'base', checkoutDir: process.cwd() });
      for (const v of r.values) byMetric.set(v.id, [...(byMetric.get(v.id) ?? []), v.value]);
    }
    for (const m of ['throughput', 'p50', 'p99', 'cpu']) {
      const xs = byMetric.get(`bench/root:${m}`) ?? [];
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      const sorted = [...xs].sort((a, b) => a - b);
      const unit = m === 'throughput' ? 1 : m === 'cpu' ? 1e6 : 1e3;
      const f = (x: number) => (x * unit).toFixed(m === 'throughput' ? 0 : 3);
      spread.push([
        label,
        m === 'throughput' ? 'req/s' : m === 'cpu' ? 'cpu µs/req' : `${m} ms`,
        xs.length,
        f(sorted[0]),
        f(sorted[sorted.length >> 1]),
        f(sorted[sorted.length - 1]),
        pct(sd / mean),
      ]);
    }
  }
  console.log('\n## A/A spread (replicates of one server: 1 s measured after 0.5 s warm-up)\n');
  console.log(table(['load', 'metric', 'n', 'min', 'median', 'max', 'CV'], spread));

  console.log('\n## Cost of one replicate (mean seconds; one scenario, 10 connections)\n');
  console.log(
    table(['measured + warm-up', 'start+ready', 'warm-up', 'measured', 'stop', 'total', 'beyond duration'], overhead),
  );
}

await main();
