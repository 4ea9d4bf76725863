#!/usr/bin/env node
// Entry point of the end-to-end tests: imports every test/e2e/*.e2e.mjs (each
// exports `tests`, an array of { name, fn(ctx) }) and runs them with the harness
// against the packaged extension, in a workbench opened on examples/.
//
//   node test/e2e/run.mjs                 (after scripts/setup-e2e.sh and npm run package)
//   E2E_FILTER=inspect node test/e2e/run.mjs
//
// Environment (besides the harness's E2E_HOME, E2E_OUT, E2E_FILTER, E2E_TIMEOUT):
//   E2E_VSIX       extension to test        [dist-vsix/weightscope.vsix]
//   E2E_WORKSPACE  folder the workbench opens [examples]
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, runE2E } from './harness.mjs';

const here = path.join(repoRoot, 'test', 'e2e');
const vsix = path.resolve(repoRoot, process.env.E2E_VSIX || 'dist-vsix/weightscope.vsix');
const workspace = path.resolve(repoRoot, process.env.E2E_WORKSPACE || 'examples');

if (!fs.existsSync(vsix)) {
  console.error(`E2E: ${path.relative(repoRoot, vsix)} not found; build it with: npm run package`);
  console.log('E2E: 0 passed, 1 failed');
  process.exit(1);
}

const files = fs.readdirSync(here).filter((f) => f.endsWith('.e2e.mjs')).sort();
const tests = [];
for (const file of files) {
  const mod = await import(pathToFileURL(path.join(here, file)).href);
  if (!Array.isArray(mod.tests)) throw new Error(`${file} must export \`tests\` (an array of { name, fn })`);
  for (const t of mod.tests) tests.push({ ...t, file });
}
console.log(`E2E: ${tests.length} test(s) from ${files.join(', ')}`);

await runE2E(tests, { defaults: { workspace, vsix } });
