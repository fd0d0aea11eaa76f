/**
 * Ranks with ties, shared by the rank tests (signed-rank, Mann–Whitney) and the serial-correlation
 * diagnostic: the midrank convention (Hollander & Wolfe, Nonparametric Statistical Methods, §3.1).
 */

/** Ranks (1-based, ties get their average rank) and the tie-group sizes of a pooled sample. */
export function rankWithTies(values: readonly number[]): { ranks: Float64Array; tieSizes: number[] } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Float64Array(n);
  const tieSizes: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = avg;
    if (j > i) tieSizes.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieSizes };
}
