/**
 * PyTorch files as model definitions: parse with tree-sitter, resolve the
 * nn.Module classes and nn.Sequential assignments into the engine's
 * `ModelSpec`, with diagnostics on the Python code. Nothing is executed.
 * Used by the extension and the CLI; imports the engine, never vscode.
 */
import type { DecodeOptions } from '../engine/model/decode';
import { PythonParser, type WasmLocation } from './parser';
import { resolvePython, type PythonFile, type PythonModel } from './resolve';
import { modulePaths, type FileLoader } from './interp/files';
import { plainTree } from './plainTree';
import type { SyntaxNode } from './parser';

export { PythonDocument, PythonParser, type TextChange, type WasmLocation } from './parser';
export { resolvePython, type PythonFile, type PythonModel } from './resolve';
export { pythonHoverAt } from './hover';
export { toModelFileJson } from './convert';
export { CANNOT_MODEL, NOT_MODELLED } from './notes';

/** `.py` files (and `.pyi` stubs are not models). */
export function isPythonPath(path: string): boolean {
  return /\.py$/i.test(path);
}

/**
 * Where a Python file is and how to read the files it imports from. `readFile`
 * is the host's: it returns a file's text, or undefined when the file does not
 * exist or may not be read (outside the workspace).
 */
export interface PythonSources extends DecodeOptions {
  path?: string;
  readFile?: (path: string) => string | undefined;
}

/** Parses and resolves a Python source in one call (for the CLI and tests). */
export async function parsePythonModels(wasm: WasmLocation, text: string, options: PythonSources = {}): Promise<PythonFile> {
  const parser = await PythonParser.load(wasm);
  return resolveWithParser(parser, text, options);
}

/** Resolves a Python source with a loaded parser; sibling files are parsed with it on demand. */
export function resolveWithParser(parser: PythonParser, text: string, options: PythonSources = {}): PythonFile {
  const tree = parser.parse(text);
  const { readFile, ...rest } = options;
  try {
    return resolvePython(tree, text, { ...rest, ...(readFile ? { load: siblingLoader(parser, readFile) } : {}) });
  } finally {
    tree.delete();
  }
}

/** A FileLoader over the host's readFile: the first of a module name's candidate paths that reads. */
export function siblingLoader(parser: PythonParser, readFile: (path: string) => string | undefined): FileLoader {
  const cache = new Map<string, { path: string; root: SyntaxNode } | undefined>();
  return (fromPath, moduleName) => {
    for (const candidate of modulePaths(fromPath, moduleName)) {
      if (cache.has(candidate)) return cache.get(candidate);
      const text = readFile(candidate);
      if (text === undefined) continue;
      const tree = parser.parse(text);
      try {
        const loaded = { path: candidate, root: plainTree(tree, text) };
        cache.set(candidate, loaded);
        return loaded;
      } finally {
        tree.delete();
      }
    }
    return undefined;
  };
}

/** The model a command means: by name, else the only modelable one. */
export function pickModel(file: PythonFile, name?: string): PythonModel | string {
  if (name) {
    const found = file.models.find((m) => m.name === name);
    return found ?? `no model named ${name}; the file defines ${file.models.map((m) => m.name).join(', ') || 'none'}`;
  }
  const modelable = file.models.filter((m) => m.modelable);
  if (modelable.length === 1) return modelable[0]!;
  const primary = modelable.find((m) => m.primary);
  if (primary) return primary;
  if (file.models.length === 0) return 'the file defines no nn.Module class or nn.Sequential model';
  if (modelable.length === 0) return `Weightscope cannot model ${file.models.map((m) => m.name).join(', ')} (see the information diagnostics)`;
  return `the file defines several models (${modelable.map((m) => m.name).join(', ')}); name one`;
}
