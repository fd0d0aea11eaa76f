/**
 * One load run against a local server, with every response time recorded into a microsecond
 * histogram, and the load generator's own CPU use measured over the same window. The requests go
 * through perfgate's own keep-alive client (`client.ts`), in this process.
 *
 * Closed loop (no rate): every connection sends its next request as soon as the previous response
 * completes. Constant arrival rate R over C connections: connection i sends its k-th request at
 * t0 + i/R + k·C/R, evenly spaced arrivals at R per second overall, and latency counts from each
 * request's intended send time whenever a late response held the connection back — the
 * coordinated-omission correction of wrk2, after Gil Tene — so a stalling server cannot hide its
 * queue. A timer that fires late is the load generator's own delay and is not added.
 */
import type { HttpScenario } from '../../settings/suites';
import { Connection, type RequestFailure, serializeRequest } from './client';
import { LatencyHistogram } from './histogram';

export interface LoadRunOptions {
  port: number;
  scenario: HttpScenario;
  /** Concurrent connections. */
  connections: number;
  /** Target arrival rate over all connections (requests/s); closed loop when omitted. */
  rate?: number;
  /**
   * Seconds of un-measured load before the measured window, on the same connections (so the
   * measured window holds no connection set-up and no gap in the load).
   */
  warmup?: number;
  /** Seconds of measured load. */
  duration: number;
  /** Called synchronously when the measured window starts (e.g. to read the server's CPU time). */
  onMeasureStart?: () => void;
  /** Per-request timeout in seconds (default 10). */
  requestTimeout?: number;
  /** Also record latency per consecutive slice of this many seconds of the measured window (soak). */
  sliceSeconds?: number;
  /** Stops the run early; the result then covers the time until the stop. */
  signal?: AbortSignal;
}

export interface LoadRunResult {
  /** Response times of 2xx responses, from each request's intended send time. */
  latency: LatencyHistogram;
  /** Responses with a 2xx status. */
  ok: number;
  /** Responses with any other status. */
  non2xx: number;
  /** Responses per status code. */
  statusCounts: Record<number, number>;
  /** Requests that failed without a response: connection errors and timeouts. */
  errors: number;
  /** Of `errors`, the request timeouts. */
  timeouts: number;
  /** Wall-clock seconds of the measured window (0 when stopped before it began). */
  window: number;
  /** CPU seconds (user + system) this process used during the measured window. */
  driverCpu: number;
  /** Whether the run was stopped early through `signal`. */
  stoppedEarly: boolean;
  /** With `sliceSeconds`: the latency of 2xx responses per slice of the measured window. */
  slices?: LatencyHistogram[];
}

/**
 * Runs one load run: `warmup` seconds un-measured, then `duration` seconds measured, on the same
 * connections. Counts responses and failures that complete within the measured window. Rejects
 * only when the options are unusable (no connection, a header with a line break).
 */
export function runLoad(o: LoadRunOptions): Promise<LoadRunResult> {
  if (!(Number.isInteger(o.connections) && o.connections >= 1))
    return Promise.reject(new Error(`expected at least one connection, got ${o.connections}`));
  if (o.rate !== undefined && !(o.rate > 0))
    return Promise.reject(new Error(`expected a positive rate, got ${o.rate}`));
  let request: Buffer;
  try {
    request = serializeRequest('127.0.0.1', o.port, o.scenario);
  } catch (err) {
    return Promise.reject(err);
  }
  return new LoadRun(o, request).result;
}

/** What the measured window saw: responses by status, latencies (whole and per slice), failures. */
class Tally {
  readonly latency = new LatencyHistogram();
  readonly slices: LatencyHistogram[] = [];
  readonly statusCounts: Record<number, number> = {};
  ok = 0;
  non2xx = 0;
  errors = 0;
  timeouts = 0;

  constructor(private readonly sliceMs: number) {}

  /** A response that completed `sinceStart` ms into the window, `latency` ms after it counted from. */
  response(status: number, latency: number, sinceStart: number): void {
    this.statusCounts[status] = (this.statusCounts[status] ?? 0) + 1;
    if (status < 200 || status >= 300) {
      this.non2xx++;
      return;
    }
    this.ok++;
    this.latency.recordMillis(latency);
    if (this.sliceMs > 0) {
      const k = Math.floor(sinceStart / this.sliceMs);
      for (let i = this.slices.length; i <= k; i++) this.slices.push(new LatencyHistogram());
      this.slices[k].recordMillis(latency);
    }
  }

  failure(reason: RequestFailure): void {
    this.errors++;
    if (reason === 'timeout') this.timeouts++;
  }
}

/**
 * When each connection sends its next request. Closed loop (no rate): at once. Constant rate R over
 * C connections: connection i's k-th request is due at t0 + i/R + k·C/R; a request sent late counts
 * its latency from when it was due (coordinated omission), one sent by its timer from when it went.
 */
class Pacer {
  private readonly sent: number[];
  private readonly timers: (NodeJS.Timeout | undefined)[];
  private readonly interval: number;

