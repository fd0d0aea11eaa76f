/**
 * Gatling's results, in any of the forms Gatling writes (point the suite's `output` at the file):
 * - `simulation.log`, binary (Gatling ≥ 3.13; gatling/gatling `LogFileDataWriter.scala`): big-endian
 *   records, each a header byte — 0 run, 1 request, 2 user, 3 group, 4 error. The run record holds
 *   the Gatling version, simulation class, start (epoch ms, int64), description, scenario names and
 *   assertions; a request record holds its group path, name, start and end (int32 ms after the
 *   run's start), status (1 = OK) and message. Strings are an int32 byte length, the bytes and a
 *   coder byte (0 Latin-1, 1 UTF-16LE); names and messages are cached (a positive index introduces
 *   a string, a negative one refers back to it). Gatling asserts that its reader's version matches
 *   the writer's, so this layout is the one of Gatling 3.13 and 3.14.
 * - `simulation.log`, text (Gatling 2.x–3.12): tab-separated lines; `REQUEST<TAB>groups<TAB>name<TAB>
 *   start<TAB>end<TAB>OK|KO<TAB>message` (3.x), or `REQUEST<TAB>scenario<TAB>userId<TAB>groups<TAB>name<TAB>
 *   start<TAB>end<TAB>OK|KO<TAB>message` (2.x); times in epoch ms.
 * - the HTML report's `js/stats.json` (Gatling 3.x up to 3.13.4): a tree of `GROUP` and `REQUEST`
 *   nodes, each with `stats` (`numberOfRequests`, `percentiles1`…`percentiles4`,
 *   `meanNumberOfRequestsPerSecond`, each `{total, ok, ko}`, times in ms); also `global_stats.json`
 *   (the root's `stats` alone).
 *
 * Name: the request name, prefixed by its groups (`checkout / pay`). From a log: `throughput`
 * (OK requests per second of the run, first request start to last request end), `errors` (KO
 * fraction), `p50` `p90` `p95` `p99` of the OK requests' response times (s). From stats.json:
 * `throughput` (`meanNumberOfRequestsPerSecond.ok`), `errors` (`ko / total`) and Gatling's four
 * percentiles of OK requests as `p50` `p75` `p95` `p99` — Gatling's default
 * `charting.indicators.percentile1…4`; the file does not say which percentiles were configured.
 */
import {
  BenchmarkCollector,
  finite,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  parseJson,
  requireText,
} from './common';
import { errorsMetric, percentileMetric, RequestLog, throughputMetric } from './loadtest';

const EXPECTED = "Gatling's simulation.log (binary or tab-separated text) or its report's js/stats.json";

/** Group path and request name as one benchmark name. */
function fullName(groups: string[], name: string): string {
  return [...groups.filter((g) => g !== ''), name].join(' / ');
}

export function parseGatling(input: string | Uint8Array, source: string): HarnessParseResult {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  if (bytes[0] === 0) return fromLog(readBinaryLog(bytes, source), source);
  const text = bytes.toString('utf8');
  requireText(text, source, EXPECTED);
  const start = text.trimStart();
  if (start.startsWith('{')) return fromStatsJson(text, source);
  if (start.startsWith('var stats'))
    throw new HarnessParseError(source, `this is the report's stats.js; point "output" at js/stats.json instead`, 1);
  if (start.startsWith('RUN\t') || start.startsWith('REQUEST\t') || start.startsWith('USER\t'))
    return fromLog(readTextLog(text, source), source);
  throw new HarnessParseError(
    source,
    `not a Gatling result (it starts with ${JSON.stringify(start.slice(0, 20))}); expected ${EXPECTED}`,
    1,
  );
}

function fromLog(log: RequestLog, source: string): HarnessParseResult {
  if (log.size === 0) throw new HarnessParseError(source, `no REQUEST records; expected ${EXPECTED}`);
  const out = new BenchmarkCollector(source, 'Gatling');
  const window = log.span(); // the run's span, the same for every request name (Gatling's requests per second)
  for (const [name, metrics] of log.summarize(() => window)) out.add(name, metrics);
  return out.result(EXPECTED);
}

function readTextLog(text: string, source: string): RequestLog {
  const lines = text.split('\n');
  if (!text.endsWith('\n'))
    throw new HarnessParseError(
      source,
      'the log ends inside a line (truncated?); Gatling ends every record with a newline',
      lines.length,
    );
  const log = new RequestLog();
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!line.startsWith('REQUEST\t')) return;
    const f = line.split('\t');
    // 3.x: REQUEST groups name start end status message; 2.x: REQUEST scenario userId groups name start end status message
    const at = f.length >= 9 && /^\d+$/.test(f[5]) && /^\d+$/.test(f[6]) ? 3 : 1;
    if (f.length < at + 6)
      throw new HarnessParseError(
        source,
        `a REQUEST line with ${f.length} fields; expected REQUEST, groups, name, start, end, status, message`,
        i + 1,
      );
    const [groups, name, s, e, status] = f.slice(at, at + 5);
    const start = Number(s);
    const end = Number(e);
    if (!/^\d+$/.test(s) || !/^\d+$/.test(e))
      throw new HarnessParseError(
        source,
        `request "${name}": expected start and end in epoch ms, got ${JSON.stringify(`${s} ${e}`)}`,
        i + 1,
      );
    if (status !== 'OK' && status !== 'KO')
      throw new HarnessParseError(
        source,
        `request "${name}": expected status OK or KO, got ${JSON.stringify(status)}`,
        i + 1,
      );
    log.add(fullName(groups.split(','), name), { start, end, elapsed: end - start, ok: status === 'OK' });
  });
  return log;
}

