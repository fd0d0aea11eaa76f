/**
 * Latency histogram of one load run (load.ts records every 2xx response time into one), with
 * microsecond resolution: whole milliseconds would be too coarse for fast endpoints. Method:
 * HdrHistogram (Gil Tene, https://hdrhistogram.github.io/HdrHistogram/) via `hdr-histogram-js`,
 * 3 significant digits, so values are exact up to 2,048 µs and within 0.1 % above that.
 */
import { build, type Histogram } from 'hdr-histogram-js';

export class LatencyHistogram {
  private readonly hist: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 24, // auto-resizes beyond ~16.8 s
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });

  /** Records one response time given in milliseconds (fractional). */
  recordMillis(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.hist.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** Number of recorded responses. */
  get count(): number {
    return this.hist.totalCount;
  }

  /** The value at a percentile (0–100) of the whole run, in seconds; null when empty. */
  percentileSeconds(p: number): number | null {
    if (this.hist.totalCount === 0) return null;
    return this.hist.getValueAtPercentile(p) / 1e6;
  }

  /** Mean response time in seconds; null when empty. */
  meanSeconds(): number | null {
    if (this.hist.totalCount === 0) return null;
    return this.hist.mean / 1e6;
  }
}
