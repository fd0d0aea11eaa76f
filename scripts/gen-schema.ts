/**
 * Writes the JSON Schema of the configuration file (schema/perfgate.schema.json) from the zod
 * schema that validates it (src/settings/config-schema.ts). `npm run gen:schema`; a test fails
 * when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../src/settings/config-schema';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(path.join(root, CONFIG_SCHEMA_FILE), configJsonSchemaText());
console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
