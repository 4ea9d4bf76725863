/** Loads the Python parser from node_modules (the extension and CLI load the copies in dist/). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isGraphModel, type GraphModelSpec } from '../../../engine/model/spec';
import { PythonParser, resolvePython, type PythonFile } from '../../../pymodel';

const require = createRequire(import.meta.url);

export const WASM = {
  runtime: require.resolve('web-tree-sitter/tree-sitter.wasm'),
  grammar: require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
};

export function loadParser(): Promise<PythonParser> {
  return PythonParser.load(WASM);
}

export async function resolveText(text: string, options: { maxParameters?: number } = {}): Promise<PythonFile & { text: string }> {
  const parser = await loadParser();
  const tree = parser.parse(text);
  try {
    return { ...resolvePython(tree, text, options), text };
  } finally {
    tree.delete();
  }
}

const FIXTURES = fileURLToPath(new URL('../../fixtures/python/', import.meta.url));

export function readPythonFixture(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8');
}

/** The article's ```python blocks, verbatim, in order. */
export function articleBlocks(): string[] {
  const article = readPythonFixture('article.md');
  return [...article.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/**
 * `value` without the fills' `seq` numbers (when torch runs each fill, numbered as a front end builds the tree):
 * two builds of the same model number their fills differently, and a model file does not store them.
 */
export function withoutFillOrder<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'seq' ? undefined : v))) as T;
}

/** The primary model of a Python source (else its first), which must be a forward graph the engine can run. */
export async function graphModelOf(text: string): Promise<GraphModelSpec> {
  const file = await resolveText(text);
  const spec = file.models.find((m) => m.primary)?.result.spec ?? file.models[0]!.result.spec!;
  if (!isGraphModel(spec)) throw new Error(`not a graph model: ${spec.forwardUnavailable}`);
  return spec;
}
