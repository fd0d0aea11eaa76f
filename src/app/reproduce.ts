/**
 * The report's "Reproduce locally" block: shell lines that run the same comparison with the
 * `perfgate` command, and work as pasted into a clone of the repository. The configuration that
 * was used (suites, build, budgets — whether they came from inputs or a config file) is written
 * to a temporary file by a heredoc, so nothing has to be saved by hand; every other input that
 * was set is passed back as its flag (the flags are the inputs' own names, see inputs.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { RESULTS_LIMITS } from '../adapters/results-file';
import type { ComparisonReport, Revision } from '../core/model';
import { type CliCommand, INPUTS, type InputDefinition, type InputName, localDefault } from '../settings/inputs';
import type { Settings } from '../settings/settings';
import { parseSuites, type Suite } from '../settings/suites';
import type { ReplicateFiles } from './io';

/** The longest block a report carries: report mode rejects results files with longer ones. */
const REPRODUCE_MAX_CHARS = RESULTS_LIMITS.maxReproduceChars;

/** Inputs that the config file of the block carries (run) or that the block sets itself. */
const IN_CONFIG_FILE: readonly InputName[] = ['suites', 'config', 'build', 'budgets', 'bench-from-head'];

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./~^-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `--name value` for every input the command takes that was set to a non-default value. */
function inputFlags(settings: Settings, command: CliCommand, skip: readonly InputName[]): string[] {
  return INPUTS.flatMap((i: InputDefinition) => {
    const name = i.name as InputName;
    const value = settings.asFlags[name];
    if (value === undefined || skip.includes(name) || !i.cli?.commands.includes(command)) return [];
    if (i.kind === 'boolean') return [`--${name}=${shellQuote(value)}`];
    return [`--${name} ${shellQuote(value)}`];
  });
}

/**
 * A parsed suite as a config file would spell it: keys whose absence parses to the same suite
 * (defaults) are left out, so the block shows what the user wrote, and still runs exactly this.
 */
function asWritten(suite: Suite): Record<string, unknown> {
  const { kind: _kind, ...written } = suite;
  const same = (candidate: object) => {
    const parsed = parseSuites([candidate]);
    return parsed.issues.length === 0 && isDeepStrictEqual(parsed.suites[0], suite);
  };
  const out: Record<string, unknown> = { ...written };
  for (const key of Object.keys(out)) {
    const { [key]: _dropped, ...rest } = out;
    if (same(rest)) delete out[key];
  }
  if (Array.isArray(out.scenarios)) {
    const scenarios = out.scenarios.map((s: Record<string, unknown>) => ({ ...s }));
    out.scenarios = scenarios;
    for (const scenario of scenarios) {
      for (const key of Object.keys(scenario)) {
        const value = scenario[key];
        delete scenario[key];
        if (!same(out)) scenario[key] = value;
      }
    }
  }
  return out;
}

/** The configuration that was used, as a config file perfgate reads (`suites:`, `build:`, `benchFromHead:`, `budgets:`). */
export function configFileText(settings: Settings): string {
  const config: Record<string, unknown> = {};
  if (settings.build) config.build = settings.build;
  if (settings.benchFromHead.length > 0) config.benchFromHead = settings.benchFromHead;
  config.suites = settings.suites.map(asWritten);
  // A block of lines keeps their order (a later line wins a tie), which a mapping would not.
  if (settings.budgets.length > 0)
    config.budgets = `${settings.budgets.map((b) => `${b.pattern}: ${b.rule.source}`).join('\n')}\n`;
  return stringify(config, { lineWidth: 0 });
}

/**
 * The block for a comparison of two commits. `fetch`: the commits may be missing from a
 * reader's clone (the head of a PR run is GitHub's merge commit), so fetch them first.
 */
