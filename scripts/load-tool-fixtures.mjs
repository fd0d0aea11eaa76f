#!/usr/bin/env node
// Fixtures of the load-testing tools' result files, made against a local HTTP server whose delay
// per request is a knob (DELAY_MS), so that anyone can regenerate them:
//
//   node scripts/load-tool-fixtures.mjs [jmeter|gatling|artillery|locust ...]
//
// For each format it writes
//   __tests__/fixtures/harness/FORMAT/…      one or two results files for the parser tests, and
//   __tests__/fixtures/loadtools/FORMAT/…    REPS replicates of three sets for `perfgate compare`:
//     base-K  (delay 100 ms), same-K (100 ms again: an A/A pair with base), slow-K (150 ms: 1.5×),
//   run interleaved (base, same, slow, base, …) so that drift on the machine hits all three alike.
//
// Locust and Artillery are the real tools (Debian's python3-locust; Artillery from npm, installed
// with --ignore-scripts so that it does not download a browser; ARTILLERY=path reuses one).
// JMeter (Debian's 2.13 fails to load any test plan here) and Gatling (not packaged) are written
// by this script from the tools' documented result formats — JMeter's user manual ("CSV Log
// format", "XML Log format 2.1") and Gatling's LogFileDataWriter (binary simulation.log, 3.13+),
// its 3.x text log and its stats.json template — after real requests to the same server: the
// timings are real, the file layout is the documented one. See __tests__/fixtures/harness/SOURCE.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const OUT = path.join(ROOT, '__tests__', 'fixtures');
const REPS = Number(process.env.REPS ?? 6);
const RUN_S = Number(process.env.RUN_S ?? 3);
const formats = process.argv.slice(2).length ? process.argv.slice(2) : ['jmeter', 'gatling', 'locust', 'artillery'];
const work = mkdtempSync(path.join(os.tmpdir(), 'perfgate-loadtools-'));

// --- the server: /items waits DELAY_MS, /search twice that, /fail answers 500 at once ----------
// In its own process, so that the tools (and the emulated ones) never share its event loop.
const SERVER = `
const delay = Number(process.env.DELAY_MS);
const server = require('node:http').createServer((req, res) => {
  if (req.url.startsWith('/fail')) { res.statusCode = 500; res.end('failed'); return; }
  const search = req.url.startsWith('/search');
  setTimeout(() => res.end(search ? '{"hits":[]}' : '{"items":[]}'), search ? 2 * delay : delay);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0)).resume();`;
