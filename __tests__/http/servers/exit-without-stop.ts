// Starts a server through the adapter and exits without stopping it: the adapter's exit hook
// must kill the server's process group. Usage: node --import tsx exit-without-stop.ts PIDFILE
// [MARKER]; with MARKER, the server also starts a detached daemon `sleep MARKER` and this process
// stays until it is killed (tests kill it with SIGKILL, so no exit hook runs).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../../src/adapters/http/server';

const knobs = join(dirname(fileURLToPath(import.meta.url)), 'knobs.mjs');
const server = await startServer({
  suite: 'api',
  side: 'base',
  command: `${process.argv[3] ? `setsid -f sleep ${process.argv[3]} >/dev/null 2>&1; ` : ''}node ${JSON.stringify(knobs)}`,
  cwd: process.cwd(),
  env: { ...process.env, PIDFILE: process.argv[2], GRANDCHILD: '1' },
  readyTimeout: 10,
});
console.log(`started ${server.pgid}`);
if (process.argv[3]) setInterval(() => {}, 1000);
else process.exit(0);
