/**
 * Do HTTP suites decide? An unchanged real-framework server (koa and fastify hello-world, installed
 * from npm into a temporary directory) measured as base and head by the shipped HTTP suite runner,
 * interleaved in rounds, under several load settings. For each setting and metric the shipped gate
 * (paired and two-sample) replays the samples and reports the round at which the metric was decided
 * at a 5 % and a 10 % budget (— when it was still undecided at max-rounds), and the noise of one
 * replicate (robust CV of the per-round log ratio head/base).
 *
 *   npm run bench:http
 *   PERFGATE_HTTP_ROUNDS=30 PERFGATE_HTTP_FRAMEWORKS=koa npm run bench:http
 *
 * Environment: PERFGATE_HTTP_ROUNDS (default 30), PERFGATE_HTTP_FRAMEWORKS (koa,fastify),
 * PERFGATE_HTTP_SETTINGS (names from SETTINGS below, comma-separated; default all).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { measure } from '../src/app/measure';
import { httpRunner, type SuiteRunner } from '../src/app/runners';
import { SequentialGate } from '../src/core/gate/gate';
import type { Analysis } from '../src/core/gate/shift';
import type { Side } from '../src/core/model';
import { median, robustScale } from '../src/core/stats/quantiles';
import type { HttpSuite } from '../src/settings/suites';

const ROUNDS = Number(process.env.PERFGATE_HTTP_ROUNDS ?? 30);
const FRAMEWORKS = (process.env.PERFGATE_HTTP_FRAMEWORKS ?? 'koa,fastify').split(',');

interface Setting {
  name: string;
  suite: Partial<HttpSuite>;
}

const SETTINGS: Setting[] = [
  { name: 'closed-50c-3s', suite: { connections: 50, duration: 3, warmupDuration: 1 } },
  { name: 'closed-10c-5s', suite: { connections: 10, duration: 5, warmupDuration: 1 } },
  { name: 'closed-10c-10s', suite: { connections: 10, duration: 10, warmupDuration: 2 } },
  { name: 'open-2000rps-5s', suite: { rate: 2000, duration: 5, warmupDuration: 1 } },
];

const SERVERS: Record<string, string> = {
  koa: `const Koa = require('koa'); const app = new Koa(); app.use((ctx) => { ctx.body = { hello: 'world' }; }); app.listen(Number(process.env.PORT), '127.0.0.1');`,
  fastify: `const f = require('fastify')(); f.get('/', async () => ({ hello: 'world' })); f.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`,
};

function install(dir: string): void {
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'http-decide', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', 'koa@2', 'fastify@5'], {
    cwd: dir,
    stdio: 'inherit',
  });
  for (const [name, code] of Object.entries(SERVERS)) writeFileSync(path.join(dir, `${name}.cjs`), code);
}

/** Records every replicate of a runner so the gate can replay them with other settings. */
function recording(runner: SuiteRunner, log: Map<string, Record<Side, number[]>>): SuiteRunner {
  return {
    suite: runner.suite,
    warmup: (side, dir, signal) => runner.warmup(side, dir, signal),
    async sample(side, dir, signal) {
      const r = await runner.sample(side, dir, signal);
      for (const v of r.values) {
        const entry = log.get(v.id) ?? { base: [], head: [] };
        entry[side].push(v.value);
        log.set(v.id, entry);
      }
      return r;
    },
  };
}

/** Round at which the shipped gate decides a metric on recorded samples, or null. */
async function decidedAt(
  id: string,
  samples: Record<Side, number[]>,
  direction: 'lower' | 'higher',
  budget: number,
  analysis: Analysis,
): Promise<string> {
  const n = Math.min(samples.base.length, samples.head.length);
  const gate = new SequentialGate({ alpha: 0.05, minRounds: 10, maxRounds: Math.max(10, n), analysis }, () => ({
    kind: 'relative',
    limit: budget,
    source: `${budget * 100}%`,
  }));
  const counts = { base: 0, head: 0 };
  const replay: SuiteRunner = {
    suite: { kind: 'command', name: 'replay', run: 'replay', warmup: 0, timeout: 60 },
    async warmup() {},
    async sample(side) {
      return { values: [{ id, unit: 's', direction, value: samples[side][counts[side]++] }], warnings: [] };
    },
  };
  const out = await measure([replay], {
    checkouts: { base: 'b', head: 'h' },
    gate,
    maxRounds: n,
    maxTimeS: 1e9,
    seed: 3,
    log: () => {},
  });
  const r = out.look!.results[0];
  return r.outcome === 'inconclusive' ? `— (${r.outcome})` : `${out.rounds} (${r.outcome})`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-http-decide-'));
  try {
    install(dir);
    console.log(
      `## HTTP suites on an unchanged server — ${cpus()[0]?.model}, ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; ${ROUNDS} rounds per setting`,
    );
    const wanted = process.env.PERFGATE_HTTP_SETTINGS?.split(',');
    for (const framework of FRAMEWORKS) {
      for (const setting of SETTINGS.filter((s) => !wanted || wanted.includes(s.name))) {
        const suite = {
          kind: 'http',
          name: 'api',
          server: `node ${framework}.cjs`,
          readyTimeout: 30,
          warmup: 1,
          timeout: 120,
          scenarios: [{ name: 'hello', method: 'GET', path: '/' }],
          duration: 5,
          warmupDuration: 1,
          ...setting.suite,
        } as HttpSuite;
        const log = new Map<string, Record<Side, number[]>>();
        const started = Date.now();
        const gate = new SequentialGate({ alpha: 0.05, minRounds: ROUNDS, maxRounds: ROUNDS }, () => ({
          kind: 'off',
          source: 'off',
        }));
        await measure([recording(httpRunner(suite), log)], {
          checkouts: { base: dir, head: dir },
          gate,
          maxRounds: ROUNDS,
          maxTimeS: 1e9,
          seed: 5,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        console.log(`\n### ${framework}, ${setting.name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        console.log(
          '| metric | CV of log(head/base) per round | 5 %: paired | 5 %: two-sample | 10 %: paired | 10 %: two-sample |',
        );
        console.log('|---|---|---|---|---|---|');
        for (const [id, s] of log) {
          if (!/:(throughput|p50|p99)$/.test(id)) continue;
          const direction = id.endsWith('throughput') ? 'higher' : 'lower';
          const n = Math.min(s.base.length, s.head.length);
          const ratios = Array.from({ length: n }, (_, i) => Math.log(s.head[i] / s.base[i]));
          const cv = robustScale(ratios);
          const cells: string[] = [];
          for (const budget of [0.05, 0.1])
            for (const analysis of ['paired', 'two-sample'] as const)
              cells.push(await decidedAt(id, s, direction, budget, analysis));
          console.log(
            `| ${id} (median ${median(s.base).toPrecision(3)}) | ${(cv * 100).toFixed(1)} % | ${cells.join(' | ')} |`,
          );
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
