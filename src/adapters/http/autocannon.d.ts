/** The small part of autocannon 9's API that perfgate uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface AutocannonOptions {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    overallRate?: number;
    duration?: number;
    timeout?: number;
    sampleInt?: number;
    ignoreCoordinatedOmission?: boolean;
    pipelining?: number;
    // biome-ignore lint/suspicious/noExplicitAny: autocannon's client object is untyped
    setupClient?: (client: any) => void;
  }

  interface AutocannonResult {
    errors: number;
    timeouts: number;
    non2xx: number;
    requests: { sent: number; total: number };
    duration: number;
  }

  interface Instance extends EventEmitter {
    stop(): void;
  }

  function autocannon(opts: AutocannonOptions, cb: (err: Error | null, result: AutocannonResult) => void): Instance;
  export default autocannon;
}
