/**
 * A lean HTTP/1.1 keep-alive client for load generation: one request in flight per connection, a
 * request serialized once and written as one buffer, and a response parser that only finds the
 * status code and where the body ends (Content-Length, chunked, or connection close).
 *
 * Why not a library: the load generator shares the runner's cores with the server it measures, so
 * its CPU per request decides how far it can push. autocannon (HTTP parsing in JavaScript through
 * http-parser-js, an event per response) spent about four times wrk's CPU per request on this
 * machine (`npm run bench:load` prints both); Node's own `http` client costs more still. This
 * client does the minimum a load generator needs and nothing else: it never looks at header
 * values other than Content-Length, Transfer-Encoding and Connection, and it skips bodies.
 */
import { connect, type Socket } from 'node:net';

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The request as bytes on the wire (Host, Content-Length and keep-alive added). */
export function serializeRequest(host: string, port: number, spec: RequestSpec): Buffer {
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body, 'utf8');
  const lines = [`${spec.method} ${spec.path} HTTP/1.1`];
  const given = new Set(Object.keys(spec.headers ?? {}).map((k) => k.toLowerCase()));
  if (!given.has('host')) lines.push(`Host: ${host}:${port}`);
  for (const [k, v] of Object.entries(spec.headers ?? {})) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error(`header ${JSON.stringify(k)} contains a line break`);
    lines.push(`${k}: ${v}`);
  }
  if (body && !given.has('content-length')) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** Incremental parser of one response at a time; returns the status when a response completes. */
export class ResponseParser {
  private buffer: Buffer | null = null;
  private state: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'trailer' | 'close' = 'head';
  private remaining = 0;
  private status = 0;
  /** Whether the server announced it will close the connection after this response. */
  closing = false;

  constructor(private readonly headRequest: boolean) {}

  /**
   * Feeds bytes; calls `done(status)` for every response completed. Throws on a malformed
   * response (the caller counts a connection error and reconnects).
   */
  feed(chunk: Buffer, done: (status: number) => void): void {
    const data = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.buffer = null;
    let at = 0;
    while (at < data.length) {
      if (this.state === 'head') {
        const end = data.indexOf(CRLFCRLF, at);
        if (end < 0) break;
        const kind = this.parseHead(data.toString('latin1', at, end));
        at = end + 4;
        if (kind === 'complete') done(this.status);
        if (kind !== 'body') continue;
      }
      if (this.state === 'length') {
        const take = Math.min(this.remaining, data.length - at);
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) {
          this.state = 'head';
          done(this.status);
        }
        continue;
      }
      if (this.state === 'chunk-size') {
        const end = data.indexOf(CRLF, at);
        if (end < 0) break;
        const size = Number.parseInt(data.toString('latin1', at, end).split(';')[0], 16);
        if (!Number.isFinite(size) || size < 0) throw new Error('malformed chunk size');
        at = end + 2;
        if (size === 0) this.state = 'trailer';
        else {
          this.remaining = size + 2; // the chunk and its CRLF
          this.state = 'chunk-data';
        }
        continue;
      }
      if (this.state === 'chunk-data') {
        const take = Math.min(this.remaining, data.length - at);
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) this.state = 'chunk-size';
        continue;
      }
      if (this.state === 'trailer') {
        const end = data.indexOf(CRLF, at);
        if (end < 0) break;
        const empty = end === at;
        at = end + 2;
        if (empty) {
          this.state = 'head';
          done(this.status);
        }
        continue;
      }
      // 'close': the body runs until the server closes the connection
      at = data.length;
    }
    if (at < data.length) this.buffer = data.subarray(at);
  }

  /** The connection closed: completes a response whose body ran until the close. */
  end(done: (status: number) => void): void {
    if (this.state === 'close') done(this.status);
    this.reset();
  }

  reset(): void {
    this.buffer = null;
    this.state = 'head';
    this.closing = false;
  }

  /** Reads a response head: `complete` (no body), `body` (a body follows) or `interim` (1xx). */
  private parseHead(head: string): 'complete' | 'body' | 'interim' {
    // "HTTP/1.1 200 OK"
    if (!head.startsWith('HTTP/1.')) throw new Error('not an HTTP/1.x response');
    this.status = Number(head.slice(9, 12));
    if (!(this.status >= 100 && this.status < 600)) throw new Error('malformed status line');
    const http10 = head[7] === '0';
    let length = -1;
    let chunked = false;
    let connection = '';
    let i = head.indexOf('\r\n');
    while (i >= 0) {
      const next = head.indexOf('\r\n', i + 2);
      const line = head.slice(i + 2, next < 0 ? head.length : next);
      const colon = line.indexOf(':');
      if (colon > 0) {
        const name = line.slice(0, colon).toLowerCase();
        if (name === 'content-length') length = Number(line.slice(colon + 1).trim());
        else if (name === 'transfer-encoding') chunked = /chunked/i.test(line.slice(colon + 1));
        else if (name === 'connection')
          connection = line
            .slice(colon + 1)
            .trim()
            .toLowerCase();
      }
      i = next;
    }
    this.closing = connection === 'close' || (http10 && connection !== 'keep-alive');
    if (this.status < 200) return 'interim'; // the final response follows
    if (this.headRequest || this.status === 204 || this.status === 304 || length === 0) return 'complete';
    if (chunked) this.state = 'chunk-size';
    else if (length > 0) {
      this.remaining = length;
      this.state = 'length';
    } else this.state = 'close';
    return 'body';
  }
}

