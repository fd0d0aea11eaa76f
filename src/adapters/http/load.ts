/**
 * One autocannon load run against a local server, with every response time recorded into a
 * microsecond histogram (autocannon's own is whole milliseconds), and the load generator's own
 * CPU use measured over the same window.
 *
 * autocannon 9 runs in-process and single-threaded: its `workers` mode breaks once bundled.
 * With a rate, coordinated-omission correction is switched off (`ignoreCoordinatedOmission`),
 * because autocannon 9 passes ⌈1/rate⌉ ms as the expected interval and corrupts latencies.
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
  /** Seconds of load. */
  duration: number;
  /** Per-request timeout in seconds (default 10). */
  requestTimeout?: number;
  /** Stops the run early; the result then covers the time until the stop. */
  signal?: AbortSignal;
}

export interface LoadRunResult {
  /** Response times of 2xx responses. */
  latency: LatencyHistogram;
  /** Responses with a 2xx status. */
  ok: number;
  /** Responses with any other status. */
  non2xx: number;
  /** Responses per status code. */
  statusCounts: Record<number, number>;
  /** Connection errors and timeouts (autocannon counts a timeout as an error too). */
  errors: number;
  /** Of `errors`, the request timeouts. */
  timeouts: number;
  /** Wall-clock seconds from the start of the run to its end. */
  window: number;
  /** CPU seconds (user + system) this process used during the window. */
  driverCpu: number;
  /** Whether the run was stopped early through `signal`. */
  stoppedEarly: boolean;
}

/** Runs one load run; rejects only when autocannon rejects its options. */
export function runLoad(o: LoadRunOptions): Promise<LoadRunResult> {
  return new Promise((resolve, reject) => {
    const latency = new LatencyHistogram();
    const statusCounts: Record<number, number> = {};
    let ok = 0;
    let non2xx = 0;
    let stoppedEarly = false;
    let instance: ReturnType<typeof autocannon> | undefined;
    let finished = false;
    const onAbort = () => {
      stoppedEarly = true;
      instance?.stop();
    };
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const done = (err: Error | null, result: { errors: number; timeouts: number } | undefined) => {
      if (finished) return;
      finished = true;
      const window = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
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
        errors: result.errors,
        timeouts: result.timeouts,
        window,
        driverCpu: (cpu.user + cpu.system) / 1e6,
        stoppedEarly,
      });
    };
    const { scenario } = o;
    instance = autocannon(
      {
        url: `http://127.0.0.1:${o.port}${scenario.path}`,
        method: scenario.method,
        headers: scenario.headers ?? {},
        body: scenario.body,
        connections: o.connections,
        overallRate: o.rate,
        duration: o.duration,
        timeout: o.requestTimeout ?? 10,
        // The run ends at the first sample tick after `duration`: tick often so it ends on time.
        sampleInt: 50,
        ignoreCoordinatedOmission: o.rate !== undefined,
      },
      done,
    );
    if (finished) return; // options rejected synchronously
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        ok++;
        latency.recordMillis(ms);
      } else {
        non2xx++;
      }
    });
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
