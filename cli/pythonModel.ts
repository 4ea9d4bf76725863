/**
 * Python model files for the CLI: the same front end as the extension
 * (tree-sitter, nothing executed), with the WebAssembly modules found next
 * to the bundle (dist/) or, when run from source, in node_modules.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ModelDiagnostic } from '../engine/model';
import type { ModelSpec } from '../engine/model/spec';
import { parsePythonModels, pickModel, type WasmLocation } from '../pymodel';

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
}

export async function readPythonModel(text: string, modelName: string | undefined, options: { maxParameters?: number } = {}): Promise<PythonModelRead> {
  const file = await parsePythonModels(wasmLocation(), text, options);
  const picked = pickModel(file, modelName);
  if (typeof picked === 'string') return { spec: undefined, diagnostics: file.diagnostics, problem: picked };
  if (!picked.modelable) return { spec: undefined, diagnostics: file.diagnostics, problem: `Weightscope cannot model ${picked.name} (see the information diagnostics)`, name: picked.name };
  return { spec: picked.result.spec, diagnostics: file.diagnostics, name: picked.name };
}
