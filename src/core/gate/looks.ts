/**
 * The look schedule of the group-sequential design: the rounds after which the data are analysed.
 *
 * The first look comes at `min-rounds`, then one every ⌈min-rounds / 2⌉ rounds, the last at
 * `max-rounds` (10, 15, …, 50 by default). Measured in `npm run bench:gate`: looking every five rounds
 * lets unchanged metrics stop at 15 instead of 20 rounds (median) and costs < 1 % of power at 2×budget
 * against looking every ten, because Lan–DeMets spending adapts the boundaries to however many looks
 * there are (Lan & DeMets 1983).
 */

export function planLooks(minRounds: number, maxRounds: number): number[] {
  if (!Number.isInteger(minRounds) || minRounds < 1) {
    throw new RangeError(`min-rounds: expected a whole number ≥ 1, got ${minRounds}`);
  }
  if (!Number.isInteger(maxRounds) || maxRounds < minRounds) {
    throw new RangeError(`max-rounds: expected a whole number ≥ min-rounds (${minRounds}), got ${maxRounds}`);
  }
  const every = Math.max(1, Math.ceil(minRounds / 2));
  const looks: number[] = [];
  for (let r = minRounds; r < maxRounds; r += every) looks.push(r);
  // The last look is max-rounds; a planned look closer to it than half a step is merged into it.
  if (looks.length > 1 && maxRounds - looks[looks.length - 1] < every / 2) looks.pop();
  looks.push(maxRounds);
  return looks;
}

/** Information fraction of a look (Lan–DeMets): rounds over the planned maximum. Samples come in pairs, so the
 * information of the rank statistics grows linearly in rounds. */
export function informationFraction(rounds: number, maxRounds: number): number {
  return Math.min(1, rounds / maxRounds);
}
