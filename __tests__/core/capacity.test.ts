/**
 * The capacity search on a scripted, monotone objective: it finds the boundary exactly, and costs
 * what `core/capacity.ts` promises (cold: at most 2⌈log2 K⌉ + 1 load runs; warm: 2 to 4 runs for a
 * capacity within a few grid steps of the start).
 */
import { describe, expect, it } from 'vitest';
import { nearestIndex, rateGrid, searchCapacity } from '../../src/core/capacity';
import { mulberry32 } from '../../src/core/random';

const grid = rateGrid(100, 20_000, 0.02);

async function search(boundary: number, start?: number) {
  const tried: number[] = [];
  const r = await searchCapacity(
    grid,
    async (k) => {
      tried.push(k);
      return { holds: k <= boundary };
    },
    start,
  );
  return { ...r, tried };
}

describe('rateGrid', () => {
  it('is geometric from "from" up to "to"', () => {
    expect(grid[0]).toBe(100);
    expect(grid.length).toBe(268);
    expect(grid[grid.length - 1]).toBeLessThanOrEqual(20_000);
    expect(grid[1] / grid[0]).toBeCloseTo(1.02, 12);
    expect(nearestIndex(grid, 1000)).toBe(Math.round(Math.log(10) / Math.log(1.02)));
  });
});

describe('searchCapacity', () => {
  it('finds every boundary exactly, cold, within 2⌈log2 K⌉ + 1 runs', async () => {
    const limit = 2 * Math.ceil(Math.log2(grid.length)) + 1;
    for (let b = -1; b < grid.length; b += 7) {
      const r = await search(b);
      expect(r.index).toBe(b);
      expect(r.runs).toBeLessThanOrEqual(limit);
      expect(new Set(r.tried).size).toBe(r.tried.length); // never the same rate twice
    }
    expect((await search(grid.length - 1)).censored).toBe(true);
  });

  it('costs at most 2⌈log2(j + 1)⌉ + 2 runs warm when the capacity moved by j grid steps', async () => {
    const random = mulberry32(3);
    for (let i = 0; i < 200; i++) {
      const start = 20 + Math.floor(random() * 200);
      const move = Math.floor(random() * 41) - 20;
      const r = await search(start + move, start);
      expect(r.index).toBe(start + move);
      expect(r.runs).toBeGreaterThanOrEqual(2);
      expect(r.runs).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(Math.abs(move) + 1)) + 2);
    }
  });

  it('stops at once when a step throws (a saturated load generator)', async () => {
    await expect(
      searchCapacity(grid, async () => {
        throw new Error('saturated');
      }),
    ).rejects.toThrow('saturated');
  });
});
