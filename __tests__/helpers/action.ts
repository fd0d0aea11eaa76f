/**
 * Running the bundled action (`node dist/index.js`) the way a runner does: INPUT_* variables,
 * an event payload file, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, and GITHUB_API_URL pointing
 * at the loopback GitHub stand-in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from './fake-github';
import { git, makeRepo } from './repo';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const entry = path.join(root, 'dist', 'index.js');

/**
 * The loopback GitHub of one end-to-end test file: started before its tests, once the bundles they
 * run exist, and closed after them. The object returned stands for it from the first test on.
 */
export function useFakeGitHub(bundles: string[] = [entry]): FakeGitHub {
  let started: FakeGitHub | undefined;
  beforeAll(async () => {
    const missing = bundles.filter((b) => !existsSync(b)).map((b) => path.relative(root, b));
    if (missing.length > 0) throw new Error(`${missing.join(' and ')} missing: run \`npm run bundle\` first`);
    started = await startFakeGitHub();
  });
  afterAll(async () => {
    await started?.close();
  });
  const live = (): FakeGitHub => {
    if (!started) throw new Error('the loopback GitHub is used before its beforeAll ran');
    return started;
  };
  return new Proxy({} as FakeGitHub, {
    get: (_, key) => {
      const value = Reflect.get(live(), key);
      return typeof value === 'function' ? value.bind(live()) : value;
    },
    set: (_, key, value) => Reflect.set(live(), key, value),
  });
}

/** A benchmark that reports `value.txt` × (1 ± 1 %) in perfgate's json format. */
export const BENCH = `
const fs = require('node:fs');
const v = Number(fs.readFileSync('value.txt', 'utf8'));
const jitter = 1 + 0.01 * (Math.random() * 2 - 1);
console.log(JSON.stringify({ benchmarks: [{ name: 'parse', metrics: [{ name: 'time', value: v * jitter, unit: 'ms', direction: 'lower' }] }] }));
`;

export const SUITES = `
- name: micro
  run: node bench.cjs
  format: json
  warmup: 0
`;

export interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

function readOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const re = /^([^<\n]+)<<(ghadelimiter_[^\n]+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) outputs[m[1]] = m[3];
  return outputs;
}

/** Runs the bundled action the way a runner does. */
export function runAction(
  github: FakeGitHub,
  repo: string,
  inputs: Record<string, string>,
  event: object,
  extraEnv: Record<string, string> = {},
): Promise<ActionRun> {
  return startAction(github, repo, inputs, event, extraEnv).done;
}

/** Starts the bundled action as a runner does; `child` is there to signal it (a cancelled job). */
export function startAction(
  github: FakeGitHub,
  repo: string,
  inputs: Record<string, string>,
  event: object,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; runnerTemp: string; done: Promise<ActionRun> } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'perfgate-e2e-runner-'));
  const files = {
    event: path.join(tmp, 'event.json'),
    output: path.join(tmp, 'output'),
    summary: path.join(tmp, 'summary.md'),
  };
  writeFileSync(files.event, JSON.stringify(event));
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmp,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_WORKSPACE: repo,
    GITHUB_WORKFLOW: 'ci',
    GITHUB_JOB: 'bench',
    RUNNER_TEMP: tmp,
    PERFGATE_SEED: '11',
    'INPUT_GITHUB-TOKEN': 'test-token',
    'INPUT_MIN-ROUNDS': '6',
    'INPUT_MAX-ROUNDS': '12',
    INPUT_BUDGET: '10%',
    // Profiling after a regression has its own end-to-end tests (e2e/profile.test.ts); elsewhere it only costs time.
    INPUT_PROFILE: 'never',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...extraEnv,
  };
  const child = spawn(process.execPath, [entry], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stdout += b));
  const done = new Promise<ActionRun>((resolve) =>
    child.on('close', (c) =>
      resolve({
        code: c ?? -1,
        stdout,
        outputs: readOutputs(files.output),
        summary: readFileSync(files.summary, 'utf8'),
      }),
    ),
  );
  return { child, runnerTemp: tmp, done };
}

/** A repository whose base commit reports `base` and head commit `head` (ms). */
export function scenario(base: number, head: number, extra: (dir: string) => void = () => undefined) {
  const repo = makeRepo({ 'bench.cjs': BENCH, 'value.txt': String(base) });
  const baseSha = git(repo, 'rev-parse', 'HEAD');
  writeFileSync(path.join(repo, 'value.txt'), String(head));
  extra(repo);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'head');
  return { repo, baseSha };
}

export function prEvent(number: number, baseSha: string) {
  return { pull_request: { number, base: { sha: baseSha, ref: 'main' }, head: { sha: 'unused', ref: 'feature' } } };
}
