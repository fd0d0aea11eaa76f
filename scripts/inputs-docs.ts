/**
 * Renders the parts of `action.yml` and the README that are derived from the input definitions
 * (src/settings/inputs.ts). `npm run gen:inputs` writes them; a test checks they are current.
 */
import { stringify } from 'yaml';
import { INPUTS, type InputDefinition } from '../src/settings/inputs';

const ACTION_NOTE = '# inputs: generated from src/settings/inputs.ts by `npm run gen:inputs`; edit there, not here';

/** `action.yml`'s `inputs:` block, as YAML text ending in a newline. */
export function actionInputsBlock(inputs: readonly InputDefinition[] = INPUTS): string {
  const block = Object.fromEntries(inputs.map((i) => [i.name, { description: i.description, default: i.default }]));
  return `${ACTION_NOTE}\n${stringify({ inputs: block }, { lineWidth: 0 })}`;
}

/** Replaces the `inputs:` block of `action.yml` (up to the next top-level key), keeping the rest. */
export function withActionInputs(actionYml: string, inputs: readonly InputDefinition[] = INPUTS): string {
  const m = /^(?:# inputs: generated.*\n)?inputs:\n(?:[ \t].*\n|\n)*/m.exec(actionYml);
  if (!m) throw new Error('action.yml has no top-level "inputs:" block to replace');
  return actionYml.slice(0, m.index) + actionInputsBlock(inputs) + actionYml.slice(m.index + m[0].length);
}

export const README_START =
  '<!-- inputs: generated from src/settings/inputs.ts by `npm run gen:inputs`; edit there, not here -->';
export const README_END = '<!-- /inputs -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's inputs table. */
export function readmeInputsTable(inputs: readonly InputDefinition[] = INPUTS): string {
  const rows = inputs.map((i) => {
    const flag = i.cli ? `\`--${i.name}\` (${i.cli.commands.join(', ')})` : '';
    return `| \`${i.name}\` | ${i.default ? `\`${cell(i.default)}\`` : 'empty'} | ${flag} | ${cell(i.description)} |`;
  });
  return ['| input | default | CLI flag | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** Replaces the table between the README's markers. */
export function withReadmeInputs(readme: string, inputs: readonly InputDefinition[] = INPUTS): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${README_START} … ${README_END}`);
  return `${readme.slice(0, start + README_START.length)}\n${readmeInputsTable(inputs)}\n${readme.slice(end)}`;
}
