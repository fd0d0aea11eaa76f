/**
 * Load-driver benchmark: how fast perfgate's HTTP driver (its own keep-alive client, in-process,
 * with µs latency histograms and open-loop pacing) can push one trivial server, against the
 * autocannon CLI and wrk on the same server in the same run, and what a suite run costs beyond its
 * measured duration (startup, readiness, warm-up, stop).
 *
 *   node --import tsx bench/load.ts [--quick]
 *
 * Figures depend on the machine and on whatever else runs on it: the driver and the server share
 * its cores, so every row carries the 1-minute load average at the time it was measured. "driver
 * CPU/req" is the load generator's own CPU time per response (user + system; for the CLIs from
 * getrusage of the child, start-up included): unlike req/s it hardly depends on what else runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { driverCeiling, measureCapacity } from '../src/adapters/http/capacity';
import { runLoad } from '../src/adapters/http/load';
import { measureHttpReplicate, runHttpReplicate } from '../src/adapters/http/replicate';
import { type ServerProcess, startServer } from '../src/adapters/http/server';
import { groupCpuSeconds } from '../src/adapters/procfs';
import { capacitySchema, type HttpScenario, type HttpSuite } from '../src/settings/suites';

const quick = process.argv.includes('--quick');
const RUN_S = quick ? 1 : 3;
const REPEATS = quick ? 2 : 5;

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
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** The 1-minute load average (the `uptime` figure). */
const loadAvg = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

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
    cpuPerReq: run.ok > 0 ? run.driverCpu / run.ok : Number.NaN,
    serverCpu: cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / run.window : null,
  };
}

/** Runs a command and returns its stdout and the CPU seconds it used (getrusage of children). */
function measured(cmd: string[]): { stdout: string; cpu: number } | null {
  const py =
    'import resource,subprocess,sys\np=subprocess.run(sys.argv[1:],capture_output=True,text=True)\nr=resource.getrusage(resource.RUSAGE_CHILDREN)\nprint(r.ru_utime+r.ru_stime)\nprint(p.stdout)';
  const out = spawnSync('python3', ['-c', py, ...cmd], { encoding: 'utf8' });
  if (out.error || out.status !== 0) return null;
  const nl = out.stdout.indexOf('\n');
  return { cpu: Number(out.stdout.slice(0, nl)), stdout: out.stdout.slice(nl + 1) };
}

const AUTOCANNON = 'node_modules/.bin/autocannon';
function autocannonCli(port: number, connections: number) {
  if (!existsSync(AUTOCANNON)) return null;
  const r = measured([AUTOCANNON, '-c', String(connections), '-d', String(RUN_S), '-j', `http://127.0.0.1:${port}/`]);
  if (!r) return null;
  const j = JSON.parse(r.stdout);
  return {
    rps: j.requests.total / j.duration,
    cpuPerReq: r.cpu / j.requests.total,
    p50: `${j.latency.p50}`,
    p99: `${j.latency.p99}`,
  };
}
function wrk(port: number, connections: number) {
  const r = measured(['wrk', '-t1', `-c${connections}`, `-d${RUN_S}s`, '--latency', `http://127.0.0.1:${port}/`]);
  if (!r) return null;
  const n = /(\d+) requests in ([\d.]+)(m?s)/.exec(r.stdout);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const p50 = /^\s+50%\s+(\S+)/m.exec(r.stdout);
  const p99 = /^\s+99%\s+(\S+)/m.exec(r.stdout);
  if (!rps || !n) return null;
  return { rps: Number(rps[1]), cpuPerReq: r.cpu / Number(n[1]), p50: p50?.[1] ?? '–', p99: p99?.[1] ?? '–' };
}

