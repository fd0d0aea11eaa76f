/**
 * The one definition of every input: its name, default, description, kind of value and, when
 * the `perfgate` command takes it, its flag. Everything else is derived from this list:
 * `action.yml`'s `inputs:` and the README's inputs table (written by `npm run gen:inputs`), the
 * settings parser's defaults and allowed values, and the CLI's flags and usage text. A test
 * fails when any of them disagrees with it.
 *
 * To add or remove an input: edit this list, parse it in `settings.ts` (a `Settings` field,
 * documented with the input's name), and run `npm run gen:inputs`.
 */

/** What an input's text holds; the CLI treats `boolean` inputs as switches (`--strict`). */
export type InputKind = 'text' | 'yaml' | 'lines' | 'boolean' | 'integer' | 'number' | 'duration' | 'choice';

/** The `perfgate` commands. */
export type CliCommand = 'run' | 'compare';

/** How the `perfgate` command takes an input: as `--NAME` (the flag is always the input's name). */
export interface CliFlag {
  /** The commands that accept the flag. */
  readonly commands: readonly CliCommand[];
  /** Placeholder for the value in the usage text, e.g. `REV`; none for a boolean switch. */
  readonly value?: string;
  /** Takes one or more values (`--bench-from-head bench/ benches/`), read as the input's lines. */
  readonly list?: boolean;
  /** The CLI's default where it differs from the action's (e.g. `base`: `HEAD~1`). */
  readonly default?: string;
  /** The CLI's meaning where it differs from the action's. */
  readonly description?: string;
}

export interface InputDefinition {
  /** The key under `with:` (the runner passes it as `INPUT_<NAME>`). */
  readonly name: string;
  /** The default as `action.yml` declares it; `''` means empty. */
  readonly default: string;
  /** Markdown; `action.yml`'s description, the README table's meaning and the CLI's help. */
  readonly description: string;
  readonly kind: InputKind;
  /** The allowed values of a `choice` input. */
  readonly values?: readonly string[];
  /** The CLI flag, when the `perfgate` command takes this input. */
  readonly cli?: CliFlag;
}

