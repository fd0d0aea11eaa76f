/**
 * One autocannon load run against a local server, with every response time recorded into a
 * microsecond histogram (autocannon's own is whole milliseconds), and the load generator's own
 * CPU use measured over the same window.
 *
 * autocannon 9 runs in-process and single-threaded: its `workers` mode breaks once bundled.
 *
 * Constant arrival rate: autocannon's own `overallRate` lets every connection send its quota at
 * the start of each second, so the server sees one burst per second; and its coordinated-omission
 * correction is broken with a rate (it passes ⌈1/rate⌉ ms as the expected interval). So with a
 * rate this module passes no rate to autocannon (its correction then never runs; autocannon even
 * rejects `ignoreCoordinatedOmission` without a rate) and paces the connections itself (`pace`):
 * connection i of C sends at t0 + i/R + k·C/R, evenly spaced arrivals at R per second overall,
 * and latency counts from each request's intended send time whenever a late response held the
 * connection back (the coordinated-omission correction of wrk2, after Gil Tene).
 */
import autocannon from 'autocannon';
import type { HttpScenario } from '../../settings/suites';
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
}

/**
 * Runs one load run: `warmup` seconds un-measured, then `duration` seconds measured, in one
 * autocannon run. Counts responses and failures that complete within the measured window.
 * Rejects only when autocannon rejects its options.
 */
export function runLoad(o: LoadRunOptions): Promise<LoadRunResult> {
  return new Promise((resolve, reject) => {
    const latency = new LatencyHistogram();
    const statusCounts: Record<number, number> = {};
    let ok = 0;
    let non2xx = 0;
    let errors = 0;
    let timeouts = 0;
    let stoppedEarly = false;
    let instance: ReturnType<typeof autocannon> | undefined;
    let finished = false;
    const onAbort = () => {
      stoppedEarly = true;
      instance?.stop();
    };

    let measuring = false;
    let t1 = 0n;
    let cpu1: NodeJS.CpuUsage | undefined;
    const startMeasuring = () => {
      if (finished || measuring) return;
      o.onMeasureStart?.();
      measuring = true;
      cpu1 = process.cpuUsage();
      t1 = process.hrtime.bigint();
    };
    const warmup = Math.max(0, o.warmup ?? 0);
    const warmupTimer = warmup > 0 ? setTimeout(startMeasuring, warmup * 1000) : undefined;

    const done = (err: Error | null, result: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(warmupTimer);
      const window = measuring ? Number(process.hrtime.bigint() - t1) / 1e9 : 0;
      const cpu = measuring ? process.cpuUsage(cpu1) : { user: 0, system: 0 };
      o.signal?.removeEventListener('abort', onAbort);
      if (err || !result) {
        reject(err ?? new Error('autocannon finished without a result'));
        return;
      }
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
      });
    };
    const { scenario } = o;
    const lagMs = new WeakMap<object, number>();
    if (warmup === 0) startMeasuring();
    try {
      instance = autocannon(
        {
          url: `http://127.0.0.1:${o.port}${scenario.path}`,
          method: scenario.method,
          headers: scenario.headers ?? {},
          body: scenario.body,
          connections: o.connections,
          setupClient: setupClient(
            scenario.method === 'HEAD',
            o.rate === undefined ? undefined : pace(o.rate, o.connections, lagMs),
          ),
          duration: warmup + o.duration,
          timeout: o.requestTimeout ?? 10,
          // The run ends at the first sample tick after `duration`: tick often so it ends on time.
          sampleInt: 10,
        },
        done,
      );
    } catch (err) {
      // thrown by a client hook while autocannon set up its connections
      done(err as Error, undefined);
      return;
    }
    if (finished) return; // options rejected synchronously
    instance.on('response', (client: object, status: number, _bytes: number, ms: number) => {
      if (!measuring) return;
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        ok++;
        latency.recordMillis(ms + (lagMs.get(client) ?? 0));
      } else {
        non2xx++;
      }
    });
    // autocannon emits `reqError` once per failed request (pipelining 1): connection errors, and
    // timeouts as an Error('request timed out') (lib/run.js).
    instance.on('reqError', (error: Error) => {
      if (!measuring) return;
      errors++;
      if (error?.message === 'request timed out') timeouts++;
    });
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The parts of autocannon's per-connection client (lib/httpClient.js) that the hooks touch. */
interface PacedClient {
  _doRequest(): void;
  _connect(): void;
  destroy(): void;
  destroyed: boolean;
  parser: Record<number, (...args: unknown[]) => unknown> & { constructor: { kOnHeadersComplete: number } };
}

/**
 * autocannon's `setupClient` hook: pacing (when a rate is set), and HEAD support. autocannon's
 * response parser (http-parser-js) does not know a request was HEAD, so it waits for the body
 * its Content-Length announces and the request times out; returning true from the parser's
 * headers-complete callback tells it there is no body (as Node's own client does for HEAD).
 */
function setupClient(
  head: boolean,
  paced?: (client: PacedClient) => void,
): ((client: PacedClient) => void) | undefined {
  if (!head) return paced;
  return (client) => {
    paced?.(client);
    // The parser callbacks are installed after this hook runs, right before the first connect.
    const connect = client._connect.bind(client);
    let wrapped = false;
    client._connect = () => {
      if (!wrapped) {
        wrapped = true;
        const key = client.parser?.constructor?.kOnHeadersComplete;
        const onHeaders = typeof key === 'number' ? client.parser[key] : undefined;
        if (typeof onHeaders !== 'function')
          throw new Error('HEAD requests need http-parser-js under autocannon 9 (its parser was not found)');
        client.parser[key] = (...args: unknown[]) => {
          onHeaders(...args);
          return true; // skip the body
        };
      }
      connect();
    };
  };
}

/**
 * Open-loop pacing for autocannon clients at `rate` requests/s over `connections` connections,
 * installed through autocannon's `setupClient` hook (called in each client's constructor, before
 * it connects). Client i sends its k-th request at t0 + i/rate + k·connections/rate (ms clock).
 * autocannon asks a client for its next request when it connects and after each response:
 * - before the due time, the request waits for a timer; timer lateness is the load generator's
 *   own delay, so it is not added to the latency;
 * - after the due time (the previous response came late, or a reconnect), the request goes out at
 *   once and its lag behind the due time is added to its latency (`lagMs`), so latency counts
 *   from the intended send time and a stalling server cannot hide its queue (coordinated omission).
 * Assumes pipelining 1 (one request in flight per client), autocannon's default.
 */
export function pace(rate: number, connections: number, lagMs: WeakMap<object, number>): (client: PacedClient) => void {
  const interval = (connections / rate) * 1000;
  let t0: number | undefined;
  let next = 0;
  return (client) => {
    if (typeof client._doRequest !== 'function' || typeof client.destroy !== 'function')
      throw new Error('pacing a request rate needs autocannon 9 (its client has no _doRequest)');
    const index = next++;
    const send = client._doRequest.bind(client);
    const destroy = client.destroy.bind(client);
    let k = 0;
    let timer: NodeJS.Timeout | undefined;
    const doRequest = (fromTimer: boolean) => {
      if (client.destroyed) return;
      const now = performance.now();
      t0 ??= now;
      const due = t0 + (index * 1000) / rate + k * interval;
      if (now < due && !fromTimer) {
        timer ??= setTimeout(() => {
          timer = undefined;
          doRequest(true);
        }, due - now);
        return;
      }
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      lagMs.set(client, fromTimer ? 0 : Math.max(0, now - due));
      k++;
      send();
    };
    client._doRequest = () => doRequest(false);
    client.destroy = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      destroy();
    };
  };
}