async function main(): Promise<void> {
  const cores = (await import('node:os')).cpus().length;
  console.log(
    `# perfgate load driver benchmark (${cores} cores, Node ${process.version}, ${RUN_S} s per run, load average ${loadAvg()} at start)\n`,
  );

  // 1. Closed loop, one server, the three drivers interleaved in rotating order, REPEATS times.
  const closed: Row[] = [];
  const ratios: { c: number; cli: number[]; wrk: number[] }[] = [];
  await withServer(async (server) => {
    await runLoad({ port: server.port, scenario, connections: 10, duration: 0.5 }); // warm the server
    for (const c of [10, 50]) {
      const r = { c, cli: [] as number[], wrk: [] as number[] };
      ratios.push(r);
      for (let rep = 0; rep < REPEATS; rep++) {
        const got: Record<string, number> = {};
        const tools = ['perfgate', 'autocannon CLI', 'wrk -t1'];
        for (let k = 0; k < tools.length; k++) {
          const tool = tools[(k + rep) % tools.length];
          const load = loadAvg();
          if (tool === 'perfgate') {
            const d = await driverRun(server, c);
            got[tool] = d.ok;
            closed.push([tool, c, rep + 1, fixed(d.ok), fixed(d.cpuPerReq * 1e6, 1), ms(d.p50), ms(d.p99), load]);
          } else {
            const w = tool === 'wrk -t1' ? wrk(server.port, c) : autocannonCli(server.port, c);
            if (w) got[tool] = w.rps;
            closed.push(
              w
                ? [tool, c, rep + 1, fixed(w.rps), fixed(w.cpuPerReq * 1e6, 1), w.p50, w.p99, load]
                : [`${tool} (not installed)`, c, rep + 1, '–', '–', '–', '–', load],
            );
          }
        }
        if (got['autocannon CLI']) r.cli.push(got.perfgate / got['autocannon CLI']);
        if (got['wrk -t1']) r.wrk.push(got.perfgate / got['wrk -t1']);
      }
    }
  });
  console.log('## Closed loop (as fast as possible), same server, drivers interleaved\n');
  console.log(
    table(['driver', 'connections', 'repeat', 'req/s', 'driver CPU µs/req', 'p50', 'p99', 'load avg'], closed),
  );
  console.log(
    '\nperfgate / other, median over repeats of the paired runs (the goal: ≥ 0.9 × autocannon CLI, ≥ 0.8 × wrk):\n',
  );
  for (const r of ratios)
    console.log(
      `- ${r.c} connections: ${r.cli.length ? median(r.cli).toFixed(2) : '–'} × autocannon CLI (${r.cli.map((x) => x.toFixed(2)).join(', ')}), ` +
        `${r.wrk.length ? median(r.wrk).toFixed(2) : '–'} × wrk (${r.wrk.map((x) => x.toFixed(2)).join(', ')})`,
    );
  console.log('(p50/p99: perfgate in ms with µs resolution; the CLIs print their own units.)');

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
        loadAvg(),
      ]);
      if (!met) break;
    }
  });
  console.log('\n## Open loop (paced, 100 connections)\n');
  console.log(
    table(['target req/s', 'achieved', 'met', 'p50 ms', 'p99 ms', 'driver CPU', 'server CPU', 'load avg'], open),
  );
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

  // 5. What a capacity search costs: a server spending 1 ms of CPU per request, one cold search and
  // warm ones started at the previous result, as the rounds of a capacity suite run them.
  const capacity = capacitySchema.parse({
    slo: 'p99 < 50ms',
    from: '50/s',
    to: '20000/s',
    step: quick ? '500ms' : '1s',
    stepWarmup: '300ms',
  });
  const ceiling = await driverCeiling();
  const searches: Row[] = [];
  const spinServer = `node -e 'require("node:http").createServer((q, s) => { const t = performance.now() + 1; while (performance.now() < t); s.end("ok"); }).listen(process.env.PORT, process.env.HOST)'`;
  let start: number | undefined;
  for (let i = 0; i < (quick ? 2 : 4); i++) {
    const server = await startServer({
      suite: 'bench',
      side: 'base',
      command: spinServer,
      cwd: process.cwd(),
      env: process.env,
      readyTimeout: 10,
    });
    try {
      const t0 = performance.now();
      const r = await measureCapacity({ port: server.port, scenario, capacity, start, ceiling });
      searches.push([
        i === 0 ? 'cold' : 'warm',
        fixed(r.capacity),
        r.runs,
        fixed((performance.now() - t0) / 1000, 1),
        loadAvg(),
      ]);
      start = r.capacity;
    } finally {
      await server.stop();
    }
  }
  console.log(
    `\n## Capacity search cost (p99 < 50ms, 50/s … 20,000/s, 2 % grid = ${Math.ceil(Math.log(400) / Math.log(1.02))} rates; ${capacity.step} steps after ${capacity.stepWarmup} warm-up; driver ceiling ${fixed(ceiling)}/s)\n`,
  );
  console.log(table(['search', 'capacity req/s', 'load steps', 'seconds', 'load avg'], searches));
}

await main();
