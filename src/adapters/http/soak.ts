/**
 * One soak run of one scenario on a running server: a constant arrival rate for `soak.duration`
 * seconds while the server's process group is sampled every second for its resident memory (VmRSS,
 * summed over the group) and its open file descriptors. Each resource's growth in this run (the slope
 * of its lower envelope after the settle time, `core/soak.ts`) is one value of a growth metric, which
 * the gate compares across sides against the tolerance (`core/gate/growth.ts`); the latency of the
 * first and the last minute, the throughput and the errors are reported beside it.
 */
import type { MetricValue, Side, SoakRole } from '../../core/model';
import { envelopeGrowth } from '../../core/soak';
import type { HttpScenario, SoakOptions } from '../../settings/suites';
import { groupOpenFds, groupRssBytes } from '../procfs';
import { type LoadRunResult, runLoad } from './load';

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
}

/** Seconds per latency slice: the first and the last minute are compared. */
const MINUTE = 60;

export async function runSoak(o: SoakRunOptions): Promise<SoakRunResult> {
  const { series, run } = await sampledLoad(o);
  const growth = growthMetrics(o, series);
  const reported = reportedMetrics(`${o.suite}/${o.scenario.name}`, o.soak, run);
  return { values: [...growth.values, ...reported.values], warnings: [...growth.warnings, ...reported.warnings] };
}

/** The server group's samples: seconds since the first, resident memory (B), open descriptors. */
interface SoakSeries {
  t: number[];
  rss: number[];
  fds: number[];
}

/** The soak's load run, with the server's group sampled before, every second during, and after it. */
async function sampledLoad(o: SoakRunOptions): Promise<{ series: SoakSeries; run: LoadRunResult }> {
  const { soak } = o;
  const series: SoakSeries = { t: [], rss: [], fds: [] };
  const t0 = performance.now();
  const sample = () => {
    const r = groupRssBytes(o.pgid, o.supervisorPid ?? null);
    const f = groupOpenFds(o.pgid, o.supervisorPid ?? null);
    if (r === null || f === null) return;
    series.t.push((performance.now() - t0) / 1000);
    series.rss.push(r);
    series.fds.push(f);
  };
  sample();
  const timer = setInterval(sample, 1000);
  let run: LoadRunResult;
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
  return { series, run };
}

/** The growth metrics of memory and descriptors, or a warning when there are too few samples for them. */
function growthMetrics(o: SoakRunOptions, { t, rss, fds }: SoakSeries): SoakRunResult {
  const { soak } = o;
  const { settle } = soak;
  const values: MetricValue[] = [];
  const warnings: string[] = [];
  const rssGrowth = envelopeGrowth(t, rss, settle, soak.block);
  const fdGrowth = envelopeGrowth(t, fds, settle, soak.block);
  if (!Number.isFinite(rssGrowth) || !Number.isFinite(fdGrowth)) {
    warnings.push(
      t.length < 2
        ? `${o.suite}: memory and file descriptors are not sampled on this platform (they need Linux /proc); no growth metrics.`
        : `${o.suite}: the server's memory was sampled ${t.length} times, too few after the settle time (${settle} s) for a growth; no growth metrics.`,
    );
  } else {
    const growth = (tolerance: number): SoakRole => ({ role: 'growth', tolerance, runs: soak.rounds });
    values.push({
      id: `${o.suite}:rss-growth`,
      unit: 'B/s',
      direction: 'lower',
      value: rssGrowth,
      soak: growth(soak.tolerance),
    });
    values.push({
      id: `${o.suite}:fd-growth`,
      unit: '1/s',
      direction: 'lower',
      value: fdGrowth,
      soak: growth(soak.fdTolerance / 60),
    });
  }
  return { values, warnings };
}

/**
 * The metrics reported beside the growth (throughput, errors, the last minute's latency and the
 * p99's drift from the first minute), and a warning when the soak fell short of its rate.
 */
function reportedMetrics(prefix: string, soak: SoakOptions, run: LoadRunResult): SoakRunResult {
  const values: MetricValue[] = [];
  const warnings: string[] = [];
  const reported: SoakRole = { role: 'reported' };
  const window = Math.max(run.window, 1e-9);
  const attempts = run.ok + run.non2xx + run.errors;
  values.push({ id: `${prefix}:throughput`, unit: '1/s', direction: 'higher', value: run.ok / window, soak: reported });
  values.push({
    id: `${prefix}:errors`,
    unit: 'fraction',
    direction: 'lower',
    value: attempts === 0 ? 1 : (run.non2xx + run.errors) / attempts,
    soak: reported,
  });
  const slices = (run.slices ?? []).filter((h) => h.count > 0);
  if (slices.length >= 2) {
    const first = slices[0];
    const last = slices[slices.length - 1];
    for (const p of [50, 99]) {
      const v = last.percentileSeconds(p);
      if (v !== null) values.push({ id: `${prefix}:p${p}`, unit: 's', direction: 'lower', value: v, soak: reported });
    }
    const a = first.percentileSeconds(99);
    const b = last.percentileSeconds(99);
    if (a !== null && b !== null && a > 0)
      values.push({
        id: `${prefix}:p99-drift`,
        unit: 'fraction',
        direction: 'lower',
        value: b / a - 1,
        soak: reported,
      });
  }
  if (attempts < 0.9 * soak.rate * soak.duration)
    warnings.push(
      `${prefix}: the soak completed less than 90 % of its requests at ${soak.rate}/s; the server (or the load generator) could not keep up, so the growth is measured at a lower load.`,
    );
  return { values, warnings };
}