  constructor(
    private readonly t0: number,
    connections: number,
    private readonly rate: number | undefined,
  ) {
    this.sent = new Array<number>(connections).fill(0);
    this.timers = new Array<NodeJS.Timeout | undefined>(connections);
    this.interval = rate === undefined ? 0 : (connections / rate) * 1000;
  }

  /** Connection `i` is idle: sends on `c` now, or sets a timer that calls `again` when it is due. */
  pace(i: number, c: Connection, fromTimer: boolean, again: () => void): void {
    if (this.rate === undefined) {
      c.send(performance.now());
      return;
    }
    const now = performance.now();
    const due = this.t0 + (i * 1000) / this.rate + this.sent[i] * this.interval;
    if (now < due && !fromTimer) {
      this.timers[i] ??= setTimeout(() => {
        this.timers[i] = undefined;
        again();
      }, due - now);
      return;
    }
    this.sent[i]++;
    c.send(fromTimer ? now : Math.min(now, due));
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}

/** One load run in flight: its connections, its clock (warm-up, measured window, end) and its tally. */
class LoadRun {
  readonly result: Promise<LoadRunResult>;
  private resolve!: (r: LoadRunResult) => void;
  private readonly tally: Tally;
  private readonly pacer: Pacer;
  private readonly conns: Connection[];
  private readonly timers: NodeJS.Timeout[] = [];
  private running = true;
  private measuring = false;
  private stoppedEarly = false;
  /** Start of the measured window (`performance.now()` ms) and this process's CPU use then. */
  private t1 = 0;
  private cpu1: NodeJS.CpuUsage | undefined;

  constructor(
    private readonly o: LoadRunOptions,
    request: Buffer,
  ) {
    this.result = new Promise((resolve) => {
      this.resolve = resolve;
    });
    this.tally = new Tally((o.sliceSeconds ?? 0) * 1000);
    this.pacer = new Pacer(performance.now(), o.connections, o.rate);
    this.conns = Array.from(
      { length: o.connections },
      (_, i) =>
        new Connection(o.port, request, o.scenario.method === 'HEAD', {
          response: (status, now, sentAt) => this.onResponse(i, status, now, sentAt),
          error: (reason) => {
            if (this.measuring) this.tally.failure(reason);
          },
          ready: () => this.next(i, false),
        }),
    );
    this.start();
  }

  private start(): void {
    const o = this.o;
    const timeoutMs = (o.requestTimeout ?? 10) * 1000;
    const warmup = Math.max(0, o.warmup ?? 0);
    this.timers.push(setInterval(() => this.sweep(timeoutMs), Math.min(1000, Math.max(10, timeoutMs / 4))));
    if (warmup === 0) this.startMeasuring();
    else this.timers.push(setTimeout(() => this.startMeasuring(), warmup * 1000));
    this.timers.push(setTimeout(() => this.finish(), (warmup + o.duration) * 1000));
    if (o.signal?.aborted) {
      this.onAbort();
      return;
    }
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
    for (const c of this.conns) c.open();
  }

  private next(i: number, fromTimer: boolean): void {
    const c = this.conns[i];
    if (!this.running || !c.idle) return;
    this.pacer.pace(i, c, fromTimer, () => this.next(i, true));
  }

  private onResponse(i: number, status: number, now: number, sentAt: number): void {
    if (this.measuring && now >= this.t1) this.tally.response(status, now - sentAt, now - this.t1);
    this.next(i, false);
  }

  /** Abandons requests unanswered for longer than the request timeout (each counts as a timeout). */
  private sweep(timeoutMs: number): void {
    const now = performance.now();
    for (const c of this.conns)
      if (c.writtenAt >= 0 && c.sentAt >= 0 && now - c.writtenAt > timeoutMs) c.abort('timeout');
  }

  private startMeasuring(): void {
    if (!this.running || this.measuring) return;
    this.o.onMeasureStart?.();
    this.measuring = true;
    this.cpu1 = process.cpuUsage();
    this.t1 = performance.now();
  }

  private readonly onAbort = () => {
    this.stoppedEarly = true;
    this.finish();
  };

  private finish(): void {
    if (!this.running) return;
    this.running = false;
    const window = this.measuring ? (performance.now() - this.t1) / 1000 : 0;
    const cpu = this.measuring ? process.cpuUsage(this.cpu1) : { user: 0, system: 0 };
    for (const t of this.timers) clearTimeout(t);
    this.pacer.stop();
    for (const c of this.conns) c.close();
    this.o.signal?.removeEventListener('abort', this.onAbort);
    const { latency, ok, non2xx, statusCounts, errors, timeouts, slices } = this.tally;
    this.resolve({
      latency,
      ok,
      non2xx,
      statusCounts,
      errors,
      timeouts,
      window,
      driverCpu: (cpu.user + cpu.system) / 1e6,
      stoppedEarly: this.stoppedEarly,
      ...((this.o.sliceSeconds ?? 0) > 0 ? { slices } : {}),
    });
  }
}
