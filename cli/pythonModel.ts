/**
 * Python model files for the CLI: the same front end as the extension
 * (tree-sitter, nothing executed), with the WebAssembly modules found next
 * to the bundle (dist/) or, when run from source, in node_modules.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ModelDiagnostic } from '../engine/model';
import type { ModelSpec } from '../engine/model/spec';
import type { Located } from '../engine/model/located';
import { parsePythonModels, pickModel, type WasmLocation } from '../pymodel';
import { insideReader, type FileSystem } from '../pymodel/interp/files';

/** Node's file system for the front end's bounded reader. */
export const NODE_FS: FileSystem = {
  resolve: (root, relative) => path.resolve(root, relative),
  realpath: (p) => realpathSync(p),
  size: (p) => statSync(p).size,
  read: (p) => readFileSync(p, 'utf8'),
  sep: path.sep,
};

function wasmLocation(): WasmLocation {
  const here = typeof __dirname === 'string' ? __dirname : path.dirname(new URL(import.meta.url).pathname);
  const bundled = { runtime: path.join(here, 'tree-sitter.wasm'), grammar: path.join(here, 'tree-sitter-python.wasm') };
  if (existsSync(bundled.runtime) && existsSync(bundled.grammar)) return bundled;
  const require = createRequire(path.join(here, 'package.json'));
  return { runtime: require.resolve('web-tree-sitter/tree-sitter.wasm'), grammar: require.resolve('tree-sitter-python/tree-sitter-python.wasm') };
}

export interface PythonModelRead {
  spec: ModelSpec | undefined;
  /** The whole file's diagnostics (every model's, for `check`). */
  diagnostics: ModelDiagnostic[];
  /** Why no model was picked (several models and no --model, an unknown name, none at all). */
  problem?: string;
  name?: string;
  /** The picked model's located tree, so that problems with the files it names point at them. */
  tree?: Located;
}

/**
 * `file` is the model file's path: the files it imports from are read from its folder tree
 * (never outside it, and never through a link that leads outside).
 */
export async function readPythonModel(text: string, modelName: string | undefined, options: { maxParameters?: number; limitName?: string; file?: string } = {}): Promise<PythonModelRead> {
  const { file: filePath, ...decode } = options;
  // Imports resolve inside the current folder when the file is in it (a project run from its root), else inside the file's folder.
  const absolute = filePath ? path.resolve(filePath) : undefined;
  const cwd = process.cwd();
  const root = absolute ? (absolute.startsWith(cwd + path.sep) ? cwd : path.dirname(absolute)) : undefined;
  const file = await parsePythonModels(wasmLocation(), text, {
    ...decode,
    ...(root && absolute ? { path: path.relative(root, absolute).split(path.sep).join('/'), readFile: insideReader(root, NODE_FS) } : {}),
  });
  const picked = pickModel(file, modelName);
  if (typeof picked === 'string') return { spec: undefined, diagnostics: file.diagnostics, problem: picked };
  if (!picked.modelable) return { spec: undefined, diagnostics: file.diagnostics, problem: `Weightscope cannot model ${picked.name} (see the information diagnostics)`, name: picked.name };
  return { spec: picked.result.spec, diagnostics: file.diagnostics, name: picked.name, ...(picked.result.tree ? { tree: picked.result.tree } : {}) };
}
