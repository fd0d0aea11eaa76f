/**
 * Progress of the measurement loop, reported through an injected `MeasureReporter` so the loop
 * never writes to a console itself. Two reporters:
 * - `terminalReporter`: one line rewritten in place on a TTY (round, metrics decided, elapsed and
 *   remaining time); notices (a failing suite, a suite new on head) print above it;
 * - `logReporter`: plain lines for CI logs and pipes — the start, every look, a round line at most
 *   every `everyS` seconds, notices, the end.
 */

/** Where the loop stands after a round. */
export interface RoundProgress {
  round: number;
  maxRounds: number;
  /** Suites still sampling. */
  suites: number;
  /** Gated metrics (before the first look: metrics seen), how many the last look decided, and how many fail. */
  metrics: number;
  decided: number;
  failing: number;
  elapsedS: number;
  /** Upper bound on the time left (max-rounds at the current pace, capped by max-time). */
  remainingS: number;
  /** The round of the next planned look, if any. */
  nextLook: number | null;
  /** Set when a look happened after this round; `final` for the last look, which spends what is left. */
  look?: { final: boolean; done: boolean };
}

export interface MeasureReporter {
  start(info: { suites: number; seed: number }): void;
  round(progress: RoundProgress): void;
  /** Something the reader must see, on a line of its own (never overwritten). */
  notice(text: string): void;
  end(progress: RoundProgress): void;
}

/** `75` → `1:15`; `3725` → `1:02:05`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The one-line summary both reporters print. */
export function progressLine(p: RoundProgress): string {
  const parts = [
    `round ${p.round}/${p.maxRounds}`,
    `${p.decided}/${p.metrics} metric${p.metrics === 1 ? '' : 's'} decided`,
    `${clock(p.elapsedS)} elapsed`,
  ];
  if (p.round < p.maxRounds && !p.look?.done) {
    parts.push(`≤ ${clock(p.remainingS)} left${p.nextLook ? ` (next look at round ${p.nextLook})` : ''}`);
  }
  return parts.join(' · ');
}

function startLine(info: { suites: number; seed: number }): string {
  return `Warming up ${info.suites} suite${info.suites === 1 ? '' : 's'} (seed ${info.seed})`;
}

function lookLine(p: RoundProgress): string {
  const open = p.metrics - p.decided;
  const final = p.look?.final ?? false;
  return (
    `${final ? 'Final look' : 'Look'} at round ${p.round}: ${p.decided} of ${p.metrics} gated metric${p.metrics === 1 ? '' : 's'} decided` +
    (p.failing ? ` (${p.failing} beyond budget)` : '') +
    (open ? `, ${open} ${final ? 'inconclusive' : 'undecided'}` : '') +
    ` (${clock(p.elapsedS)} elapsed)`
  );
}

/** Plain lines, for logs: a line per look and at most one round line every `everyS` seconds. */
export function logReporter(write: (line: string) => void, options: { everyS?: number } = {}): MeasureReporter {
  const everyS = options.everyS ?? 30;
  let lastAt = 0;
  return {
    start: (info) => write(startLine(info)),
    round(p) {
      if (p.look) {
        write(lookLine(p));
        lastAt = p.elapsedS;
      } else if (p.elapsedS - lastAt >= everyS) {
        write(`Progress: ${progressLine(p)}`);
        lastAt = p.elapsedS;
      }
    },
    notice: write,
    end: (p) => write(`Measured ${p.round} round${p.round === 1 ? '' : 's'} in ${clock(p.elapsedS)}`),
  };
}

/** One status line rewritten in place (`\r` and erase-line), for an interactive terminal. */
export function terminalReporter(stream: { write(text: string): unknown }): MeasureReporter {
  let status = '';
  const draw = (line: string) => {
    status = line;
    stream.write(`\r\x1b[2K${line}`);
  };
  const above = (line: string) => {
    stream.write(`\r\x1b[2K${line}\n`);
    if (status) stream.write(status);
  };
  return {
    start: (info) => draw(startLine(info)),
    round(p) {
      if (p.look) above(lookLine(p));
      draw(progressLine(p));
    },
    notice: above,
    end(p) {
      stream.write(`\r\x1b[2K${progressLine(p)}\n`);
      status = '';
    },
  };
}
