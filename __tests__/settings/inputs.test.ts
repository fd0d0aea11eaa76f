/**
 * One source for every input: `action.yml`, the README's inputs table, the settings parser, the
 * `Settings` docs and the CLI's flags and usage must agree with src/settings/inputs.ts. When
 * this fails after an intended change, edit the definition and run `npm run gen:inputs`.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { README_END, README_START, withActionInputs, withReadmeInputs } from '../../scripts/inputs-docs';
import { COMMANDS, inputReader, parseFlags, plain, usage } from '../../src/cli/flags';
import {
  type CliCommand,
  INPUT_NAMES,
  INPUTS,
  type InputDefinition,
  type InputName,
  localDefault,
} from '../../src/settings/inputs';
import { parseSettings, SettingsError } from '../../src/settings/settings';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const FIX = 'edit src/settings/inputs.ts and run `npm run gen:inputs`';

describe('action.yml', () => {
  const actionYml = read('action.yml');
  const declared = parse(actionYml).inputs as Record<string, { description: string; default: string }>;

  it('declares exactly the defined inputs, in order', () => {
    expect(Object.keys(declared), FIX).toEqual(INPUT_NAMES);
  });

  it.each(INPUTS.map((i) => [i.name, i] as const))('declares %s with its default and description', (name, def) => {
    expect(declared[name], FIX).toEqual({ description: def.description, default: def.default });
  });

  it('is what the generator writes', () => {
    expect(withActionInputs(actionYml) === actionYml, `action.yml's inputs are stale: ${FIX}`).toBe(true);
  });
});

describe("the README's inputs table", () => {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf(README_START) + README_START.length, readme.indexOf(README_END));
  const rows = table
    .trim()
    .split('\n')
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|')),
    );

  it('has one row per defined input, in order', () => {
    expect(
      rows.map((r) => r[0]),
      FIX,
    ).toEqual(INPUT_NAMES.map((n) => `\`${n}\``));
  });

  it.each(INPUTS.map((i) => [i.name, i] as const))('shows %s with its default, CLI flag and meaning', (name, def) => {
    const row = rows.find((r) => r[0] === `\`${name}\``);
    expect(row, FIX).toBeDefined();
    expect(row![1], FIX).toBe(def.default ? `\`${def.default}\`` : 'empty');
    expect(row![2], FIX).toBe('cli' in def ? `\`--${name}\` (${def.cli.commands.join(', ')})` : '');
    expect(row![3], FIX).toBe(def.description);
  });

  it('is what the generator writes', () => {
    expect(withReadmeInputs(readme) === readme, `the README's inputs table is stale: ${FIX}`).toBe(true);
  });
});

describe('the settings parser', () => {
  const workspace = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-inputs-'));
    mkdirSync(path.join(dir, '.github'));
    writeFileSync(path.join(dir, '.github/perfgate.yml'), 'suites:\n  - name: cli\n    run: node cli.js\n');
    return dir;
  };

  it('reads every defined input, and no other', () => {
    const seen = new Set<string>();
    const recording = (values: Partial<Record<InputName, string>>) => (name: InputName) => {
      seen.add(name);
      return values[name] ?? '';
    };
    const ws = workspace();
    parseSettings(recording({ suites: '- name: cli\n  run: node cli.js' }), ws);
    parseSettings(recording({}), ws); // suites from the config file
    expect([...seen].sort()).toEqual([...INPUT_NAMES].sort());
  });

  it("applies each input's defined default when it is unset", () => {
    const ws = workspace();
    const unset = parseSettings(() => '', ws);
    const explicit = parseSettings((name) => localDefault(name), ws);
    expect(unset).toEqual(explicit);
    // And the defaults are what the definitions say, not something the parser made up.
    expect(unset).toMatchObject({
      mode: 'full',
      comment: 'always',
      alpha: 0.05,
      minRounds: 10,
      maxRounds: 50,
      maxTimeS: 900,
      failOnRegression: true,
      defaultBudget: { source: '5%' },
    });
  });

  it.each(INPUTS.filter((i) => i.kind === 'choice').map((i) => [i.name, i] as const))(
    'accepts exactly the defined values of %s',
    (name, def) => {
      const ws = workspace();
      for (const value of 'values' in def ? def.values : []) {
        expect(() => parseSettings((n) => (n === name ? value : ''), ws)).not.toThrow();
      }
      const e = (() => {
        try {
          parseSettings((n) => (n === name ? 'no-such-value' : ''), ws);
        } catch (error) {
          return error;
        }
      })();
      expect(e).toBeInstanceOf(SettingsError);
      expect((e as SettingsError).issues[0].where).toBe(`input "${name}"`);
    },
  );

  it('documents every input on a Settings field, and no other', () => {
    const source = read('src/settings/settings.ts');
    const body = source.slice(source.indexOf('export interface Settings {'));
    const documented = [...body.slice(0, body.indexOf('\n}')).matchAll(/\/\*\* `([a-z-]+)`/g)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(INPUT_NAMES));
  });
});

describe('the CLI', () => {
  const commands = Object.keys(COMMANDS) as CliCommand[];
  const takes = (command: CliCommand): InputDefinition[] =>
    INPUTS.filter((i: InputDefinition) => i.cli?.commands.includes(command));

  it.each(commands)('"perfgate %s" has a flag for exactly the inputs defined for it', (command) => {
    const flags = COMMANDS[command].flags.filter((f) => f.input);
    expect(flags.map((f) => f.name)).toEqual(takes(command).map((i) => i.name));
    for (const f of flags) expect(f.input).toBe(f.name);
  });

  it.each(commands)('"perfgate %s" passes each input flag to its input', (command) => {
    for (const def of takes(command)) {
      const switchFlag = def.kind === 'boolean';
      const required = COMMANDS[command].flags.filter((f) => f.required).flatMap((f) => [`--${f.name}`, 'x']);
      const args = [...required, ...(switchFlag ? [`--${def.name}`] : [`--${def.name}`, 'VALUE'])];
      const reader = inputReader(COMMANDS[command], parseFlags(COMMANDS[command], args));
      expect(reader(def.name as InputName), def.name).toBe(switchFlag ? 'true' : 'VALUE');
      for (const other of INPUT_NAMES) if (other !== def.name) expect(reader(other)).not.toBe('VALUE');
    }
  });

  it.each(commands)('"perfgate %s --help" shows every flag with its description and default', (command) => {
    const text = usage(command).replace(/\s+/g, ' ');
    for (const def of takes(command)) {
      const cli = def.cli!;
      expect(text).toContain(cli.value ? `--${def.name} ${cli.value}` : `--${def.name}`);
      expect(text).toContain(plain(cli.description ?? def.description));
      const shownDefault = cli.default ?? def.default;
      if (shownDefault && !(def.kind === 'boolean' && shownDefault === 'false'))
        expect(text).toContain(`(default: ${shownDefault})`);
    }
    // Nothing in the usage names a flag the command does not take.
    const named = new Set([...text.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
    const accepted = new Set([...COMMANDS[command].flags.map((f) => f.name), 'help']);
    expect([...named].filter((n) => !accepted.has(n))).toEqual([]);
  });
});
