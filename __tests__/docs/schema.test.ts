/**
 * The configuration file's JSON Schema: the committed file is what the zod schema generates (no
 * drift; `npm run gen:schema` rewrites it), it accepts every configuration example in the README
 * and in docs/ (and every harness snippet, as a `suites:` list), it rejects what perfgate rejects,
 * and the README points editors at it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../../src/settings/config-schema';
import { parseConfigFile, type SettingsIssue } from '../../src/settings/settings';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const migrating = readFileSync(path.join(root, 'docs', 'migrating.md'), 'utf8');
const schemaText = readFileSync(path.join(root, CONFIG_SCHEMA_FILE), 'utf8');
const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(schemaText));

function yamlBlocks(text: string): string[] {
  return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** The blocks that are a whole configuration file. */
function configExamples(text: string): string[] {
  return yamlBlocks(text).filter((b) => /^# (yaml-language-server: .*\n# )?\.github\/perfgate\.yml/.test(b));
}

describe('the configuration JSON Schema', () => {
  it('is the one the zod schema generates (run `npm run gen:schema`)', () => {
    expect(schemaText).toBe(configJsonSchemaText());
  });

  it('accepts the configuration examples of the README and docs/migrating.md, as perfgate does', () => {
    const examples = [...configExamples(readme), ...configExamples(migrating)];
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      expect(validate(parse(example)), `${JSON.stringify(validate.errors)}\n${example}`).toBe(true);
      const issues: SettingsIssue[] = [];
      parseConfigFile(example, 'perfgate.yml', issues);
      expect(issues).toEqual([]);
    }
  });

  it('accepts every harness snippet of the README as a suites list', () => {
    const start = readme.indexOf('\n### Harness formats\n');
    const section = readme.slice(start, readme.indexOf('\n### Load-testing tools\n'));
    const snippets = yamlBlocks(section).map((b) => parse(b));
    expect(snippets.length).toBeGreaterThan(20);
    for (const suites of snippets) expect(validate({ suites }), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects an unknown key, an unknown format and a suite without a command', () => {
    expect(validate({ suites: [{ name: 'a', run: 'x' }], budget: '5%' })).toBe(false);
    expect(validate({ suites: [{ name: 'a', run: 'x', format: 'gobench' }] })).toBe(false);
    expect(validate({ suites: [{ name: 'a' }] })).toBe(false);
    expect(validate({ suites: [{ name: 'a', run: 'x', format: 'customSmallerIsBetter' }] })).toBe(true);
  });

  it('is named on the first line of the README example', () => {
    expect(readme).toContain(
      `# yaml-language-server: $schema=https://raw.githubusercontent.com/OWNER/perfgate/v1/${CONFIG_SCHEMA_FILE}`,
    );
  });
});
