// A tiny HTTP server for the HTTP suite tests, configured through environment variables:
//   DELAY_MS=20        wait this long before answering each request
//   SPIN_MS=1          burn this much CPU per request
//   HOLD_MS=4          serve one request per slot of this length, in arrival order (a queue with a
//                      fixed service time): its capacity is 1000/HOLD_MS per second, however little
//                      CPU it gets, as long as it gets enough to answer at all
//   FAIL_EVERY=4       answer every 4th request with 500 (FAIL_EVERY=1: always)
//   CRASH_AFTER=50     exit(1) after this many requests
//   FREEZE_AT=100      block the whole process (busy loop) at this request for FREEZE_MS (300)
//   EXIT_AT_START=1    print an error and exit(3) before listening
//   HEALTH_STATUS=503  status of GET /health (default 200)
//   EADDRINUSE_ONCE=F  if file F does not exist: create it, fail like a taken port, exit(1)
//   OUTSIDER=1         do not listen; start a process in another process group that does
//   IGNORE_SIGTERM=1   ignore SIGTERM
//   GRANDCHILD=1       start a long-running child process in the same group
//   PIDFILE=F          append "pid pgid" of each process started here to F
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

const env = process.env;
const port = Number(env.PORT);
const host = env.HOST ?? '127.0.0.1';

function pgidOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}
function recordPid(pid) {
  if (env.PIDFILE) appendFileSync(env.PIDFILE, `${pid} ${pgidOf(pid)}\n`);
}
recordPid(process.pid);

if (env.IGNORE_SIGTERM) process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
if (env.GRANDCHILD) {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  recordPid(child.pid);
}
if (env.EXIT_AT_START) {
  console.error('fatal: cannot open database (test knob EXIT_AT_START)');
  process.exit(3);
}
if (env.EADDRINUSE_ONCE && !existsSync(env.EADDRINUSE_ONCE)) {
  writeFileSync(env.EADDRINUSE_ONCE, 'x');
  console.error(`Error: listen EADDRINUSE: address already in use ${host}:${port}`);
  process.exit(1);
}
if (env.OUTSIDER) {
  // Another process group answers on our port; it leaves when we are gone.
  const code = `
    const parent = ${process.pid};
    require('node:http').createServer((q, s) => s.end('outsider')).listen(${port}, '${host}');
    setInterval(() => { try { process.kill(parent, 0) } catch { process.exit(0) } }, 50);`;
  const outsider = spawn(process.execPath, ['-e', code], { detached: true, stdio: 'ignore' });
  outsider.unref();
  setInterval(() => {}, 1000);
} else {
  const delay = Number(env.DELAY_MS ?? 0);
  const spin = Number(env.SPIN_MS ?? 0);
  const hold = Number(env.HOLD_MS ?? 0);
  let nextSlot = 0; // when the queue is free again (performance.now() ms)
  const failEvery = Number(env.FAIL_EVERY ?? 0);
  const crashAfter = Number(env.CRASH_AFTER ?? 0);
  const freezeAt = Number(env.FREEZE_AT ?? 0);
  const freezeMs = Number(env.FREEZE_MS ?? 300);
  let n = 0;
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      res.statusCode = Number(env.HEALTH_STATUS ?? 200);
      res.end('ok');
      return;
    }
    n++;
    if (crashAfter && n >= crashAfter) {
      console.error(`crashing after ${n} requests (test knob CRASH_AFTER)`);
      process.exit(1);
    }
    if (n === freezeAt) {
      const until = performance.now() + freezeMs;
      while (performance.now() < until);
    }
    const status = failEvery && n % failEvery === 0 ? 500 : req.method === 'POST' ? 201 : 200;
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (spin) {
        const until = performance.now() + spin;
        while (performance.now() < until);
      }
      const answer = () => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ n, method: req.method, length: body.length }));
      };
      if (hold) {
        // The slots are counted from the queue, not from when a timer fired: a late timer delays an
        // answer but not the slots after it.
        const now = performance.now();
        const start = Math.max(now, nextSlot);
        nextSlot = start + hold;
        setTimeout(answer, nextSlot - now);
      } else if (delay) setTimeout(answer, delay);
      else answer();
    });
  });
  server.listen(port, host, () => console.log(`listening on ${host}:${port}`));
}
