/**
 * Holm's step-down procedure (Holm 1979) over group-sequential tests: the correction across metrics.
 *
 * At each look and for each side of the interval (the fail side tests "within budget" nulls, the pass
 * side "beyond budget" nulls), the metrics whose null is not yet rejected form the family, r of them.
 * Candidates are ordered by p-value; step j (0-based) tests at the group-sequential nominal level of a
 * level-α/(r − j) boundary; the first candidate that is not rejected stops the procedure, and it and all
 * later candidates carry that step's level (the level they would be tested at next).
 *
 * Why this is valid across looks (Holm's closed testing with group-sequential tests; Maurer & Bretz
 * 2013; Ye et al. 2013): for any set J of true nulls, "some i ∈ J crosses its level-α/|J| boundary at some
 * look" has probability ≤ Σ α/|J| = α by the union bound, whatever the dependence between metrics, since
 * each boundary sequence has size α/|J| over all looks; non-binding stops only remove chances to cross.
 * A rejection at step j, with r − j metrics left, implies the rejection of every J containing that metric
 * and no earlier rejection (|J| ≤ r − j, so its level is at least as large). Hypotheses rejected at earlier
 * looks stay rejected; hypotheses of metrics that stopped for the other reason stay in the family with no
 * new data (conservative: recycling their α would need binding stops).
 */

export interface HolmCandidate<T> {
  item: T;
  /** The p-value that orders the candidates (smaller first). */
  p: number;
}

export interface HolmStep {
  /** The one-sided nominal error the candidate was (or would next be) tested at. */
  tail: number;
  rejected: boolean;
}

/**
 * Runs the step-down over `candidates` (the not-yet-rejected metrics sampled at this look) in a family of
 * `familySize` unrejected nulls. `nominal(level, item)` is this look's nominal one-sided error of the item's
 * level-`level` boundary; `rejects(item, tail)` decides one test (an interval end beyond the budget).
 */
export function holmStepDown<T>(
  candidates: readonly HolmCandidate<T>[],
  familySize: number,
  alpha: number,
  nominal: (level: number, item: T) => number,
  rejects: (item: T, tail: number) => boolean,
): Map<T, HolmStep> {
  const ordered = [...candidates].sort((a, b) => a.p - b.p);
  const steps = new Map<T, HolmStep>();
  let j = 0;
  let stopped = false;
  for (const { item } of ordered) {
    const tail = nominal(alpha / Math.max(1, familySize - j), item);
    if (!stopped && rejects(item, tail)) {
      steps.set(item, { tail, rejected: true });
      j++;
    } else {
      stopped = true;
      steps.set(item, { tail, rejected: false });
    }
  }
  return steps;
}
