/**
 * What the load-testing tools (JMeter, Gatling, Artillery, Locust) have in common: per request
 * name, one invocation gives a `throughput` (successful requests per second, higher is better),
 * an `errors` fraction (failed / all requests, lower is better) and latency percentiles (s, lower
 * is better). Throughput counts successes only, as perfgate's own HTTP suites do, so a server
 * that fails fast never looks faster.
 *
 * Tools that log every request (JMeter's JTL, Gatling's simulation.log) are summarized here from
 * the raw samples; tools that write their own summary (Artillery, Locust, Gatling's stats.json)
 * keep the percentiles they computed.
 */
import { quantileSorted } from '../../core/stats/quantiles';
import type { HarnessMetric } from './common';

/** The percentiles computed from raw samples, as perfgate's HTTP suites report them. */
export const SAMPLE_PERCENTILES = [50, 90, 95, 99] as const;

export function throughputMetric(perSecond: number): HarnessMetric {
  return { name: 'throughput', unit: '1/s', direction: 'higher', value: perSecond };
}

export function errorsMetric(fraction: number): HarnessMetric {
  return { name: 'errors', unit: 'fraction', direction: 'lower', value: fraction };
}

/** A latency percentile `p` (e.g. 99, 99.9) in seconds. */
export function percentileMetric(p: number, seconds: number): HarnessMetric {
  return { name: `p${p}`, unit: 's', direction: 'lower', value: seconds };
}

/** One logged request: start and end in milliseconds (any origin), and whether it succeeded. */
export interface RequestSample {
  start: number;
  end: number;
  /** Response time in milliseconds (JMeter's `elapsed`; end − start for Gatling). */
  elapsed: number;
  ok: boolean;
}

/**
 * Collects logged requests per name, in first-seen order, and summarizes each name:
 * - `throughput`: successful requests / the name's window (first start to last end, in s) — the
 *   definition of JMeter's Summary Report (`Calculator.getRate`); a window of 0 (one request)
 *   yields no throughput;
 * - `errors`: failed / all;
 * - `p50` `p90` `p95` `p99`: of the successful requests' response times (Hyndman–Fan type 7, as
 *   every quantile in perfgate), omitted when none succeeded.
 */
export class RequestLog {
  private readonly byName = new Map<string, RequestSample[]>();

  add(name: string, sample: RequestSample): void {
    let list = this.byName.get(name);
    if (!list) {
      list = [];
      this.byName.set(name, list);
    }
    list.push(sample);
  }

  get size(): number {
    return this.byName.size;
  }

  /** Seconds from the first start to the last end over all names. */
  span(): number {
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const samples of this.byName.values())
      for (const s of samples) {
        first = Math.min(first, s.start);
        last = Math.max(last, s.end);
      }
    return (last - first) / 1000;
  }

  /** Per name, its metrics (in the order names were first seen). */
  summarize(window?: (name: string, samples: RequestSample[]) => number): [string, HarnessMetric[]][] {
    const out: [string, HarnessMetric[]][] = [];
    for (const [name, samples] of this.byName) {
      const ok = samples.filter((s) => s.ok);
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      for (const s of samples) {
        first = Math.min(first, s.start);
        last = Math.max(last, s.end);
      }
      const seconds = window ? window(name, samples) : (last - first) / 1000;
      const metrics: HarnessMetric[] = [];
      if (seconds > 0) metrics.push(throughputMetric(ok.length / seconds));
      metrics.push(errorsMetric((samples.length - ok.length) / samples.length));
      if (ok.length > 0) {
        const times = ok.map((s) => s.elapsed).sort((a, b) => a - b);
        for (const p of SAMPLE_PERCENTILES) metrics.push(percentileMetric(p, quantileSorted(times, p / 100) / 1000));
      }
      out.push([name, metrics]);
    }
    return out;
  }
}
