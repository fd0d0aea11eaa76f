/**
 * The load-testing tools' formats (JMeter, Gatling, Artillery, Locust): the same run read from
 * each file the tool (or, for JMeter and Gatling, the fixture script from their documented
 * formats) wrote agrees with itself, and a file of another format is refused with a message that
 * names the file and what was expected.
 */
import { describe, expect, it } from 'vitest';
import { HarnessParseError, type HarnessParseResult, parseHarnessOutput } from '../../src/adapters/harness/index';
import type { HarnessFormat } from '../../src/settings/suites';
import { fixture, fixtureBytes } from './fixtures';

function parseError(format: HarnessFormat, input: string | Buffer, source = 'results.file'): HarnessParseError {
  try {
    parseHarnessOutput(format, input, source);
  } catch (e) {
    expect(e).toBeInstanceOf(HarnessParseError);
    return e as HarnessParseError;
  }
  throw new Error(`expected ${format} to reject the input`);
}

function metrics(r: HarnessParseResult): Record<string, Record<string, number>> {
  return Object.fromEntries(
    r.benchmarks.map((b) => [b.name, Object.fromEntries(b.metrics.map((m) => [m.name, m.value]))]),
  );
}

describe('every load-tool format names the file and what it expected when given another format', () => {
  const others: [HarnessFormat, string][] = [
    ['jmeter', 'locust/run_stats.csv'],
    ['jmeter', 'artillery/report.json'],
    ['gatling', 'jmeter/results.csv.jtl'],
    ['gatling', 'k6/summary-export.json'],
    ['artillery', 'k6/summary-export.json'],
    ['artillery', 'locust/run_stats.csv'],
    ['locust', 'jmeter/results.csv.jtl'],
    ['locust', 'gatling/simulation-3.9.log'],
  ];
  const expected: Record<string, RegExp> = {
    jmeter: /expected a JMeter JTL file/,
    gatling: /expected Gatling's simulation\.log .* or its report's js\/stats\.json/,
    artillery: /expected Artillery 2 JSON report/,
    locust: /expected the PREFIX_stats\.csv of locust --csv PREFIX/,
  };
  it.each(others)('%s refuses %s', (format, file) => {
    const e = parseError(format, fixtureBytes(file), file);
    expect(e.message.startsWith(file)).toBe(true);
    expect(e.message).toMatch(expected[format]);
  });
});

describe('JMeter', () => {
  const csv = parseHarnessOutput('jmeter', fixture('jmeter/results.csv.jtl'), 'results.csv.jtl');
  const xml = parseHarnessOutput('jmeter', fixture('jmeter/results.xml.jtl'), 'results.xml.jtl');

  it('reads the same run identically from CSV and XML (nested sub-results not counted)', () => {
    expect(metrics(xml)).toEqual(metrics(csv));
    expect(csv.benchmarks.map((b) => b.name)).toEqual(['GET items', 'GET search', 'GET fail']);
  });
  it('counts failed samples as errors and leaves them out of latency and throughput', () => {
    const fail = metrics(csv)['GET fail'];
    expect(fail.errors).toBe(1);
    expect(fail.throughput).toBe(0);
    expect(fail.p50).toBeUndefined();
    expect(metrics(csv)['GET items'].errors).toBe(0);
  });
  it('computes throughput per label over its first start to its last end', () => {
    const text = 'timeStamp,elapsed,label,success\n1000,100,a,true\n1500,100,a,true\n1900,100,a,false\n';
    expect(metrics(parseHarnessOutput('jmeter', text, 'r.jtl')).a).toEqual({
      throughput: 2 / 1,
      errors: 1 / 3,
      p50: 0.1,
      p90: 0.1,
      p95: 0.1,
      p99: 0.1,
    });
  });
  it('refuses a CSV without header, with formatted timestamps, or truncated', () => {
    expect(parseError('jmeter', '1000,100,a,200,true\n').message).toMatch(/print_field_names=true/);
    const e = parseError('jmeter', 'timeStamp,elapsed,label,success\n2024/01/01 10:00:00,5,a,true\n');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/timestamp_format=ms/);
    const cut = fixture('jmeter/results.csv.jtl').split('\n').slice(0, 6).join('\n').slice(0, -20);
    expect(parseError('jmeter', cut).message).toMatch(/different number of fields than the header \(truncated\?\)/);
  });
  it('refuses XML without <testResults> or cut off', () => {
    expect(parseError('jmeter', '<?xml version="1.0"?>\n<results/>\n').message).toMatch(/no <testResults> root/);
    const xmlText = fixture('jmeter/results.xml.jtl');
    const e = parseError('jmeter', xmlText.slice(0, xmlText.lastIndexOf('<httpSample')));
    expect(e.message).toMatch(/not well-formed XML/);
    expect(e.line).toBe(2); // where the unclosed <testResults> opens
  });
});

