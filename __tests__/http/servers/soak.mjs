// A server for the soak tests. MODE (from the environment):
//   steady   keeps nothing between requests;
//   leak     keeps LEAK_BYTES (default 2048) of every request forever (a slow leak);
//   plateau  caches CACHE_ENTRIES (default 1000) keys of 1 kB, allocating on a miss only: memory
//            grows while the cache fills (5 s at 200/s), then stays (a cache warming up, not a leak).
import { createServer } from 'node:http';

const env = process.env;
const mode = env.MODE ?? 'steady';
const leakBytes = Number(env.LEAK_BYTES ?? 2048);
const entries = Number(env.CACHE_ENTRIES ?? 1000);
const kept = [];
const cache = new Map();
let n = 0;
createServer((req, res) => {
  n++;
  if (mode === 'leak') kept.push(Buffer.alloc(leakBytes, n & 255));
  if (mode === 'plateau' && !cache.has(n % entries)) cache.set(n % entries, Buffer.alloc(1024, n & 255));
  res.end('ok');
}).listen(Number(env.PORT), env.HOST ?? '127.0.0.1', () => console.log(`soak server (${mode}) listening`));
