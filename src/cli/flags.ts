/**
 * The `perfgate` command's flags and usage text. Flags that set an input are derived from the
 * input definitions (src/settings/inputs.ts): same name, default and description as the
 * action's input. The few flags only the CLI has (files to compare, where to write reports) are
 * listed here. The usage text is generated from both, so it cannot drift from what is accepted.
 */
import { type CliCommand, type CliFlag, INPUTS, type InputName } from '../settings/inputs';
import { HARNESS_FORMATS } from '../settings/suites';

export interface Flag {
  name: string;
  /** Placeholder for the value; none for a switch (`--strict`, `--strict=false`). */
  value?: string;
  /** Takes one or more values (`--base a.json b.json`). */
  list?: boolean;
  /** Must be given. */
  required?: boolean;
  default?: string;
  /** Markdown (backticks are dropped for the terminal). */
  description: string;
  /** The input this flag sets, when it is one. */
  input?: InputName;
}

export interface Command {
  name: CliCommand;
  /** Arguments shown after the command name in the usage line. */
  synopsis: string;
  summary: string;
  flags: Flag[];
}

/** Flags that set inputs, as the input definitions declare them for `command`. */
export function inputFlags(command: CliCommand): Flag[] {
  return INPUTS.flatMap((i): Flag[] => {
    const cli: CliFlag | undefined = 'cli' in i ? i.cli : undefined;
    if (!cli || !(cli.commands as readonly CliCommand[]).includes(command)) return [];
    return [
      {
        name: i.name,
        value: cli.value,
        list: cli.list,
        default: cli.default ?? (i.default || undefined),
        description: cli.description ?? i.description,
        input: i.name,
      },
    ];
  });
}

const OUTPUT_FLAGS: Flag[] = [
  { name: 'json', value: 'FILE', description: 'Also write the results JSON (raw samples, estimates, outcomes) here.' },
  { name: 'html', value: 'FILE', description: 'Also write the self-contained HTML report here.' },
];

export const COMMANDS: Record<CliCommand, Command> = {
  run: {
    name: 'run',
    synopsis: '[flags]',
    summary:
      'Measure the commit checked out (HEAD) against --base with the suites of the config file, interleaved, ' +
      'print the report, and exit 1 on a regression beyond budget. Uncommitted changes are not measured.',
    flags: [
      ...inputFlags('run'),
      ...OUTPUT_FLAGS,
      { name: 'seed', value: 'N', description: 'Seed of the randomized run order (random when not given).' },
    ],
  },
  compare: {
    name: 'compare',
    synopsis: '--format FMT --base FILE... --head FILE... [flags]',
    summary:
      'Compare result files produced elsewhere, one file per replicate per side, with the same statistics, and ' +
      'exit 1 on a regression beyond budget.',
    flags: [
      {
        name: 'format',
        value: 'FMT',
        required: true,
        description: `The harness that wrote the files: ${HARNESS_FORMATS.join(', ')}.`,
      },
      { name: 'base', value: 'FILE...', list: true, required: true, description: "The base side's result files." },
      { name: 'head', value: 'FILE...', list: true, required: true, description: "The head side's result files." },
      { name: 'name', value: 'SUITE', description: 'Suite name in the metric ids (default: the format).' },
      ...inputFlags('compare'),
      ...OUTPUT_FLAGS,
    ],
  },
};

export const EXIT_STATUS =
  'Exit status: 0 pass, 1 regression beyond budget, 2 error (bad input, build failure, nothing comparable).';

/** Markdown to terminal text. */
export function plain(text: string): string {
  return text.replace(/`/g, '');
}

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l);
}

/** One flag as the usage shows it, e.g. `--base REV`. */
export function flagSynopsis(flag: Flag): string {
  return flag.value ? `--${flag.name} ${flag.value}` : `--${flag.name}`;
}

/** The usage of one command. */
export function commandUsage(command: Command): string {
  const out = [`  perfgate ${command.name} ${command.synopsis}`, ...wrap(command.summary, 94, '      '), ''];
  for (const flag of command.flags) {
    // A switch is off unless given; saying so for each one is noise.
    const shown = flag.default && !(flag.value === undefined && flag.default === 'false');
    const text = plain(flag.description) + (shown ? ` (default: ${flag.default})` : '');
    out.push(`    ${flagSynopsis(flag)}`, ...wrap(text, 92, '        '));
  }
  return `${out.join('\n')}\n`;
}

/** `perfgate --help`, or one command's usage. */
export function usage(command?: CliCommand): string {
  const commands = command ? [COMMANDS[command]] : Object.values(COMMANDS);
  return [
    'Usage:',
    ...commands.map((c) => commandUsage(c)),
    '  perfgate [COMMAND] --help',
    '      Print this help.',
    '',
    EXIT_STATUS,
    '',
  ].join('\n');
}

export class UsageError extends Error {}

/** The parsed command line: every flag's values, by flag name. `help` when --help/-h was given. */
export interface ParsedFlags {
  values: Map<string, string[]>;
  help: boolean;
}

/**
 * Parses `--flag value`, `--flag=value`, switches (`--strict`, `--strict=false`) and lists
 * (`--base a b c`) against the command's flags. Unknown flags and stray arguments are errors.
 */
export function parseFlags(command: Command, args: readonly string[]): ParsedFlags {
  const byName = new Map(command.flags.map((f) => [f.name, f]));
  const values = new Map<string, string[]>();
  let help = false;
  let current: Flag | null = null;
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      const flag = byName.get(name);
      if (!flag) throw new UsageError(`unknown flag --${name} for "perfgate ${command.name}"`);
      if (values.has(name)) throw new UsageError(`--${name} given twice`);
      current = null;
      if (!flag.value) {
        values.set(name, [inline ?? 'true']);
        continue;
      }
      values.set(name, inline !== undefined ? [inline] : []);
      if (inline === undefined || flag.list) current = flag;
      continue;
    }
    if (current === null) throw new UsageError(`unexpected argument "${arg}"`);
    values.get(current.name)!.push(arg);
    if (!current.list) current = null;
  }
  if (help) return { values, help };
  for (const flag of command.flags) {
    const given = values.get(flag.name);
    if (given && given.length === 0)
      throw new UsageError(`--${flag.name} needs ${flag.list ? 'at least one value' : 'a value'}: ${flag.value}`);
    if (flag.required && !given) throw new UsageError(`--${flag.name} is required: ${flagSynopsis(flag)}`);
  }
  return { values, help };
}

/** The one value of a flag, or '' when not given. */
export function flagValue(parsed: ParsedFlags, name: string): string {
  return parsed.values.get(name)?.[0] ?? '';
}

/** Reads inputs from the command line: a flag's value, else its CLI default, else empty (the input's default). */
export function inputReader(command: Command, parsed: ParsedFlags): (name: InputName) => string {
  const byInput = new Map(command.flags.filter((f) => f.input).map((f) => [f.input, f]));
  return (name) => {
    const flag = byInput.get(name);
    if (!flag) return '';
    const given = parsed.values.get(flag.name);
    if (given && flag.list) return given.join('\n'); // a list flag sets a `lines` input, one value a line
    return given?.[0] ?? flag.default ?? '';
  };
}
