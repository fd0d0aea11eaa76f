/**
 * One soak run of one scenario on a running server: a constant arrival rate for `soak.duration`
 * seconds while the server's process group is sampled every second for its resident memory (VmRSS,
 * summed over the group) and its open file descriptors. The samples become the series of the
 * growth metrics, compared across sides by `core/soak.ts`; the latency of the first and the last
 * minute become metrics of their own.
 */
import type { MetricValue, Side, SoakSeries } from '../../core/model';
import { theilSen } from '../../core/stats/theil-sen';
import type { HttpScenario, SoakOptions } from '../../settings/suites';
import { groupOpenFds, groupRssBytes } from '../procfs';
import { runLoad } from './load';

export interface SoakRunOptions {
  suite: string;
  side: Side;
  port: number;
  pgid: number;
  /** The supervisor's pid, which is in the group but is not the server. */
  supervisorPid?: number | null;
  scenario: HttpScenario;
  soak: SoakOptions;
  connections?: number;
  signal?: AbortSignal;
}

export interface SoakRunResult {
  values: MetricValue[];
  warnings: string[];
  series: SoakSeries[];
}

/** Seconds per latency slice: the first and the last minute are compared. */
const MINUTE = 60;

export async function runSoak(o: SoakRunOptions): Promise<SoakRunResult> {
  const { soak } = o;
  const settle = soak.settle ?? soak.duration / 3;
  const t: number[] = [];
  const rss: number[] = [];
  const fds: number[] = [];
  const t0 = performance.now();
  const sample = () => {
    const r = groupRssBytes(o.pgid, o.supervisorPid ?? null);
    const f = groupOpenFds(o.pgid, o.supervisorPid ?? null);
    if (r === null || f === null) return;
    t.push((performance.now() - t0) / 1000);
    rss.push(r);
    fds.push(f);
  };
  sample();
  const timer = setInterval(sample, 1000);
  let run: Awaited<ReturnType<typeof runLoad>>;
  try {
    run = await runLoad({
      port: o.port,
      scenario: o.scenario,
      connections: o.connections ?? Math.min(Math.ceil(soak.rate), 100),
      rate: soak.rate,
      duration: soak.duration,
      sliceSeconds: Math.min(MINUTE, soak.duration / 3),
      signal: o.signal,
    });
  } finally {
    clearInterval(timer);
  }
  sample();
  const prefix = `${o.suite}/${o.scenario.name}`;
  const values: MetricValue[] = [];
  const warnings: string[] = [];
  const series: SoakSeries[] = [];
  if (t.length < 2) {
    warnings.push(
      `${o.suite}: memory and file descriptors are not sampled on this platform (they need Linux /proc); no growth metrics.`,
    );
  } else {
    const grow = (y: number[]) => {
      const keep = t.map((x, i) => [x, y[i]] as const).filter(([x]) => x >= settle);
      return keep.length >= 2
        ? theilSen(
            keep.map((k) => k[0]),
            keep.map((k) => k[1]),
          ).slope
        : 0;
    };
    values.push({ id: `${o.suite}:rss-growth`, unit: 'B/s', direction: 'lower', value: grow(rss) });
    values.push({ id: `${o.suite}:fd-growth`, unit: '1/s', direction: 'lower', value: grow(fds) });
    const common = { side: o.side, t: [...t], settle, block: soak.block };
    series.push({ metric: `${o.suite}:rss-growth`, y: rss, tolerance: soak.tolerance, ...common });
    series.push({ metric: `${o.suite}:fd-growth`, y: fds, tolerance: soak.fdTolerance / 60, ...common });
  }
  const window = Math.max(run.window, 1e-9);
  const attempts = run.ok + run.non2xx + run.errors;
  values.push({ id: `${prefix}:throughput`, unit: '1/s', direction: 'higher', value: run.ok / window });
  values.push({
    id: `${prefix}:errors`,
    unit: 'fraction',
    direction: 'lower',
    value: attempts === 0 ? 1 : (run.non2xx + run.errors) / attempts,
  });
  const slices = (run.slices ?? []).filter((h) => h.count > 0);
  if (slices.length >= 2) {
    const first = slices[0];
    const last = slices[slices.length - 1];
    for (const p of [50, 99]) {
      const v = last.percentileSeconds(p);
      if (v !== null) values.push({ id: `${prefix}:p${p}`, unit: 's', direction: 'lower', value: v });
    }
    const a = first.percentileSeconds(99);
    const b = last.percentileSeconds(99);
    if (a !== null && b !== null && a > 0)
      values.push({ id: `${prefix}:p99-drift`, unit: 'fraction', direction: 'lower', value: b / a - 1 });
  }
  if (attempts < 0.9 * soak.rate * soak.duration)
    warnings.push(
      `${prefix}: the soak completed less than 90 % of its requests at ${soak.rate}/s; the server (or the load generator) could not keep up, so the growth is measured at a lower load.`,
    );
  return { values, warnings, series };
}
