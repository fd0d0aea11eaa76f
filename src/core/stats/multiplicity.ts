/**
 * Multiplicity corrections of a family of p-values, returned as adjusted p-values in input order
 * (reject H_i at level α ⇔ adjusted p_i ≤ α).
 * - Holm (1979), step-down: controls the family-wise error rate under any dependence.
 * - Benjamini & Hochberg (1995), step-up: controls the false discovery rate for independent or
 *   positively dependent (PRDS) p-values.
 */

function order(p: readonly number[]): number[] {
  return Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a] - p[b]);
}

/** Holm adjusted p-values: p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)). */
export function holmAdjust(p: readonly number[]): number[] {
  const m = p.length;
  const idx = order(p);
  const out = new Array<number>(m);
  let running = 0;
  idx.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p[i]));
    out[i] = running;
  });
  return out;
}

/** Benjamini–Hochberg adjusted p-values: p̃_(i) = min_{j ≥ i} min(1, m·p_(j)/j). */
export function benjaminiHochbergAdjust(p: readonly number[]): number[] {
  const m = p.length;
  const idx = order(p);
  const out = new Array<number>(m);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const i = idx[rank];
    running = Math.min(running, Math.min(1, (m * p[i]) / (rank + 1)));
    out[i] = running;
  }
  return out;
}