export function reproduceRun(settings: Settings, base: Revision, head: Revision, fetch: boolean): string {
  const config = configFileText(settings);
  // Every line of the YAML is a top-level key or indented under one: none can end the heredoc.
  const end = 'PERFGATE_CONFIG';
  const flags = [
    `--base ${base.sha}`,
    '--config "$config"',
    ...inputFlags(settings, 'run', [...IN_CONFIG_FILE, 'base']),
  ];
  const checkout = [
    '# the perfgate command: see "Locally" in perfgate\'s README',
    ...(fetch ? [`git fetch origin ${base.sha} ${head.sha}`] : []),
    `git checkout ${head.sha}`,
  ];
  const block = [
    ...checkout,
    'config=$(mktemp)',
    `cat > "$config" <<'${end}'`,
    config.trimEnd(),
    end,
    `perfgate run ${flags.join(' ')}`,
  ].join('\n');
  if (block.length <= REPRODUCE_MAX_CHARS) return block;
  // Too long to show: say where the configuration is instead of copying it.
  const fromInput = settings.suitesSource === 'input "suites"';
  return [
    ...checkout,
    `# the configuration (${settings.suites.length} suites) is too long to show here: ${
      fromInput
        ? 'write the workflow\'s "suites" input under "suites:" in perfgate.yml, with "build:", "benchFromHead:" and "budgets:"'
        : `it is ${settings.suitesSource} (with the workflow's "build", "bench-from-head" and "budgets" inputs, if set)`
    }`,
    `perfgate run ${flags.join(' ').replace('"$config"', fromInput ? 'perfgate.yml' : shellQuote(settings.suitesSource))}`,
  ].join('\n');
}

const SUITE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Report mode's block, built here from what this job can check — the commits (SHAs, validated)
 * and the names of the suites measured, with this job's own configuration — never copied from a
 * results file, which a fork writes. Suites this job's configuration defines are written out as in
 * `reproduceRun`; the others are named, to be taken from head's configuration.
 */
export function reproduceReported(settings: Settings, report: ComparisonReport): string {
  const measured = [...new Set(report.results.map((r) => r.suite))];
  const names = measured.filter((n) => SUITE_NAME.test(n));
  const known = new Map(settings.suites.map((s) => [s.name, s]));
  const suites = names.flatMap((n) => known.get(n) ?? []);
  const others = names.filter((n) => !known.has(n));
  const unnamed = measured.length - names.length;
  const rounds: Partial<Record<InputName, string>> = {};
  if (report.method.minRounds !== Number(localDefault('min-rounds')))
    rounds['min-rounds'] = String(report.method.minRounds);
  if (report.method.maxRounds !== Number(localDefault('max-rounds')))
    rounds['max-rounds'] = String(report.method.maxRounds);
  const trusted: Settings = { ...settings, suites, asFlags: { ...settings.asFlags, ...rounds } };
  const note = [
    others.length > 0
      ? `${others.join(', ')} (as head's configuration defines ${others.length === 1 ? 'it' : 'them'})`
      : '',
    unnamed > 0 ? `${unnamed} more whose name is not a plain word` : '',
  ].filter(Boolean);
  if (suites.length > 0) {
    const block = reproduceRun(trusted, report.base, report.head, true).split('\n');
    if (note.length > 0) block.splice(block.length - 1, 0, `# also measured: ${note.join('; ')}`);
    return block.join('\n');
  }
  const flags = inputFlags(trusted, 'run', [...IN_CONFIG_FILE, 'base']);
  return [
    '# the perfgate command: see "Locally" in perfgate\'s README',
    `git fetch origin ${report.base.sha} ${report.head.sha}`,
    `git checkout ${report.head.sha}`,
    ...(names.length + unnamed > 0
      ? [
          `# the suites measured: ${[...names, ...(unnamed > 0 ? [`${unnamed} more`] : [])].join(', ')}, as head's configuration defines them`,
        ]
      : []),
    `perfgate run ${[`--base ${report.base.sha}`, ...flags].join(' ')}`,
  ].join('\n');
}

/** The command of a comparison of result files. */
export function reproduceCompare(settings: Settings, files: ReplicateFiles): string {
  const words = [
    'perfgate compare',
    `--format ${files.format}`,
    ...(files.name !== files.format ? [`--name ${shellQuote(files.name)}`] : []),
    `--base ${files.base.map(shellQuote).join(' ')}`,
    `--head ${files.head.map(shellQuote).join(' ')}`,
    ...inputFlags(settings, 'compare', []),
  ];
  const command = words.join(' ');
  return command.length <= REPRODUCE_MAX_CHARS ? command : `${command.slice(0, REPRODUCE_MAX_CHARS - 30)} … (cut)`;
}
