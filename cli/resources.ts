import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Located } from '../engine/model/located';
import { loadModelResources, type ModelResources } from '../engine/model/resources';
import type { ModelSpec } from '../engine/model/spec';

/**
 * The model's data and `init_from` weights, read with `fs` relative to the
 * model file. Problems come back as diagnostics on the key that names the
 * file, printed like any other (the engine then falls back to its synthetic
 * data, as the extension does).
 */
export function loadResources(file: string, spec: ModelSpec, tree: Located | undefined): Promise<ModelResources> {
  const folder = path.dirname(file);
  return loadModelResources(spec, tree, async (rel) => {
    try {
      return await readFile(path.resolve(folder, rel));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? 'no such file' : code ?? String(err));
    }
  });
}

