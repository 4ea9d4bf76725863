#!/usr/bin/env node
// Regenerates the module part of schemas/nn.schema.json from the engine's module catalogue
// (scripts/schema/moduleSchema.ts, bundled with esbuild and run here). The rest of the schema is
// written by hand and kept as it is.
//   node scripts/gen-schema.mjs           write the schema
//   node scripts/gen-schema.mjs --check   exit 1 if the committed schema is out of date
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'schemas/nn.schema.json');

const bundle = await esbuild.build({
  entryPoints: [path.join(root, 'scripts/schema/moduleSchema.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning',
});
const { updateSchema, schemaText } = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);

const before = readFileSync(file, 'utf8');
const { schema, untyped } = updateSchema(JSON.parse(before));
const after = schemaText(schema);
if (untyped.length) console.warn(`arguments without a type (they take any value; add them to scripts/schema/moduleSchema.ts): ${untyped.join(', ')}`);
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('schemas/nn.schema.json is out of date with the module catalogue: run node scripts/gen-schema.mjs');
    process.exit(1);
  }
  console.log('schemas/nn.schema.json is up to date');
} else {
  writeFileSync(file, after);
  const types = Object.keys(schema.definitions).filter((k) => k.startsWith('nn.')).length;
  console.log(`schemas/nn.schema.json: ${types} module types, ${after.length} bytes${after === before ? ' (unchanged)' : ''}`);
}