function startServer(delayMs) {
  const child = spawn(process.execPath, ['-e', SERVER], {
    env: { ...process.env, DELAY_MS: String(delayMs) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve) =>
    child.stdout.once('data', (d) =>
      resolve({ url: `http://127.0.0.1:${String(d).trim()}`, close: () => child.stdin.end() }),
    ),
  );
}
const urlOf = (server) => server.url;

function run(cmd, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

// --- an emulated closed-loop test: USERS virtual users for RUN_S seconds -----------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function request(url) {
  return new Promise((resolve) => {
    const start = Date.now();
    const req = http.get(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (c) => {
        bytes += c.length;
      });
      res.on('end', () => resolve({ start, end: Date.now(), status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', () => resolve({ start, end: Date.now(), status: 0, bytes: 0 }));
  });
}
async function emulate(base, flow, { users = 4, seconds = RUN_S } = {}) {
  const samples = [];
  const until = Date.now() + seconds * 1000;
  const runStart = Date.now();
  await Promise.all(
    Array.from({ length: users }, async (_, u) => {
      for (let k = 0; Date.now() < until; k++) {
        const step = flow[k % flow.length];
        const r = await request(`${base}${step.path}`);
        samples.push({ ...r, ...step, user: u + 1 });
      }
    }),
  );
  samples.sort((a, b) => a.start - b.start);
  return { runStart, samples };
}

// --- JMeter JTL (user manual, "CSV Log format" and "XML Log format 2.1") -----------------------
const JTL_FULL = [
  'timeStamp',
  'elapsed',
  'label',
  'responseCode',
  'responseMessage',
  'threadName',
  'dataType',
  'success',
  'failureMessage',
  'bytes',
  'sentBytes',
  'grpThreads',
  'allThreads',
  'URL',
  'Latency',
  'IdleTime',
  'Connect',
];
function jtlCsv({ samples }, base, fields = JTL_FULL) {
  const rows = samples.map((s) => {
    const ok = s.status >= 200 && s.status < 400;
    const cell = {
      timeStamp: s.start,
      elapsed: s.end - s.start,
      label: s.label,
      responseCode: s.status,
      responseMessage: ok ? 'OK' : 'Internal Server Error',
      threadName: `Thread Group 1-${s.user}`,
      dataType: 'text',
      success: ok,
      failureMessage: ok ? '' : `Test failed: code expected to be 200`,
      bytes: s.bytes + 120,
      sentBytes: 130,
      grpThreads: 4,
      allThreads: 4,
      URL: `${base}${s.path}`,
      Latency: Math.max(0, s.end - s.start - 1),
      IdleTime: 0,
      Connect: 0,
    };
    return fields.map((f) => cell[f]).join(',');
  });
  return `${fields.join(',')}\n${rows.join('\n')}\n`;
}
function jtlXml({ samples }) {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const lines = samples.map((s, i) => {
    const ok = s.status >= 200 && s.status < 400;
    const attrs = `t="${s.end - s.start}" it="0" lt="${Math.max(0, s.end - s.start - 1)}" ct="0" ts="${s.start}" s="${ok}" lb="${esc(s.label)}" rc="${s.status}" rm="${ok ? 'OK' : 'Internal Server Error'}" tn="Thread Group 1-${s.user}" dt="text" by="${s.bytes + 120}" sby="130" ng="4" na="4"`;
    // The first sample of /items followed a redirect: JMeter nests the redirect as a sub-result.
    if (i === 0)
      return `<httpSample ${attrs}>\n  <httpSample t="1" it="0" lt="1" ct="0" ts="${s.start}" s="true" lb="${esc(s.label)}-0" rc="302" rm="Found" tn="Thread Group 1-${s.user}" dt="text" by="80" sby="130" ng="4" na="4"/>\n  <java.net.URL>${esc(s.path)}</java.net.URL>\n</httpSample>`;
    return ok
      ? `<httpSample ${attrs}/>`
      : `<httpSample ${attrs}>\n  <assertionResult>\n    <name>Response Assertion</name>\n    <failure>true</failure>\n    <error>false</error>\n    <failureMessage>Test failed: code expected to be 200</failureMessage>\n  </assertionResult>\n</httpSample>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testResults version="1.2">\n${lines.join('\n')}\n</testResults>\n`;
}

// --- Gatling: binary simulation.log (3.13+), text simulation.log (3.x), stats.json (3.x) ------
class Binary {
  chunks = [];
  cache = new Map();
  byte(v) {
    this.chunks.push(Buffer.from([v]));
  }
  int(v) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.chunks.push(b);
  }
  long(v) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    this.chunks.push(b);
  }
  string(s) {
    if (s === '') return this.int(0);
    const latin1 = [...s].every((c) => c.charCodeAt(0) < 256);
    const bytes = Buffer.from(s, latin1 ? 'latin1' : 'utf16le');
    this.int(bytes.length);
    this.chunks.push(bytes);
    this.byte(latin1 ? 0 : 1);
  }
  cached(s) {
    const hit = this.cache.get(s);
    if (hit !== undefined) return this.int(-hit);
    const index = this.cache.size + 1;
    this.cache.set(s, index);
    this.int(index);
    this.string(s);
  }
}
function gatlingBinary({ runStart, samples }, scenario) {
  const w = new Binary();
  w.byte(0); // run
  w.string('3.13.5');
  w.string('perfgate.fixtures.ApiSimulation');
  w.long(runStart);
  w.string('');
  w.int(1);
  w.string(scenario);
  w.int(0); // assertions
  const users = new Set();
  for (const s of samples) {
    if (!users.has(s.user)) {
      users.add(s.user);
      w.byte(2); // user start
      w.int(0);
      w.byte(1);
      w.int(s.start - runStart);
    }
    w.byte(1); // request
    w.int(s.groups.length);
    for (const g of s.groups) w.cached(g);
    w.cached(s.name);
    w.int(s.start - runStart);
    w.int(s.end - runStart);
    const ok = s.status >= 200 && s.status < 400;
    w.byte(ok ? 1 : 0);
    w.cached(ok ? '' : `status.find.in(200,201,202,203,204,205,206,207,208,209,304), but actually found ${s.status}`);
  }
  const end = Math.max(...samples.map((s) => s.end));
  for (const u of users) {
    w.byte(2); // user end
    w.int(0);
    w.byte(0);
    w.int(end - runStart + u);
  }
  return Buffer.concat(w.chunks);
}
function gatlingText({ runStart, samples }, scenario) {
  const lines = [`RUN\tperfgate.fixtures.ApiSimulation\tapisimulation\t${runStart}\t \t3.9.5`];
  const users = new Set();
  for (const s of samples) {
    if (!users.has(s.user)) {
      users.add(s.user);
      lines.push(`USER\t${scenario}\tSTART\t${s.start}`);
    }
    const ok = s.status >= 200 && s.status < 400;
    lines.push(
      `REQUEST\t${s.groups.join(',')}\t${s.name}\t${s.start}\t${s.end}\t${ok ? 'OK' : 'KO'}\t${ok ? ' ' : `status.find.in(200,201,202,203,204,205,206,207,208,209,304), but actually found ${s.status}`}`,
    );
  }
  const end = Math.max(...samples.map((s) => s.end));
  for (const _ of users) lines.push(`USER\t${scenario}\tEND\t${end}`);
  return `${lines.join('\n')}\n`;
}
function percentile(sorted, p) {
  // Gatling's percentiles: the value at rank ceil(p·n) (nearest rank)
  return sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] : 0;
}
function gatlingStats(samples, name, seconds) {
  const okT = samples.filter((s) => s.status >= 200 && s.status < 400).map((s) => s.end - s.start);
  const koT = samples.filter((s) => !(s.status >= 200 && s.status < 400)).map((s) => s.end - s.start);
  const allT = samples.map((s) => s.end - s.start);
  const tri = (f) => ({ total: f(allT), ok: f(okT), ko: f(koT) });
  const sorted = (a) => [...a].sort((x, y) => x - y);
  const mean = (a) => (a.length ? Math.round(a.reduce((x, y) => x + y, 0) / a.length) : 0);
  const sd = (a) => {
    const m = a.reduce((x, y) => x + y, 0) / (a.length || 1);
    return a.length ? Math.round(Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / a.length)) : 0;
  };
  const groups = [
    ['t < 800 ms', okT.filter((t) => t < 800).length],
    ['800 ms <= t < 1200 ms', okT.filter((t) => t >= 800 && t < 1200).length],
    ['t >= 1200 ms', okT.filter((t) => t >= 1200).length],
    ['failed', koT.length],
  ];
  const stats = {
    name,
    numberOfRequests: tri((a) => a.length),
    minResponseTime: tri((a) => (a.length ? Math.min(...a) : 0)),
    maxResponseTime: tri((a) => (a.length ? Math.max(...a) : 0)),
    meanResponseTime: tri(mean),
    standardDeviation: tri(sd),
    percentiles1: tri((a) => percentile(sorted(a), 50)),
    percentiles2: tri((a) => percentile(sorted(a), 75)),
    percentiles3: tri((a) => percentile(sorted(a), 95)),
    percentiles4: tri((a) => percentile(sorted(a), 99)),
  };
  groups.forEach(([label, count], i) => {
    stats[`group${i + 1}`] = {
      name: label,
      htmlName: label,
      count,
      percentage: Math.round((100 * count) / (samples.length || 1)),
    };
  });
  stats.meanNumberOfRequestsPerSecond = tri((a) => Math.round((1000 * a.length) / seconds) / 1000);
  return stats;
}
function gatlingStatsJson({ samples }) {
  const seconds = (Math.max(...samples.map((s) => s.end)) - Math.min(...samples.map((s) => s.start))) / 1000;
  const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const node = (type, name, p, list, contents) => ({
    type,
    name,
    path: p,
    pathFormatted: `${type === 'GROUP' ? 'group' : 'req'}_${slug(p || 'missing-name')}`,
    stats: gatlingStats(list, name, seconds),
    ...(contents ? { contents } : {}),
  });
  const requests = {};
  const groups = {};
  for (const s of samples) {
    if (s.groups.length && !groups[s.groups[0]]) groups[s.groups[0]] = {};
    const container = s.groups.length ? groups[s.groups[0]] : requests;
    if (!container[s.name]) container[s.name] = [];
    container[s.name].push(s);
  }
  const contents = {};
  for (const [g, reqs] of Object.entries(groups)) {
    const inner = {};
    for (const [n, list] of Object.entries(reqs))
      inner[`req_${slug(`${g}-${n}`)}`] = node('REQUEST', n, `${g} / ${n}`, list);
    contents[`group_${slug(g)}`] = node('GROUP', g, g, Object.values(reqs).flat(), inner);
  }
  for (const [n, list] of Object.entries(requests)) contents[`req_${slug(n)}`] = node('REQUEST', n, n, list);
  return `${JSON.stringify(node('GROUP', 'All Requests', '', samples, contents), null, 2)}\n`;
}

// --- the real tools ----------------------------------------------------------------------------
async function locust(base, prefix, { users = 4, seconds = RUN_S + 3, fail = false } = {}) {
  const file = path.join(work, 'locustfile.py');
  writeFileSync(
    file,
    `from locust import HttpUser, task, constant

class Api(HttpUser):
    wait_time = constant(0)

    @task(3)
    def items(self):
        self.client.get("/items")

    @task(1)
    def search(self):
        self.client.get("/search?q=x", name="/search")
${fail ? '\n    @task(1)\n    def fail(self):\n        self.client.get("/fail")\n' : ''}`,
  );
  // prettier-ignore
  await run('locust', [
    '-f',
    file,
    '--headless',
    '-u',
    String(users),
    '-r',
    String(users),
    '-t',
    `${seconds}s`,
    '--host',
    base,
    '--csv',
    prefix,
    '--only-summary',
    '--loglevel',
    'WARNING',
    '--exit-code-on-error',
    '0',
  ]);
  const csv = readFileSync(`${prefix}_stats.csv`, 'utf8');
  // On a busy machine locust may spend its whole run time starting up: such a run is no replicate.
  if (/^,Aggregated,0,/m.test(csv)) {
    process.stderr.write('locust completed no request; running it again\n');
    return locust(base, prefix, { users, seconds: seconds + 2, fail });
  }
  return csv;
}
let artilleryBin = process.env.ARTILLERY;
async function artillery(base, out, { rate = 20, seconds = RUN_S, fail = false } = {}) {
  if (!artilleryBin) {
    const dir = path.join(work, 'artillery');
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['init', '-y'], { cwd: dir, stdio: 'ignore' });
    execFileSync('npm', ['i', '--ignore-scripts', '--no-audit', '--no-fund', 'artillery@2'], {
      cwd: dir,
      stdio: 'inherit',
    });
    artilleryBin = path.join(dir, 'node_modules', '.bin', 'artillery');
  }
  const script = path.join(work, 'artillery.yml');
  writeFileSync(
    script,
    `config:
  target: "${base}"
  phases:
    - duration: ${seconds}
      arrivalRate: ${rate}
  plugins:
    metrics-by-endpoint: {}
scenarios:
  - flow:
      - get: { url: "/items" }
      - get: { url: "/search" }
${fail ? '      - get: { url: "/fail" }\n' : ''}`,
  );
  await run(artilleryBin, ['run', '--quiet', '--output', out, script], {
    ...process.env,
    ARTILLERY_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: '1',
  });
  return readFileSync(out, 'utf8');
}

// --- one results file of a format against a server ---------------------------------------------
const FLOW = [
  { path: '/items', label: 'GET items', name: 'items', groups: ['browse'] },
  { path: '/items', label: 'GET items', name: 'items', groups: ['browse'] },
  { path: '/search?q=x', label: 'GET search', name: 'search', groups: [] },
];
const FLOW_FAIL = [...FLOW, { path: '/fail', label: 'GET fail', name: 'fail', groups: [] }];

async function one(format, server, file, { golden = false } = {}) {
  const base = urlOf(server);
  const flow = golden ? FLOW_FAIL : FLOW;
  if (format === 'locust') {
    const prefix = path.join(work, 'locust');
    writeFileSync(file, await locust(base, prefix, { fail: golden }));
  } else if (format === 'artillery') {
    writeFileSync(file, await artillery(base, path.join(work, 'report.json'), { fail: golden }));
  } else {
    const run = await emulate(base, flow);
    if (format === 'jmeter') {
      if (golden) {
        writeFileSync(file, jtlCsv(run, base));
        writeFileSync(file.replace(/\.csv\.jtl$/, '.xml.jtl'), jtlXml(run));
      } else writeFileSync(file, jtlCsv(run, base, ['timeStamp', 'elapsed', 'label', 'responseCode', 'success']));
    } else if (format === 'gatling') {
      writeFileSync(file, gatlingBinary(run, 'api'));
      if (golden) {
        writeFileSync(file.replace(/simulation\.log$/, 'simulation-3.9.log'), gatlingText(run, 'api'));
        writeFileSync(file.replace(/simulation\.log$/, 'stats.json'), gatlingStatsJson(run));
      }
    }
  }
}

const FILE = {
  jmeter: { golden: 'results.csv.jtl', rep: (set, k) => `${set}-${k}.jtl` },
  gatling: { golden: 'simulation.log', rep: (set, k) => `${set}-${k}.simulation.log` },
  locust: { golden: 'run_stats.csv', rep: (set, k) => `${set}-${k}_stats.csv` },
  artillery: { golden: 'report.json', rep: (set, k) => `${set}-${k}.json` },
};

const fast = await startServer(100);
const slow = await startServer(150);
try {
  for (const format of formats) {
    if (!FILE[format]) throw new Error(`unknown format ${format}; expected jmeter, gatling, locust or artillery`);
    const golden = path.join(OUT, 'harness', format);
    mkdirSync(golden, { recursive: true });
    await one(format, fast, path.join(golden, FILE[format].golden), { golden: true });
    const sets = path.join(OUT, 'loadtools', format);
    rmSync(sets, { recursive: true, force: true });
    mkdirSync(sets, { recursive: true });
    for (let k = 1; k <= REPS; k++) {
      for (const [set, server] of [
        ['base', fast],
        ['same', fast],
        ['slow', slow],
      ]) {
        await one(format, server, path.join(sets, FILE[format].rep(set, k)));
        process.stderr.write(`${format} ${set}-${k}\n`);
      }
    }
  }
} finally {
  fast.close();
  slow.close();
  agent.destroy();
  rmSync(work, { recursive: true, force: true });
}
