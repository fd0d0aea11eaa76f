/**
 * The report's "Reproduce locally" block: shell lines that run the same comparison with the
 * `perfgate` command, and work as pasted into a clone of the repository. The configuration that
 * was used (suites, build, budgets — whether they came from inputs or a config file) is written
 * to a temporary file by a heredoc, so nothing has to be saved by hand; every other input that
 * was set is passed back as its flag (the flags are the inputs' own names, see inputs.ts).
 */
import { stringify } from 'yaml';
import { RESULTS_LIMITS } from '../adapters/results-file';
import type { Revision } from '../core/model';
import { type CliCommand, INPUTS, type InputDefinition, type InputName } from '../settings/inputs';
import type { Settings } from '../settings/settings';
import type { ReplicateFiles } from './files';

/** The longest block a report carries: report mode rejects results files with longer ones. */
const REPRODUCE_MAX_CHARS = RESULTS_LIMITS.maxReproduceChars;

/** Inputs that the config file of the block carries (run) or that the block sets itself. */
const IN_CONFIG_FILE: readonly InputName[] = ['suites', 'config', 'build', 'budgets'];

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

/** The configuration that was used, as a config file perfgate reads (`suites:`, `build:`, `budgets:`). */
export function configFileText(settings: Settings): string {
  const config: Record<string, unknown> = {};
  if (settings.build) config.build = settings.build;
  // The parsed suites, with every default spelled out: exactly what ran.
  config.suites = settings.suites.map(({ kind: _kind, ...suite }) => suite);
  // A block of lines keeps their order (a later line wins a tie), which a mapping would not.
  if (settings.budgets.length > 0)
    config.budgets = `${settings.budgets.map((b) => `${b.pattern}: ${b.rule.source}`).join('\n')}\n`;
  return stringify(config, { lineWidth: 0 });
}

/** A heredoc delimiter that no line of `text` equals. */
function delimiter(text: string): string {
  const lines = new Set(text.split('\n'));
  let name = 'PERFGATE_CONFIG';
  while (lines.has(name)) name += '_';
  return name;
}

/**
 * The block for a comparison of two commits. `fetch`: the commits may be missing from a
 * reader's clone (the head of a PR run is GitHub's merge commit), so fetch them first.
 */
export function reproduceRun(settings: Settings, base: Revision, head: Revision, fetch: boolean): string {
  const config = configFileText(settings);
  const end = delimiter(config);
  const flags = [
    `--base ${base.sha}`,
    '--config "$config"',
    ...inputFlags(settings, 'run', [...IN_CONFIG_FILE, 'base']),
  ];
  const lines = [
    '# the perfgate command: see "Locally" in perfgate\'s README',
    ...(fetch ? [`git fetch origin ${base.sha} ${head.sha}`] : []),
    `git checkout ${head.sha}`,
    'config=$(mktemp)',
    `cat > "$config" <<'${end}'`,
    config.trimEnd(),
    end,
    `perfgate run ${flags.join(' ')}`,
  ];
  const block = lines.join('\n');
  if (block.length <= REPRODUCE_MAX_CHARS) return block;
  // Too long to show: point at the configuration instead of copying it.
  return [
    ...lines.slice(0, 3),
    settings.suitesSource === 'input "suites"'
      ? `# the configuration (${settings.suites.length} suites) is too long to show here: write the workflow's "suites" input under "suites:" in perfgate.yml, with "build:" and "budgets:"`
      : `# the configuration (${settings.suites.length} suites) is too long to show here: it is ${settings.suitesSource}`,
    `perfgate run ${flags.join(' ').replace('"$config"', settings.suitesSource === 'input "suites"' ? 'perfgate.yml' : shellQuote(settings.suitesSource))}`,
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
