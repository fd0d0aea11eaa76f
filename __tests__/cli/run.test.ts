/**
 * `perfgate run` from a developer's clone, with real suites: a command suite and an HTTP suite
 * whose head server is made 20 ms slower per request. The effect is far beyond any noise on this
 * machine, so the assertions are about wiring (metrics, ids, units, outcome), not statistics.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/repo';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'index.js');

const SERVER = `
const http = require('node:http');
const delay = Number(require('node:fs').readFileSync('delay.txt', 'utf8'));
http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  setTimeout(() => res.end(JSON.stringify({ items: [1, 2, 3] })), delay);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const CONFIG = `
suites:
  - name: hello
    run: node -e "console.log('hi')"
    warmup: 0
  - name: api
    server: node server.cjs
    ready: /health
    connections: 2
    duration: 300ms
    warmupDuration: 100ms
    warmup: 0
    scenarios:
      - name: items
        path: /items
`;

function run(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('perfgate run', () => {
  // Ten rounds of a server per side on a shared 2-core machine: more than the default minute.
  it('measures command and HTTP suites on both commits and flags the slower server', { timeout: 300_000 }, async () => {
    const repo = makeRepo({ '.github/perfgate.yml': CONFIG, 'server.cjs': SERVER, 'delay.txt': '0' });
    writeFileSync(path.join(repo, 'delay.txt'), '20');
    git(repo, 'commit', '-qam', 'slower');
    const json = path.join(repo, '..', `${path.basename(repo)}-results.json`);
    const r = await run(repo, [
      '--base',
      'HEAD~1',
      // Holm across 11 metrics at α = 0.05: a signed-rank test needs 10 rounds to reach 0.05/11.
      '--min-rounds',
      '10',
      '--max-rounds',
      '10',
      '--budget',
      '10%',
      '--json',
      json,
      '--seed',
      '3',
      // Profiling after a regression has its own end-to-end tests; here it would only cost time.
      '--profile',
      'never',
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stderr).toContain('Comparing base');
    const results = JSON.parse(readFileSync(json, 'utf8')).results as Array<{
      id: string;
      unit: string;
      outcome: string;
      base: number[];
    }>;
    const byId = new Map(results.map((m) => [m.id, m]));
    for (const id of [
      'hello:wall',
      'hello:cpu',
      'hello:rss',
      'api/items:p50',
      'api/items:p99',
      'api/items:throughput',
      'api/items:errors',
    ]) {
      expect(byId.has(id), `${id} in ${[...byId.keys()].join(', ')}`).toBe(true);
    }
    expect(byId.get('api/items:p50')).toMatchObject({ unit: 's', outcome: 'regression' });
    expect(byId.get('api/items:p50')!.base).toHaveLength(10);
    expect(r.stdout).toContain('`api/items:p50`');
  });
});
