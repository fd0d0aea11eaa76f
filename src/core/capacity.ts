/**
 * Capacity search: the highest arrival rate at which a service level objective holds.
 *
 * Rates live on a geometric grid, r_k = from · (1 + resolution)^k up to `to`, so that both sides and
 * every replicate are measured at the same rates and a capacity is always a grid point (its
 * quantization error is at most one step, uniformly spread: keep the resolution at a third of the
 * capacity budget or finer; the default 2 % adds a standard deviation of about 0.6 %).
 *
 * The search assumes the SLO is monotone in the rate: once it breaks at some rate it stays broken
 * at every higher one. Near the boundary a step's verdict is random (the replicate's noise), and
 * the search reports the boundary it found: the highest rate that held below the lowest that
 * failed. It is a galloping (exponential, then binary) search (Bentley & Yao 1976):
 * - cold (first replicate): from the bottom of the grid, steps 1, 2, 4, 8, … up until the SLO
 *   breaks, then bisection: at most 2·⌈log2 K⌉ + 1 load runs for a grid of K rates (a grid of
 *   2 % steps from 100/s to 20,000/s has 268 rates: at most 19 runs);
 * - warm (later replicates): from `start`, the grid point of the median capacity of the earlier
 *   replicates of both sides (pooled, so that neither side gets its own starting point), galloping
 *   up or down: when the capacity moves by j grid steps, at most 2·⌈log2(j + 1)⌉ + 2 runs — 2 for
 *   no move, 4 for one step, 6 for two or three: run-to-run noise of a few steps costs 3 to 6 runs.
 */

/** What one load step at a rate showed. */
export interface StepVerdict {
  holds: boolean;
}

/** The grid of rates from `from` to `to` (inclusive of `from`; the last point ≤ `to`). */
export function rateGrid(from: number, to: number, resolution: number): number[] {
  if (!(from > 0 && to >= from && resolution > 0))
    throw new RangeError('rateGrid: expected 0 < from ≤ to and resolution > 0');
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const r = from * (1 + resolution) ** k;
    if (r > to * (1 + 1e-9)) break;
    out.push(r);
  }
  return out;
}

/** The grid index nearest to `rate` (for a warm start), clamped to the grid. */
export function nearestIndex(grid: readonly number[], rate: number): number {
  let best = 0;
  for (let k = 1; k < grid.length; k++)
    if (Math.abs(Math.log(grid[k] / rate)) < Math.abs(Math.log(grid[best] / rate))) best = k;
  return best;
}

export interface SearchResult {
  /** Index of the highest grid rate that held below the lowest that failed; -1 when even the first failed. */
  index: number;
  /** The grid's top held (the capacity is at least the top rate, not measured above it). */
  censored: boolean;
  /** Load runs spent. */
  runs: number;
}

/**
 * Galloping search over `grid` for the highest index whose step holds, starting at `start`.
 * `step(k)` runs one load step at grid[k]; it may throw to abort the search (e.g. when the load
 * generator saturated).
 */
export async function searchCapacity(
  grid: readonly number[],
  step: (k: number) => Promise<StepVerdict>,
  start = 0,
): Promise<SearchResult> {
  const top = grid.length - 1;
  let runs = 0;
  const cache = new Map<number, boolean>();
  const holds = async (k: number) => {
    const known = cache.get(k);
    if (known !== undefined) return known;
    runs++;
    const v = (await step(k)).holds;
    cache.set(k, v);
    return v;
  };
  let lo: number; // highest index known to hold (−1: none)
  let hi: number; // lowest index known to fail (top + 1: none)
  const s = Math.max(0, Math.min(top, start));
  if (await holds(s)) {
    lo = s;
    hi = top + 1;
    for (let d = 1; ; d *= 2) {
      const k = Math.min(top, s + d);
      if (k === lo) break;
      if (await holds(k)) lo = k;
      else {
        hi = k;
        break;
      }
      if (k === top) break;
    }
  } else {
    hi = s;
    lo = -1;
    for (let d = 1; ; d *= 2) {
      const k = Math.max(0, s - d);
      if (k === hi) break;
      if (await holds(k)) {
        lo = k;
        break;
      }
      hi = k;
      if (k === 0) break;
    }
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (await holds(mid)) lo = mid;
    else hi = mid;
  }
  return { index: lo, censored: lo === top, runs };
}
