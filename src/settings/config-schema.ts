/**
 * The configuration file (`.github/perfgate.yml`) as one zod schema, and the JSON Schema generated
 * from it for editors (`schema/perfgate.schema.json`, written by `npm run gen:schema`; a test fails
 * when the committed file differs). The suites are validated by these same zod objects
 * (`parseSuites`) and the top-level keys come from here (`parseConfigFile`), so the schema cannot
 * drift from what perfgate accepts.
 */
import { z } from 'zod';
import { commandSuiteSchema, harnessSuiteSchema, httpSuiteSchema } from './suites';

export const configFileSchema = z
  .strictObject({
    suites: z
      .array(z.union([commandSuiteSchema, harnessSuiteSchema, httpSuiteSchema]))
      .min(1)
      .describe(
        'The suites: a command {name, run}, a harness {name, run, format, output?} or an HTTP suite {name, server, scenarios}.',
      ),
    build: z.string().optional().describe('Shell command run in each checkout (base and head) before measuring.'),
    budgets: z
      .union([z.string(), z.record(z.string(), z.union([z.string(), z.number()]))])
      .optional()
      .describe('PATTERN: RULE lines, or a mapping of them: `api/*:p99: < 50ms`, `cli:rss: 10%`, `micro/*: off`.'),
    benchFromHead: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('Paths or globs copied from the head checkout into the base checkout before building.'),
  })
  .describe('perfgate configuration (.github/perfgate.yml)');

/** The top-level keys of the configuration file. */
export const CONFIG_KEYS = Object.keys(configFileSchema.shape);

/** Where the generated JSON Schema lives, relative to the repository root. */
export const CONFIG_SCHEMA_FILE = 'schema/perfgate.schema.json';

/** The JSON Schema of the configuration file, as committed (with a trailing newline). */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
