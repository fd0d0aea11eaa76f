/**
 * The growth of one soak run: how fast a resource (resident memory, open file descriptors) rises
 * under constant load once the server has settled.
 *
 * A managed runtime's memory is a saw-tooth: it climbs while garbage piles up and drops at each
 * major collection. A leak is what the drops no longer give back, so the growth is fitted to the
 * **lower envelope**: the samples after `settle` are cut into windows of `window` seconds, each
 * window's lowest sample (and its time) is a point of the envelope — after a collection, when the
 * window holds one — and the growth is the least-squares slope through those points. A window at
 * least as long as the time between major collections keeps the saw-tooth out of the slope; a leak
 * raises every minimum alike.
 *
 * The runs of a side are replicates: their growths are compared against base by Student's t-test
 * (`core/gate/growth.ts`), whose error rate holds whatever the noise inside a run looks like
 * (autocorrelated, a saw-tooth, a run-to-run drift), because it learns the spread of the growth from
 * the runs themselves.
 */

/**
 * The lower envelope of a series after `settle`: each `window`-second window's lowest sample and its
 * time. A last window the series covers less than 90 % of is left out (its minimum would be of fewer
 * samples than the others').
 */
export function lowerEnvelope(
  t: readonly number[],
  y: readonly number[],
  settle: number,
  window: number,
): { t: number[]; y: number[] } {
  const out = { t: [] as number[], y: [] as number[] };
  const end = Math.max(...t);
  for (let from = settle; from + 0.9 * window <= end; from += window) {
    let best = -1;
    for (let i = 0; i < t.length; i++)
      if (t[i] >= from && t[i] < from + window && (best === -1 || y[i] < y[best])) best = i;
    if (best === -1) continue;
    out.t.push(t[best]);
    out.y.push(y[best]);
  }
  return out;
}

/** The ordinary least-squares slope of y on x; NaN with fewer than two distinct x. */
export function leastSquaresSlope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : Number.NaN;
}

/**
 * The growth of one run (per second): the slope of the lower envelope after `settle` (see the file
 * comment); NaN when fewer than two windows hold samples.
 */
export function envelopeGrowth(t: readonly number[], y: readonly number[], settle: number, window: number): number {
  const e = lowerEnvelope(t, y, settle, window);
  return leastSquaresSlope(e.t, e.y);
}
