#!/usr/bin/env node
// Builds every bundle with esbuild:
//   dist/extension.js       extension host (cjs, node, `vscode` external)
//   dist/worker.js          engine worker thread (cjs, node)
//   dist/cli.js             the `weightscope` command-line tool
//   dist/webview/*.js|css   inspector, side-panel, training and checkpoint webviews (browser)
//   dist/*.wasm             tree-sitter's runtime and Python grammar (the extension and CLI parse Python with them)
//   dist/bench.js           the benchmark suite (when bench/main.ts exists)
// First, scripts/build-wasm.mjs rebuilds the WebAssembly kernels when clang is installed.
// Flags: --production (minify, no inline sources), --watch.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: true,
  sourcesContent: !production,
  logLevel: 'info',
  absWorkingDir: root,
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
};

// mainFields: prefer packages' ESM builds (jsonc-parser's UMD main does dynamic requires that a bundle cannot follow).
// ESM builds may read import.meta.url (web-tree-sitter does, to find its .wasm): give the CommonJS bundle its file URL.
const IMPORT_META_URL = "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;";
const node = {
  ...common, platform: 'node', format: 'cjs', target: 'node18', mainFields: ['module', 'main'],
  define: { ...common.define, 'import.meta.url': '__import_meta_url' },
  banner: { js: IMPORT_META_URL },
};
const browser = { ...common, platform: 'browser', format: 'esm', target: 'chrome114' };

const builds = [
  { ...node, entryPoints: { extension: 'extension/main.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...node, entryPoints: { worker: 'worker/main.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'cli/bin.ts' }, outdir: 'dist', banner: { js: `#!/usr/bin/env node\n${IMPORT_META_URL}` } },
  {
    ...browser,
    entryPoints: {
      inspector: 'webview/inspector/main.ts',
      sidebar: 'webview/sidebar/main.ts',
      training: 'webview/training/main.ts',
      checkpoint: 'webview/checkpoint/main.ts',
      'inspector-style': 'webview/styles/inspector.css',
      'training-style': 'webview/styles/training.css',
      'sidebar-style': 'webview/styles/sidebar.css',
      'checkpoint-style': 'webview/styles/checkpoint.css',
    },
    outdir: 'dist/webview',
    entryNames: '[name]',
    plugins: [renameStyles()],
  },
];
if (existsSync(path.join(root, 'bench/main.ts'))) {
  builds.push({ ...node, entryPoints: { bench: 'bench/main.ts' }, outdir: 'dist', sourcemap: false });
}

// `inspector-style.css` → `inspector.css`: the HTML shell loads `<bundle>.js` and `<bundle>.css`.
function renameStyles() {
  return {
    name: 'rename-styles',
    setup(build) {
      build.onEnd(async (result) => {
        if (result.errors.length) return;
        const { renameSync } = await import('node:fs');
        for (const name of ['inspector', 'sidebar', 'training', 'checkpoint']) {
          const from = path.join(root, 'dist/webview', `${name}-style.css`);
          if (existsSync(from)) {
            renameSync(from, path.join(root, 'dist/webview', `${name}.css`));
            if (existsSync(`${from}.map`)) renameSync(`${from}.map`, path.join(root, 'dist/webview', `${name}.css.map`));
          }
        }
      });
    },
  };
}

/** The two WebAssembly modules of the Python parser, next to the bundles that load them. */
function copyWasm() {
  const require = createRequire(import.meta.url);
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  for (const file of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm']) {
    copyFileSync(require.resolve(file), path.join(root, 'dist', path.basename(file)));
  }
}

await import('./build-wasm.mjs');
if (!watch) rmSync(path.join(root, 'dist'), { recursive: true, force: true });
copyWasm();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching for changes…');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.length} bundle groups in ${Date.now() - started} ms (${production ? 'production' : 'development'})`);
}
