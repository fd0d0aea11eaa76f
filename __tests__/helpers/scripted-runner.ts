/**
 * A deterministic stand-in for a suite runner (hyperfine's MockExecutor idea): values come from
 * a function of side and call count, and every call is recorded in order. Used for
 * orchestration tests only — the real runners are tested against real processes and servers.
 */

import { SuiteError, type SuiteRunner } from '../../src/app/runners';
import type { Replicate, Side } from '../../src/core/model';
import type { CommandSuite } from '../../src/settings/suites';

export interface Call {
  suite: string;
  side: Side;
  kind: 'warmup' | 'sample';
}

export function scriptedRunner(
  name: string,
  value: (side: Side, index: number) => number,
  calls: Call[],
  options: {
    /** Whether sample `index` (0-based per side) fails. */
    failOn?: (side: Side, index: number) => boolean;
    /** Whether the warm-up fails on this side. */
    failWarmup?: (side: Side) => boolean;
    warmup?: number;
  } = {},
): SuiteRunner {
  const suite: CommandSuite = { kind: 'command', name, run: 'scripted', warmup: options.warmup ?? 1, timeout: 60 };
  const counts = { base: 0, head: 0 };
  const failure = (side: Side) => new SuiteError(name, side, 'scripted failure', 'last lines of output');
  return {
    suite,
    async warmup(side) {
      calls.push({ suite: name, side, kind: 'warmup' });
      if (options.failWarmup?.(side)) throw failure(side);
    },
    async sample(side): Promise<Replicate> {
      calls.push({ suite: name, side, kind: 'sample' });
      const i = counts[side]++;
      if (options.failOn?.(side, i)) throw failure(side);
      return { values: [{ id: `${name}:wall`, unit: 's', direction: 'lower', value: value(side, i) }], warnings: [] };
    },
  };
}
