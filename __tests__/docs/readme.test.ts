/**
 * The README's harness documentation, checked against the code: every format perfgate parses has
 * a snippet, every snippet is a valid suite of an existing format, and the bench-from-head example
 * parses. Adding a format without documenting it fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VALGRIND_INSTALL } from '../../src/adapters/instructions';
import { SUPERVISOR_PY, TREE_VARIABLE } from '../../src/adapters/supervisor';
import { roundsProblem } from '../../src/core/gate/design';
import { EXACT_MIN_SAMPLES } from '../../src/core/gate/exact';
import { counterNote } from '../../src/core/instructions';
import { parseBenchFromHead, type SettingsIssue } from '../../src/settings/settings';
import { HARNESS_FORMATS, MAX_DURATION_S, parseSuites } from '../../src/settings/suites';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** The text of a `##`/`###` section, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, `README section "${heading}"`).toBeGreaterThan(-1);
  const level = heading.indexOf(' ');
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next === -1 ? rest : rest.slice(0, next);
}

function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]);
}

describe('README', () => {
  it('gives every harness format a snippet, and each snippet is a valid suite of that format', () => {
    const text = section('### Harness formats');
    const load = section('### Load-testing tools');
    const headed = [...text.matchAll(/^\*\*`([a-z0-9-]+)`\*\*/gm)].map((m) => m[1]);
    // The load-testing tools share one snippet (a `suites:` input) in their own section.
    const snippets = [
      ...blocks(text, 'yaml').map((yaml) => parse(yaml)),
      ...blocks(load, 'yaml').map((yaml) => parse((parse(yaml) as { suites: string }).suites)),
    ];
    const inSnippets = new Set<string>();
    for (const snippet of snippets) {
      const { suites, issues } = parseSuites(snippet);
      expect(issues, JSON.stringify(snippet)).toEqual([]);
      for (const suite of suites) {
        expect(suite.kind).toBe('harness');
        if (suite.kind === 'harness') inSnippets.add(suite.format);
      }
    }
    const loadFormats = [...inSnippets].filter((f) => !headed.includes(f));
    expect([...headed, ...loadFormats].sort()).toEqual([...HARNESS_FORMATS].sort());
    expect([...inSnippets].sort()).toEqual([...HARNESS_FORMATS].sort());
  });

  it('documents the tinybench and benchmark.js output the parsers expect', () => {
    const js = blocks(section('### Harness formats'), 'js').join('\n');
    expect(js).toContain('console.log(JSON.stringify(bench.table()))');
    expect(js).toContain("on('cycle', (event) => console.log(String(event.target)))");
  });

  it('states the longest duration the settings accept', () => {
    expect(section('## Suites and metrics')).toContain(`at most \`${MAX_DURATION_S / 3600}h\` (7 days`);
    expect(MAX_DURATION_S).toBe(7 * 24 * 3600);
  });

  it('has a fork report workflow that checks out the trusted configuration without credentials, and may post a check run', () => {
    // Its snippets start with `# file` comments, which `section` would take for headings.
    const text = readme.slice(
      readme.indexOf('\n## Fork pull requests\n'),
      readme.indexOf('\n## Sharding big suites\n'),
    );
    const [, report] = blocks(text, 'yaml').map((y) => parse(y));
    expect(report.on).toHaveProperty('workflow_run');
    expect(report.permissions).toMatchObject({ contents: 'read', checks: 'write', 'pull-requests': 'write' });
    const steps = report.jobs.report.steps as { uses: string; with?: Record<string, unknown> }[];
    const checkout = steps.findIndex((st) => st.uses.startsWith('actions/checkout@'));
    const perfgate = steps.findIndex((st) => st.uses.startsWith('OWNER/perfgate@'));
    expect(checkout).toBeGreaterThan(-1);
    expect(checkout).toBeLessThan(perfgate);
    expect(steps[checkout].with).toEqual({ 'persist-credentials': false });
    expect(steps[perfgate].with).toMatchObject({ mode: 'report' });
  });

  it('has a bench-from-head example that parses', () => {
    const [example] = blocks(section('## A PR that adds or changes its benchmarks'), 'yaml');
    const step = parse(example.replace(/^ {6}/gm, '')) as [{ with: Record<string, string> }];
    const issues: SettingsIssue[] = [];
    expect(parseBenchFromHead(step[0].with['bench-from-head'].split('\n'), String, issues)).toEqual(['bench']);
    expect(issues).toEqual([]);
    expect(parseSuites(parse(step[0].with.suites)).issues).toEqual([]);
  });

  it('runs only npm scripts that exist, and gives one answer on fetch-depth (a depth-1 checkout)', () => {
    const scripts = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    // This project's commands: the set-up block and the Development section (the workflow examples
    // run the user's own `npm run build`).
    const ours = readme.slice(0, readme.indexOf('## Use it')) + section('## Development');
    const named = [...ours.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(Object.keys(scripts), `npm run ${name}`).toContain(name);
    for (const yaml of blocks(readme, 'yaml')) expect(yaml).not.toMatch(/fetch-depth/);
    // The set-up block: one install, then each command on its own line with what it does and costs.
    const setup = blocks(readme.slice(0, readme.indexOf('## Use it')), 'sh')[0];
    expect(setup.match(/npm ci/g)).toHaveLength(1);
    expect(setup).toMatch(/npm test +# every test: about \d+ minutes/);
  });

  it('shows a "where the time went" comment that fits in 30 lines outside its folded sections', () => {
    const quote = section('## Where the time went')
      .split('\n')
      .filter((l) => l.startsWith('>'))
      .map((l) => l.replace(/^> ?/, ''))
      .join('\n');
    const open = quote
      .replace(/<details>[\s\S]*?<\/details>/g, '<details/>')
      .trimEnd()
      .split('\n');
    expect(open[0]).toMatch(/^### ❌ perfgate: 2 regressions beyond budget/);
    expect(open.length).toBeLessThanOrEqual(30);
    expect(quote).toContain('#### Where the time went');
  });

  it('states the rounds the settings refuse and when counts are decided by their values as the code does', () => {
    const text = section('## How the verdict is reached').replace(/\s+/g, ' ');
    const m = /`min-rounds: (\d+)` with `max-rounds: (\d+)`: (\d+)\)/.exec(text);
    expect(m, 'the example of refused rounds').not.toBeNull();
    const [, min, max, smallest] = m!.map(Number);
    expect(roundsProblem(0.05, min, max)?.smallest).toBe(smallest);
    expect(text).toContain(`after ${EXACT_MIN_SAMPLES.interim} identical samples a side while measuring`);
    expect(text).toContain(`from ${EXACT_MIN_SAMPLES.final} files a side in \`perfgate compare\``);
  });

  it('has an instruction-counting workflow that installs valgrind with the command the error names', () => {
    // Up to the next `## ` heading (its workflow has a `# file name` comment, which section() would stop at).
    const start = readme.indexOf('\n## Instruction counts: a 1 % budget in a few rounds\n');
    expect(start).toBeGreaterThan(-1);
    const text = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const [workflow] = blocks(text, 'yaml').map((yaml) => parse(yaml));
    const steps = workflow.jobs.perfgate.steps as { run?: string; uses?: string; with?: Record<string, string> }[];
    const install = steps.findIndex((step) => step.run === VALGRIND_INSTALL);
    const perfgate = steps.findIndex((step) => step.uses?.includes('perfgate'));
    expect(install).toBeGreaterThan(-1);
    expect(install).toBeLessThan(perfgate);
    const { suites, issues } = parseSuites(parse(steps[perfgate].with!.suites));
    expect(issues).toEqual([]);
    expect(suites[0]).toMatchObject({ kind: 'command', instructions: 'valgrind' });
    expect(steps[perfgate].with!.budgets).toContain('*:instructions: 1%');
    // The error it quotes is the one the code writes, and the counter's note is the one the report shows.
    expect(text.replace(/\s+/g, ' ')).toContain(`\`${VALGRIND_INSTALL}\` on Debian and Ubuntu`);
    expect(counterNote('valgrind')).toContain('separate runs of the command without the counter');
  });
});

describe('README soak section', () => {
  it('shows a soak suite that parses, with the defaults the settings have', () => {
    const [example] = blocks(section('### Soak: memory that creeps up'), 'yaml');
    const snippet = parse((parse(example) as { suites: string }).suites) as { soak: Record<string, unknown> }[];
    const { suites, issues } = parseSuites(snippet);
    expect(issues).toEqual([]);
    // Every value the example writes is marked "(default)" except the rate: it must equal the default.
    const bare = parseSuites([{ ...snippet[0], soak: { rate: snippet[0].soak.rate } }]);
    expect(bare.issues).toEqual([]);
    expect(suites[0]).toEqual(bare.suites[0]);
  });
});

describe('README supervision section', () => {
  it('names the environment variable and the file of the supervision the code uses', () => {
    const text = section('## Nothing left running, nothing leaked');
    expect(text).toContain(`\`${TREE_VARIABLE}\``);
    expect(text).toContain(`\`dist/${path.basename(SUPERVISOR_PY)}\``);
  });
});
