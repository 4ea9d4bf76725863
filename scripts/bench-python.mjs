#!/usr/bin/env node
// Builds bench/pythonParse.run.ts (an ES module: web-tree-sitter finds its
// .wasm through import.meta.url) and runs it.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist', 'bench-python.mjs');
mkdirSync(path.dirname(outfile), { recursive: true });
await esbuild.build({
  absWorkingDir: root, entryPoints: ['bench/pythonParse.run.ts'], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20',
  // Node built-ins and the packages stay imports: createRequire must resolve the .wasm files from node_modules.
  packages: 'external', logLevel: 'warning',
});
const run = spawnSync(process.execPath, [outfile], { stdio: 'inherit', cwd: root });
process.exitCode = run.status ?? 1;
