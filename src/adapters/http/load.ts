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
import { Connection, serializeRequest } from './client';
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
  return new Promise((resolve, reject) => {
    if (!(Number.isInteger(o.connections) && o.connections >= 1))
      return reject(new Error(`expected at least one connection, got ${o.connections}`));
    if (o.rate !== undefined && !(o.rate > 0)) return reject(new Error(`expected a positive rate, got ${o.rate}`));
    let request: Buffer;
    try {
      request = serializeRequest('127.0.0.1', o.port, o.scenario);
    } catch (err) {
      return reject(err);
    }
    const latency = new LatencyHistogram();
    const slices: LatencyHistogram[] = [];
    const sliceMs = (o.sliceSeconds ?? 0) * 1000;
    const statusCounts: Record<number, number> = {};
    let ok = 0;
    let non2xx = 0;
    let errors = 0;
    let timeouts = 0;
    let running = true;
    let measuring = false;
    let stoppedEarly = false;
    let t1 = 0;
    let cpu1: NodeJS.CpuUsage | undefined;
    const timeoutMs = (o.requestTimeout ?? 10) * 1000;
    const warmup = Math.max(0, o.warmup ?? 0);
    const C = o.connections;
    const rate = o.rate;
    const interval = rate === undefined ? 0 : (C / rate) * 1000;
    const t0 = performance.now();
    const sent = new Array<number>(C).fill(0);
    const timers = new Array<NodeJS.Timeout | undefined>(C);

    const due = (i: number) => t0 + (i * 1000) / (rate as number) + sent[i] * interval;
    const next = (i: number, fromTimer: boolean) => {
      const c = conns[i];
      if (!running || !c.idle) return;
      if (rate === undefined) {
        c.send(performance.now());
        return;
      }
      const now = performance.now();
      const d = due(i);
      if (now < d && !fromTimer) {
        timers[i] ??= setTimeout(() => {
          timers[i] = undefined;
          next(i, true);
        }, d - now);
        return;
      }
      sent[i]++;
      // On time (from the timer): latency counts from now. Late: from when it was due.
      c.send(fromTimer ? now : Math.min(now, d));
    };

    const conns: Connection[] = Array.from(
      { length: C },
      (_, i) =>
        new Connection(o.port, request, o.scenario.method === 'HEAD', {
          response(status, now, sentAt) {
            if (measuring && now >= t1) {
              statusCounts[status] = (statusCounts[status] ?? 0) + 1;
              if (status >= 200 && status < 300) {
                ok++;
                latency.recordMillis(now - sentAt);
                if (sliceMs > 0) {
                  const k = Math.floor((now - t1) / sliceMs);
                  for (let i = slices.length; i <= k; i++) slices.push(new LatencyHistogram());
                  slices[k].recordMillis(now - sentAt);
                }
              } else non2xx++;
            }
            next(i, false);
          },
          error(err) {
            if (measuring) {
              errors++;
              if (err.message === 'request timed out') timeouts++;
            }
          },
          ready: () => next(i, false),
        }),
    );

    const sweep = setInterval(
      () => {
        const now = performance.now();
        for (const c of conns)
          if (c.writtenAt >= 0 && c.sentAt >= 0 && now - c.writtenAt > timeoutMs)
            c.abort(new Error('request timed out'));
      },
      Math.min(1000, Math.max(10, timeoutMs / 4)),
    );
    const startMeasuring = () => {
      if (!running || measuring) return;
      o.onMeasureStart?.();
      measuring = true;
      cpu1 = process.cpuUsage();
      t1 = performance.now();
    };
    const finish = () => {
      if (!running) return;
      running = false;
      const window = measuring ? (performance.now() - t1) / 1000 : 0;
      const cpu = measuring ? process.cpuUsage(cpu1) : { user: 0, system: 0 };
      clearTimeout(warmupTimer);
      clearTimeout(endTimer);
      clearInterval(sweep);
      for (const t of timers) clearTimeout(t);
      for (const c of conns) c.close();
      o.signal?.removeEventListener('abort', onAbort);
      resolve({
        latency,
        ok,
        non2xx,
        statusCounts,
        errors,
        timeouts,
        window,
        driverCpu: (cpu.user + cpu.system) / 1e6,
        stoppedEarly,
        ...(sliceMs > 0 ? { slices } : {}),
      });
    };
    const onAbort = () => {
      stoppedEarly = true;
      finish();
    };
    if (warmup === 0) startMeasuring();
    const warmupTimer = warmup > 0 ? setTimeout(startMeasuring, warmup * 1000) : undefined;
    const endTimer = setTimeout(finish, (warmup + o.duration) * 1000);
    if (o.signal?.aborted) {
      onAbort();
      return;
    }
    o.signal?.addEventListener('abort', onAbort, { once: true });
    for (const c of conns) c.open();
  });
}
