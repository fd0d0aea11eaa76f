import { describe, expect, it } from 'vitest';
import { clock, logReporter, progressLine, type RoundProgress, terminalReporter } from '../../src/app/progress';

const at = (round: number, elapsedS: number, extra: Partial<RoundProgress> = {}): RoundProgress => ({
  round,
  maxRounds: 50,
  suites: 2,
  metrics: 6,
  decided: 0,
  failing: 0,
  elapsedS,
  remainingS: (50 - round) * 3,
  nextLook: round < 10 ? 10 : 20,
  ...extra,
});

describe('progress', () => {
  it('formats times as a clock and a round as one line', () => {
    expect([clock(0), clock(75), clock(3725)]).toEqual(['0:00', '1:15', '1:02:05']);
    expect(progressLine(at(7, 21, { decided: 2 }))).toBe(
      'round 7/50 · 2/6 metrics decided · 0:21 elapsed · ≤ 2:09 left (next look at round 10)',
    );
    expect(progressLine(at(20, 60, { decided: 6, look: { final: true, done: true } }))).toBe(
      'round 20/50 · 6/6 metrics decided · 1:00 elapsed',
    );
  });

  it('prints few plain lines for logs: looks, and a round line at most every 30 s', () => {
    const lines: string[] = [];
    const reporter = logReporter((l) => lines.push(l));
    reporter.start({ suites: 2, seed: 9 });
    for (let round = 1; round <= 20; round++) {
      const look = round === 10 || round === 20 ? { final: false, done: round === 20 } : undefined;
      reporter.round(at(round, round * 4, { look, decided: round === 20 ? 6 : 2 }));
    }
    reporter.end(at(20, 80, { decided: 6, look: { final: true, done: true } }));
    expect(lines).toEqual([
      'Warming up 2 suites (seed 9)',
      'Progress: round 8/50 · 2/6 metrics decided · 0:32 elapsed · ≤ 2:06 left (next look at round 10)',
      'Look at round 10: 2 of 6 gated metrics decided, 4 undecided (0:40 elapsed)',
      'Progress: round 18/50 · 2/6 metrics decided · 1:12 elapsed · ≤ 1:36 left (next look at round 20)',
      'Look at round 20: 6 of 6 gated metrics decided (1:20 elapsed)',
      'Measured 20 rounds in 1:20',
    ]);
  });

  it('rewrites one line in place on a terminal, with notices printed above it', () => {
    let out = '';
    const reporter = terminalReporter({ write: (t: string) => (out += t) });
    reporter.start({ suites: 1, seed: 1 });
    reporter.round(at(1, 3));
    reporter.round(at(2, 6));
    reporter.notice('✖ suite "x" on base: failed');
    reporter.round(at(3, 9));
    reporter.end(at(3, 9, { look: { final: true, done: true } }));
    // Only notices and the final line end with a newline: the status line is redrawn, not repeated.
    expect(out.split('\n')).toEqual([
      '\r\x1b[2KWarming up 1 suite (seed 1)\r\x1b[2K' +
        progressLine(at(1, 3)) +
        '\r\x1b[2K' +
        progressLine(at(2, 6)) +
        '\r\x1b[2K✖ suite "x" on base: failed',
      progressLine(at(2, 6)) +
        '\r\x1b[2K' +
        progressLine(at(3, 9)) +
        '\r\x1b[2K' +
        'round 3/50 · 0/6 metrics decided · 0:09 elapsed',
      '',
    ]);
  });
});
