/**
 * `npm run gen:inputs`: writes `action.yml`'s `inputs:` and the README's inputs table from the
 * input definitions (src/settings/inputs.ts). Run it after adding, removing or changing an input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withActionInputs, withReadmeInputs } from './inputs-docs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const [file, update] of [
  ['action.yml', withActionInputs],
  ['README.md', withReadmeInputs],
] as const) {
  const full = path.join(root, file);
  const before = readFileSync(full, 'utf8');
  const after = update(before);
  if (after !== before) writeFileSync(full, after);
  process.stdout.write(`${file}: ${after === before ? 'up to date' : 'updated'}\n`);
}
