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
import { roundsProblem } from '../../src/core/gate/design';
import { EXACT_MIN_SAMPLES } from '../../src/core/gate/exact';
import { counterNote } from '../../src/core/instructions';
import { parseBenchFromHead, type SettingsIssue } from '../../src/settings/settings';
import { HARNESS_FORMATS, parseSuites } from '../../src/settings/suites';

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

  it('has a bench-from-head example that parses', () => {
    const [example] = blocks(section('## A PR that adds or changes its benchmarks'), 'yaml');
    const step = parse(example.replace(/^ {6}/gm, '')) as [{ with: Record<string, string> }];
    const issues: SettingsIssue[] = [];
    expect(parseBenchFromHead(step[0].with['bench-from-head'].split('\n'), String, issues)).toEqual(['bench']);
    expect(issues).toEqual([]);
    expect(parseSuites(parse(step[0].with.suites)).issues).toEqual([]);
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
