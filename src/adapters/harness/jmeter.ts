/**
 * JMeter's results file (JTL), in either of its two formats (JMeter user manual, "Listeners" §
 * "CSV Log format" and "XML Log format 2.1"; `jmeter -n -t plan.jmx -l results.jtl`):
 * - CSV (the default): a header row naming the saved fields, then one row per sample:
 *   `timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,…`, with
 *   `timeStamp` in epoch milliseconds and `elapsed` in milliseconds. Needs the header
 *   (`jmeter.save.saveservice.print_field_names=true`, the default since JMeter 2.13) and
 *   millisecond timestamps (`jmeter.save.saveservice.timestamp_format=ms`, the default).
 * - XML (`jmeter.save.saveservice.output_format=xml`): `<testResults version="1.2">` holding one
 *   `<httpSample>` or `<sample>` element per sample with attributes `t` (elapsed, ms), `ts`
 *   (start, epoch ms), `s` (success), `lb` (label); nested samples are sub-results (redirects,
 *   embedded resources) of their parent and are not counted separately.
 *
 * Per label (JMeter's own grouping in its Summary and Aggregate reports): `throughput` (successful
 * samples per second over the label's first start to last end, JMeter's `Calculator` rate),
 * `errors` (failed fraction), `p50` `p90` `p95` `p99` of the successful samples' `elapsed` (s).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { BenchmarkCollector, HarnessParseError, type HarnessParseResult, isObject, requireText } from './common';
import { columns, numberCell, parseCsv } from './csv';
import { RequestLog } from './loadtest';

const EXPECTED =
  'a JMeter JTL file: CSV with a header row "timeStamp,elapsed,label,…,success,…", or XML <testResults> with <httpSample>/<sample> elements';

export function parseJmeter(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const log = text.trimStart().startsWith('<') ? readXml(text, source) : readCsv(text, source);
  const out = new BenchmarkCollector(source, 'JMeter');
  for (const [label, metrics] of log.summarize()) out.add(label, metrics);
  return out.result(EXPECTED);
}

function readCsv(text: string, source: string): RequestLog {
  const table = parseCsv(text, source, EXPECTED);
  if (table.header.length > 0 && /^\d+$/.test(table.header[0]))
    throw new HarnessParseError(
      source,
      `the first row is a sample, not a header; run JMeter with -Jjmeter.save.saveservice.print_field_names=true. Expected ${EXPECTED}`,
      1,
    );
  const col = columns(
    table,
    { timeStamp: ['timeStamp'], elapsed: ['elapsed'], label: ['label'], success: ['success'] },
    source,
    EXPECTED,
  );
  const log = new RequestLog();
  for (const { cells, line } of table.rows) {
    const raw = (cells[col.timeStamp] ?? '').trim();
    if (!/^\d+$/.test(raw))
      throw new HarnessParseError(
        source,
        `column "timeStamp": expected epoch milliseconds, got ${JSON.stringify(raw)} (set jmeter.save.saveservice.timestamp_format=ms)`,
        line,
      );
    const start = Number(raw);
    const elapsed = numberCell(cells, col.elapsed, 'elapsed', line, source);
    const success = (cells[col.success] ?? '').trim();
    if (success !== 'true' && success !== 'false')
      throw new HarnessParseError(
        source,
        `column "success": expected true or false, got ${JSON.stringify(success)}`,
        line,
      );
    log.add(cells[col.label] ?? '', { start, end: start + elapsed, elapsed, ok: success === 'true' });
  }
  return log;
}

const SAMPLE_TAGS = ['httpSample', 'sample'];

function readXml(text: string, source: string): RequestLog {
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new HarnessParseError(
      source,
      `not well-formed XML (${valid.err.msg}${/Expected closing tag|unclosed|Unclosed/i.test(valid.err.msg) ? '; truncated?' : ''}); expected ${EXPECTED}`,
      valid.err.line,
    );
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    isArray: (name) => SAMPLE_TAGS.includes(name),
  }).parse(text) as Record<string, unknown>;
  const root = doc.testResults;
  if (!isObject(root)) throw new HarnessParseError(source, `no <testResults> root element; expected ${EXPECTED}`, 1);
  const log = new RequestLog();
  let index = 0;
  for (const tag of SAMPLE_TAGS) {
    const list = root[tag];
    if (!Array.isArray(list)) continue;
    for (const s of list) {
      index++;
      const where = `<${tag}> #${index}`;
      if (!isObject(s)) throw new HarnessParseError(source, `${where}: expected attributes t, ts, s and lb`);
      const num = (attr: string) => {
        const v = Number(s[attr]);
        if (typeof s[attr] !== 'string' || !Number.isFinite(v))
          throw new HarnessParseError(
            source,
            `${where} (lb=${JSON.stringify(s.lb ?? '')}): attribute ${attr}: expected a number, got ${JSON.stringify(s[attr] ?? null)}`,
          );
        return v;
      };
      const start = num('ts');
      const elapsed = num('t');
      if (s.s !== 'true' && s.s !== 'false')
        throw new HarnessParseError(
          source,
          `${where}: attribute s: expected true or false, got ${JSON.stringify(s.s ?? null)}`,
        );
      log.add(typeof s.lb === 'string' ? s.lb : '', { start, end: start + elapsed, elapsed, ok: s.s === 'true' });
    }
  }
  return log;
}