describe('Gatling', () => {
  const binary = parseHarnessOutput('gatling', fixtureBytes('gatling/simulation.log'), 'simulation.log');
  const text = parseHarnessOutput('gatling', fixture('gatling/simulation-3.9.log'), 'simulation.log');
  const stats = parseHarnessOutput('gatling', fixture('gatling/stats.json'), 'stats.json');

  it('reads the same run identically from the binary (3.13+) and the text (3.x) simulation.log', () => {
    expect(metrics(binary)).toEqual(metrics(text));
    expect(binary.benchmarks.map((b) => b.name)).toEqual(['browse / items', 'search', 'fail']);
    expect(metrics(binary).fail.errors).toBe(1);
  });
  it("agrees with the report's stats.json on errors, and on throughput and the median within rounding", () => {
    const s = metrics(stats);
    const b = metrics(binary);
    expect(Object.keys(s).sort()).toEqual(Object.keys(b).sort());
    for (const name of Object.keys(b)) {
      expect(s[name].errors).toBeCloseTo(b[name].errors, 9);
      expect(s[name].throughput).toBeCloseTo(b[name].throughput, 1);
      if (b[name].p50 !== undefined) expect(Math.abs(s[name].p50 - b[name].p50)).toBeLessThan(0.01);
    }
    expect(Object.keys(s.search)).toEqual(['throughput', 'errors', 'p50', 'p75', 'p95', 'p99']);
  });
  it('reads global_stats.json as one benchmark', () => {
    const doc = JSON.parse(fixture('gatling/stats.json'));
    const r = parseHarnessOutput('gatling', JSON.stringify(doc.stats), 'global_stats.json');
    expect(r.benchmarks.map((x) => x.name)).toEqual(['All Requests']);
  });
  it('refuses a binary log cut inside a record, an unknown record and the report stats.js', () => {
    const bytes = fixtureBytes('gatling/simulation.log');
    expect(parseError('gatling', bytes.subarray(0, bytes.length - 3)).message).toMatch(/ends inside a record/);
    const broken = Buffer.concat([bytes, Buffer.from([7])]);
    expect(parseError('gatling', broken).message).toMatch(/unknown record type 7/);
    expect(parseError('gatling', 'var stats = {\n}').message).toMatch(/point "output" at js\/stats\.json/);
  });
  it('refuses a text REQUEST line without times or status', () => {
    const e = parseError('gatling', 'RUN\tSim\tsim\t1\t \t3.9.5\nREQUEST\t\tx\t10\tKO\n');
    expect(e.line).toBe(2);
  });
});

describe('Artillery', () => {
  const report = fixture('artillery/report.json');
  it('reads every endpoint of metrics-by-endpoint, counting non-2xx codes as errors', () => {
    const m = metrics(parseHarnessOutput('artillery', report, 'report.json'));
    expect(Object.keys(m)).toEqual(expect.arrayContaining(['/items', '/search', '/fail']));
    expect(m['/fail'].errors).toBe(1);
    expect(m['/fail'].throughput).toBe(0);
    expect(m['/items'].errors).toBe(0);
    expect(m['/items'].p99).toBeGreaterThanOrEqual(m['/items'].p50);
  });
  it('reads the whole run as "http" without the plugin', () => {
    const doc = JSON.parse(report);
    for (const section of ['counters', 'summaries', 'histograms'])
      for (const k of Object.keys(doc.aggregate[section] ?? {}))
        if (k.startsWith('plugins.')) delete doc.aggregate[section][k];
    const r = parseHarnessOutput('artillery', JSON.stringify(doc), 'report.json');
    expect(r.benchmarks.map((b) => b.name)).toEqual(['http']);
    expect(metrics(r).http.errors).toBeGreaterThan(0);
  });
  it('refuses an Artillery 1 report', () => {
    const v1 = JSON.stringify({ aggregate: { latency: { median: 3 }, rps: { mean: 10 } } });
    expect(parseError('artillery', v1).message).toMatch(/Artillery 1\.x report/);
  });
});

describe('Locust', () => {
  const csv = fixture('locust/run_stats.csv');
  it('names rows TYPE NAME, skips the Aggregated row and counts failures', () => {
    const m = metrics(parseHarnessOutput('locust', csv, 'run_stats.csv'));
    expect(Object.keys(m)).toEqual(['GET /fail', 'GET /items', 'GET /search']);
    expect(m['GET /fail'].errors).toBe(1);
    expect(m['GET /fail'].throughput).toBe(0);
    expect(Object.keys(m['GET /items'])).toEqual(['throughput', 'errors', 'p50', 'p90', 'p95', 'p99']);
  });
  it('leaves out the percentiles of a name without requests (N/A) and rejects non-numbers', () => {
    const lines = csv.split('\n');
    const header = lines[0];
    const empty = `${header}\nGET,/never,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n`;
    expect(metrics(parseHarnessOutput('locust', empty, 's.csv'))['GET /never']).toEqual({ throughput: 0 });
    const bad = `${header}\n${lines[1].replace(/^([^,]*,[^,]*,)\d+/, '$1many')}\n`;
    const e = parseError('locust', bad);
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/column "Request Count": expected a number, got "many"/);
  });
  it('refuses the stats history file', () => {
    expect(parseError('locust', 'Timestamp,User Count,Type,Name,Requests/s\n1,2,,Aggregated,0\n').message).toMatch(
      /stats history/,
    );
  });
});
