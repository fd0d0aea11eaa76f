/**
 * Secrets never reach code under test: the bundled action runs with the token in the step's
 * environment under the usual names (GITHUB_TOKEN, GH_TOKEN), under a name of the workflow's
 * own choosing, as the `github-token` input, and beside the runner's internal tokens. The build,
 * a command suite, a harness suite and an HTTP server each dump their whole environment; none of
 * the dumps may hold any of it.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prEvent, runAction, useFakeGitHub } from '../helpers/action';
import { git, makeRepo } from '../helpers/repo';

const DUMP = `
const fs = require('node:fs');
fs.writeFileSync(process.argv[2] + '/' + process.argv[3] + '-' + process.pid + '.env', JSON.stringify(process.env));
`;

/** Walks up the parent chain and keeps what /proc shows of each ancestor's environment. */
const ANCESTORS = `
const fs = require('node:fs');
const seen = {};
for (let pid = process.ppid; pid > 1; ) {
  let environ = '';
  try { environ = fs.readFileSync('/proc/' + pid + '/environ', 'utf8'); } catch {}
  const cmdline = fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').join(' ');
  seen[pid] = { cmdline, environ };
  const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
  pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
fs.writeFileSync(process.argv[2] + '/ancestors-' + process.pid + '.json', JSON.stringify(seen));
`;

const HARNESS = `
require('./dump.cjs');
console.log(JSON.stringify({ benchmarks: [{ name: 'parse', metrics: [{ name: 'time', value: 10, unit: 'ms', direction: 'lower' }] }] }));
`;

const SERVER = `
require('./dump.cjs');
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

const github = useFakeGitHub();

describe('secrets', () => {
  it('hides every token from the build, commands, harnesses and servers, under any name', async () => {
    const token = `ghs_${Math.random().toString(36).slice(2)}${Date.now()}`;
    const runtime = `runtime_${Math.random().toString(36).slice(2)}`;
    const idToken = `idtoken_${Math.random().toString(36).slice(2)}`;
    const dumps = mkdtempSync(path.join(os.tmpdir(), 'perfgate-env-dumps-'));
    const repo = makeRepo({
      'dump.cjs': DUMP,
      'harness.cjs': HARNESS,
      'server.cjs': SERVER,
      'ancestors.cjs': ANCESTORS,
    });
    const baseSha = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'head');
    const suites = `
- name: cmd
  run: node dump.cjs ${dumps} command
  warmup: 0
- name: snoop
  run: node ancestors.cjs ${dumps}
  warmup: 0
- name: harness
  run: node harness.cjs ${dumps} harness
  format: json
  warmup: 0
- name: api
  server: node server.cjs ${dumps} server
  duration: 200ms
  warmupDuration: 0s
  warmup: 0
  connections: 1
  scenarios:
    - name: root
      path: /
`;
    const run = await runAction(
      github,
      repo,
      {
        suites,
        build: `node dump.cjs ${dumps} build`,
        'github-token': token,
        // What is checked here is the environment, not a verdict: a wide budget decides every metric.
        budget: '100%',
        'min-rounds': '10',
        'max-rounds': '10',
      },
      prEvent(300, baseSha),
      {
        GITHUB_TOKEN: token,
        GH_TOKEN: token,
        MY_DEPLOY_KEY: token, // the workflow's own name for it
        TOKEN_IN_URL: `https://x-access-token:${token}@github.com/octo/app`,
        ACTIONS_RUNTIME_TOKEN: runtime,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: idToken,
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/x',
        PERFGATE_TEST_CANARY: 'visible',
      },
    );
    expect(run.outputs.verdict, run.stdout).toBe('pass');
    const files = readdirSync(dumps);
    for (const kind of ['build', 'command', 'harness', 'server'])
      expect(
        files.some((f) => f.startsWith(`${kind}-`)),
        `${kind} dumped its environment: ${files.join(', ')}`,
      ).toBe(true);
    // Code under test may read /proc/PID/environ of its ancestors, perfgate's own process among them.
    const ancestors = files.filter((f) => f.startsWith('ancestors-'));
    expect(ancestors.length).toBeGreaterThan(0);
    for (const file of ancestors) {
      const text = readFileSync(path.join(dumps, file), 'utf8');
      const seen = Object.values(JSON.parse(text) as Record<string, { cmdline: string; environ: string }>);
      const perfgate = seen.find((p) => p.cmdline.includes('dist/index.js'));
      expect(perfgate?.environ, file).toContain('GITHUB_STEP_SUMMARY'); // it was readable
      for (const secret of [token, runtime, idToken]) expect(text, file).not.toContain(secret);
    }
    for (const file of files.filter((f) => !f.startsWith('ancestors-'))) {
      const text = readFileSync(path.join(dumps, file), 'utf8');
      const env = JSON.parse(text) as Record<string, string>;
      expect(env.PERFGATE_TEST_CANARY, file).toBe('visible'); // the dump is a real environment
      for (const secret of [token, runtime, idToken]) expect(text, file).not.toContain(secret);
      const names = Object.keys(env).filter(
        (k) =>
          /^(GITHUB_TOKEN|GH_TOKEN|ACTIONS_RUNTIME_TOKEN|MY_DEPLOY_KEY|TOKEN_IN_URL)$/.test(k) ||
          k.startsWith('INPUT_') ||
          k.startsWith('ACTIONS_ID_TOKEN_REQUEST_'),
      );
      expect(names, file).toEqual([]);
    }
    // The action itself still used the token: the comment was posted with it.
    expect(github.requests.some((r) => r.authorization?.includes(token))).toBe(true);
  }, 300_000);

  it("warns when actions/checkout left the token in the repository's git config", async () => {
    const repo = makeRepo({ 'a.txt': 'a' });
    const baseSha = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'head');
    git(repo, 'config', 'http.https://github.com/.extraheader', 'AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46c2VjcmV0');
    const run = await runAction(
      github,
      repo,
      { suites: '- name: quick\n  run: "true"\n  warmup: 0\n', 'min-rounds': '8', 'max-rounds': '8' },
      prEvent(301, baseSha),
    );
    expect(run.stdout).toMatch(/::warning::actions\/checkout left the job's token .*persist-credentials: false/);
  }, 300_000);
});