export const INPUTS = [
  {
    name: 'github-token',
    // An Actions expression, evaluated by the runner (not a template string).
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    default: '${{ github.token }}',
    description:
      'Token for the PR comment, the check run (`report` mode, and runs without a PR) and the tracking issue. On fork PRs it is read-only; see "Fork pull requests" in the README.',
    kind: 'text',
  },
  {
    name: 'suites',
    default: '',
    description: 'The suites, as inline YAML (a list). When empty, the `config` file is read.',
    kind: 'yaml',
    cli: { commands: ['run'], value: 'YAML' },
  },
  {
    name: 'config',
    default: '.github/perfgate.yml',
    description:
      'YAML file holding `suites:` (and optionally `build:`, `budgets:` and `benchFromHead:`), used when `suites` is empty.',
    kind: 'text',
    cli: { commands: ['run'], value: 'FILE' },
  },
  {
    name: 'build',
    default: '',
    description:
      "Shell command run in each checkout (base and head) before measuring, e.g. `npm ci && npm run build`; overrides the config file's `build:`.",
    kind: 'text',
    cli: { commands: ['run'], value: 'CMD' },
  },
  {
    name: 'bench-from-head',
    default: '',
    description:
      'Paths or globs, one a line (like `bench/` or `**/*.bench.ts`), copied from the head checkout into the base checkout before building, so both builds run the PR\'s benchmark code against their own library; overrides the config file\'s `benchFromHead:` (see "A PR that adds or changes its benchmarks").',
    kind: 'lines',
    cli: { commands: ['run'], value: 'PATH...', list: true },
  },
  {
    name: 'budget',
    default: '5%',
    description: 'Allowed worsening for every metric that no `budgets` rule matches.',
    kind: 'text',
    cli: { commands: ['run', 'compare'], value: 'RULE' },
  },
  {
    name: 'budgets',
    default: '',
    description:
      'One rule a line, `PATTERN: RULE`: PATTERN is a glob over metric ids; RULE is `10%`, `< 200ms`, `<= 1.5s`, `< 300MB`, `> 1000/s` or `off`. The most specific pattern wins (see Budgets).',
    kind: 'lines',
    cli: { commands: ['run', 'compare'], value: '"PATTERN: RULE"' },
  },
  {
    name: 'alpha',
    default: '0.05',
    description: 'Family-wise significance level across all gated metrics.',
    kind: 'number',
    cli: { commands: ['run', 'compare'], value: 'A' },
  },
  {
    name: 'min-rounds',
    default: '10',
    description: 'Rounds (one base and one head sample per suite) before the first look.',
    kind: 'integer',
    cli: { commands: ['run'], value: 'N' },
  },
  {
    name: 'max-rounds',
    default: '50',
    description: 'Most rounds per suite.',
    kind: 'integer',
    cli: { commands: ['run'], value: 'N' },
  },
  {
    name: 'complete-report',
    default: 'true',
    description:
      'After a regression is found (the check will fail), keep sampling the undecided metrics until each is decided (within max-rounds and max-time), so the report labels every regression; `false` stops at the first regression.',
    kind: 'boolean',
    cli: { commands: ['run'] },
  },
  {
    name: 'max-time',
    default: '15m',
    description:
      'Wall-clock cap on measuring (builds excluded), like `15m`; the last look then decides with what was measured.',
    kind: 'duration',
    cli: { commands: ['run'], value: 'DURATION' },
  },
  {
    name: 'base',
    default: '',
    description:
      'Base commit, branch or tag, or `latest-tag`: the highest `vMAJOR.MINOR.PATCH` tag reachable from the head. Default from the event: the PR\'s base (`pull_request`), `merge_group.base_sha` (`merge_group`), `before` (`push`); required under `schedule` and `workflow_dispatch` (see "Which commits are compared").',
    kind: 'text',
    cli: {
      commands: ['run'],
      value: 'REV',
      default: 'HEAD~1',
      description: 'Base commit or ref to compare HEAD with, or `latest-tag` (the latest release tag).',
    },
  },
  {
    name: 'comment',
    default: 'always',
    description: 'When to post the sticky PR comment: `always`, `on-regression` or `never`.',
    kind: 'choice',
    values: ['always', 'on-regression', 'never'],
  },
  {
    name: 'fail-on-regression',
    default: 'true',
    description: '`false` reports regressions without failing the step (errors still fail).',
    kind: 'boolean',
  },
  {
    name: 'mode',
    default: 'full',
    description:
      '`full` (measure, report and gate), `measure` (measure and gate; writes results and the job summary, no comment) or `report` (reads results, comments; never runs PR code).',
    kind: 'choice',
    values: ['full', 'measure', 'report'],
  },
  {
    name: 'results',
    default: '',
    description:
      '`measure`: directory to write results to (upload it as an artifact). `report`: directory of downloaded results (searched recursively).',
    kind: 'text',
  },
  {
    name: 'shard',
    default: '',
    description: "`INDEX/TOTAL` (like `2/4`): measure only this job's share of the suites.",
    kind: 'text',
  },
  {
    name: 'allow-unsafe-pr-checkout',
    default: 'false',
    description:
      'Permit checking out and running PR code under `pull_request_target` or `workflow_run`. Dangerous; see the README.',
    kind: 'boolean',
  },
  {
    name: 'tracking-issue',
    default: 'true',
    description:
      'A reference check (the `base` input, outside pull requests and merge queues) keeps one issue open while it fails and closes it when it passes; `false` turns this off (see "The slow creep since a release").',
    kind: 'boolean',
  },
  {
    name: 'profile',
    default: 'on-regression',
    description:
      'After the verdict, profile both sides of every suite with a regression (`on-regression`), of every suite (`always`), or `never`: the comment shows the functions whose cost grew, the HTML report a differential flame graph (see "Where the time went").',
    kind: 'choice',
    values: ['on-regression', 'always', 'never'],
    cli: { commands: ['run'], value: 'WHEN' },
  },
  {
    name: 'accept-label',
    default: 'perf-regression-accepted',
    description:
      'The PR label that accepts every regression of the PR: still shown, it no longer fails the check. A `perfgate: accept ID, GLOB` line in the PR description accepts the metrics it names (see "Accepting an intended regression").',
    kind: 'text',
  },
] as const satisfies readonly InputDefinition[];

export type InputName = (typeof INPUTS)[number]['name'];

/** Every input's name, in definition order. */
export const INPUT_NAMES: readonly InputName[] = INPUTS.map((i) => i.name);

type Definition<N extends InputName> = Extract<(typeof INPUTS)[number], { name: N }>;

/** The allowed values of a `choice` input, as a type. */
export type ChoiceOf<N extends InputName> = Definition<N> extends { values: readonly (infer V)[] } ? V : never;

const BY_NAME = new Map<string, InputDefinition>(INPUTS.map((i) => [i.name, i]));

/** The definition of one input. */
export function inputDefinition<N extends InputName>(name: N): Definition<N> {
  return BY_NAME.get(name) as Definition<N>;
}

/** The allowed values of a `choice` input. */
export function choiceValues<N extends InputName>(name: N): readonly ChoiceOf<N>[] {
  return (BY_NAME.get(name)?.values ?? []) as readonly ChoiceOf<N>[];
}

/**
 * The value an unset input takes outside a workflow (the CLI, tests). On a runner the default
 * comes from `action.yml`, which is generated from the same list; a `${{ … }}` expression
 * only means something there, so here it is empty.
 */
export function localDefault(name: InputName): string {
  const value: string = inputDefinition(name).default;
  return value.startsWith('${{') ? '' : value;
}