/** Why a request failed without a response: it timed out (`Connection.abort`), or the connection failed. */
export type RequestFailure = 'timeout' | 'connection';

/** Callbacks of one connection. Times are `performance.now()` milliseconds. */
export interface ConnectionEvents {
  /** A response completed: its status, when it completed and when its latency counts from. */
  response(status: number, now: number, sentAt: number): void;
  /** The request in flight failed without a response: a timeout, or a connection error or close. */
  error(reason: RequestFailure): void;
  /** The socket is connected and idle: the owner may send. */
  ready(): void;
}

/** One keep-alive connection with at most one request in flight. */
export class Connection {
  private socket: Socket | null = null;
  private readonly parser: ResponseParser;
  /** When the latency of the request in flight counts from (`performance.now()`), or -1 when idle. */
  sentAt = -1;
  /** When the request in flight was written to the socket (for timeouts). */
  writtenAt = -1;
  private closed = false;
  private connected = false;

  constructor(
    private readonly port: number,
    private readonly request: Buffer,
    head: boolean,
    private readonly events: ConnectionEvents,
  ) {
    this.parser = new ResponseParser(head);
  }

  open(): void {
    if (this.closed) return;
    this.connected = false;
    this.parser.reset();
    const socket = connect({ host: '127.0.0.1', port: this.port, noDelay: true });
    this.socket = socket;
    socket.on('connect', () => {
      this.connected = true;
      this.events.ready();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        this.parser.feed(chunk, this.onResponse);
      } catch {
        this.fail('connection'); // a malformed response
      }
    });
    socket.on('end', () => this.parser.end(this.onResponse));
    socket.on('error', () => this.fail('connection'));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.sentAt >= 0)
        this.fail('connection'); // closed before the response
      else if (!this.closed) setImmediate(() => this.open());
    });
  }

  get idle(): boolean {
    return this.connected && this.sentAt < 0 && this.socket !== null;
  }

  /** Writes the request; `at` is the send time to count latency from. */
  send(at: number): void {
    if (!this.socket || !this.connected) return;
    this.sentAt = at;
    this.writtenAt = performance.now();
    this.socket.write(this.request);
  }

  private readonly onResponse = (status: number) => {
    const now = performance.now();
    const sentAt = this.sentAt;
    this.sentAt = -1;
    const closing = this.parser.closing;
    this.events.response(status, now, sentAt);
    if (closing) this.socket?.destroy();
  };

  /** Abandons the request in flight (a timeout), counting it as an error, and reconnects. */
  abort(reason: RequestFailure): void {
    this.fail(reason);
  }

  private fail(reason: RequestFailure): void {
    const inFlight = this.sentAt >= 0;
    this.sentAt = -1;
    const socket = this.socket;
    this.socket = null;
    this.connected = false;
    socket?.destroy();
    if (inFlight) this.events.error(reason);
    // Reconnect after a short pause so a refusing server does not make a busy loop.
    if (!this.closed) setTimeout(() => this.open(), inFlight ? 0 : 10);
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = null;
  }
}
