/**
 * PyTorch files as model definitions: parse with tree-sitter, resolve the
 * nn.Module classes and nn.Sequential assignments into the engine's
 * `ModelSpec`, with diagnostics on the Python code. Nothing is executed.
 * Used by the extension and the CLI; imports the engine, never vscode.
 */
import type { DecodeOptions } from '../engine/model/decode';
import { PythonParser, type WasmLocation } from './parser';
import { resolvePython, type PythonFile, type PythonModel } from './resolve';

export { PythonDocument, PythonParser, type TextChange, type WasmLocation } from './parser';
export { resolvePython, type PythonFile, type PythonModel } from './resolve';
export { pythonHoverAt } from './hover';
export { toModelFileJson } from './convert';
export { CANNOT_MODEL, NOT_MODELLED } from './notes';

/** `.py` files (and `.pyi` stubs are not models). */
export function isPythonPath(path: string): boolean {
  return /\.py$/i.test(path);
}

/** Parses and resolves a Python source in one call (for the CLI and tests). */
export async function parsePythonModels(wasm: WasmLocation, text: string, options: DecodeOptions = {}): Promise<PythonFile> {
  const parser = await PythonParser.load(wasm);
  const tree = parser.parse(text);
  try {
    return resolvePython(tree, text, options);
  } finally {
    tree.delete();
  }
}

/** The model a command means: by name, else the only modelable one. */
export function pickModel(file: PythonFile, name?: string): PythonModel | string {
  if (name) {
    const found = file.models.find((m) => m.name === name);
    return found ?? `no model named ${name}; the file defines ${file.models.map((m) => m.name).join(', ') || 'none'}`;
  }
  const modelable = file.models.filter((m) => m.modelable);
  if (modelable.length === 1) return modelable[0]!;
  if (file.models.length === 0) return 'the file defines no nn.Module class or nn.Sequential model';
  if (modelable.length === 0) return `Weightscope cannot model ${file.models.map((m) => m.name).join(', ')} (see the information diagnostics)`;
  return `the file defines several models (${modelable.map((m) => m.name).join(', ')}); name one`;
}