const RECORD = { run: 0, request: 1, user: 2, group: 3, error: 4 } as const;

function readBinaryLog(b: Buffer, source: string): RequestLog {
  let i = 0;
  const fail = (what: string): never => {
    throw new HarnessParseError(
      source,
      `byte ${i}: ${what} (a truncated file, or a binary simulation.log of a Gatling version other than 3.13–3.14); expected ${EXPECTED}`,
    );
  };
  const need = (n: number) => {
    if (i + n > b.length) fail('the file ends inside a record');
  };
  const byte = () => {
    need(1);
    return b[i++];
  };
  const int = () => {
    need(4);
    const v = b.readInt32BE(i);
    i += 4;
    return v;
  };
  const string = () => {
    const length = int();
    if (length < 0) fail(`a string of negative length ${length}`);
    if (length === 0) return '';
    need(length + 1);
    const raw = b.subarray(i, i + length);
    i += length;
    const coder = b[i++];
    if (coder !== 0 && coder !== 1) fail(`unknown string coder ${coder}`);
    return raw.toString(coder === 0 ? 'latin1' : 'utf16le');
  };
  const cache = new Map<number, string>();
  const cached = () => {
    const index = int();
    if (index >= 0) {
      const s = string();
      cache.set(index, s);
      return s;
    }
    const s = cache.get(-index);
    return s ?? fail(`a reference to string #${-index}, which was never written`);
  };
  const groups = () => {
    const n = int();
    if (n < 0 || n > 1000) fail(`a group path of ${n} levels`);
    return Array.from({ length: n }, cached);
  };

  if (byte() !== RECORD.run) fail('expected the run record first');
  const version = string();
  if (!/^\d+\.\d+/.test(version)) fail(`expected a Gatling version, got ${JSON.stringify(version.slice(0, 20))}`);
  string(); // simulation class
  need(8);
  const runStart = Number(b.readBigInt64BE(i));
  i += 8;
  string(); // description
  const scenarios = int();
  for (let k = 0; k < scenarios; k++) string();
  const assertions = int();
  for (let k = 0; k < assertions; k++) {
    const n = int();
    need(n);
    i += n;
  }
  const log = new RequestLog();
  while (i < b.length) {
    const header = byte();
    if (header === RECORD.request) {
      const path = groups();
      const name = cached();
      const start = runStart + int();
      const end = runStart + int();
      const ok = byte() === 1;
      cached(); // message
      log.add(fullName(path, name), { start, end, elapsed: end - start, ok });
    } else if (header === RECORD.user) {
      i += 9; // scenario index, start/end flag, timestamp
      need(0);
    } else if (header === RECORD.group) {
      groups();
      i += 13; // start, end, cumulated response time, status
      need(0);
    } else if (header === RECORD.error) {
      cached();
      int();
    } else fail(`unknown record type ${header}`);
  }
  return log;
}

function fromStatsJson(text: string, source: string): HarnessParseResult {
  const doc = parseJson(text, source, EXPECTED);
  const out = new BenchmarkCollector(source, 'Gatling');
  if (!isObject(doc)) throw new HarnessParseError(source, `expected ${EXPECTED}; found no JSON object`);
  const value = (stats: Record<string, unknown>, key: string, part: 'total' | 'ok' | 'ko', where: string) => {
    const o = stats[key];
    if (!isObject(o)) throw new HarnessParseError(source, `${where}: expected a "${key}" object with total, ok and ko`);
    const v = o[part];
    if (v === '-' || v === undefined) return undefined; // Gatling's "no value"
    return finite(typeof v === 'string' ? Number(v) : v, source, `${where}.${key}.${part}`);
  };
  const addNode = (name: string, stats: unknown) => {
    const where = `"${name}"`;
    if (!isObject(stats)) throw new HarnessParseError(source, `${where}: expected a "stats" object`);
    const total = value(stats, 'numberOfRequests', 'total', where) ?? 0;
    const ko = value(stats, 'numberOfRequests', 'ko', where) ?? 0;
    const metrics: HarnessMetric[] = [];
    const rate = value(stats, 'meanNumberOfRequestsPerSecond', 'ok', where);
    if (rate !== undefined) metrics.push(throughputMetric(rate));
    if (total > 0) metrics.push(errorsMetric(ko / total));
    if ((value(stats, 'numberOfRequests', 'ok', where) ?? 0) > 0)
      [50, 75, 95, 99].forEach((p, k) => {
        const ms = value(stats, `percentiles${k + 1}`, 'ok', where);
        if (ms !== undefined) metrics.push(percentileMetric(p, ms / 1000));
      });
    out.add(name, metrics);
  };
  const walk = (node: Record<string, unknown>) => {
    if (!isObject(node.contents)) return;
    for (const child of Object.values(node.contents)) {
      if (!isObject(child)) continue;
      if (child.type === 'REQUEST') {
        const path = typeof child.path === 'string' && child.path !== '' ? child.path : child.name;
        addNode(String(path ?? ''), child.stats);
      } else if (child.type === 'GROUP') walk(child);
    }
  };
  if (doc.type === 'GROUP') walk(doc);
  else if (isObject(doc.numberOfRequests))
    addNode(String(doc.name ?? 'All Requests'), doc); // global_stats.json
  else
    throw new HarnessParseError(
      source,
      `expected ${EXPECTED}; a JSON object without "type": "GROUP" or "numberOfRequests"`,
    );
  return out.result(EXPECTED);
}
