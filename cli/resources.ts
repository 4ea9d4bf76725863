import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { confinedRead, type ConfinedFs, type Confinement } from '../engine/io/confine';
import type { Located } from '../engine/model/located';
import { loadModelResources, type ModelResources } from '../engine/model/resources';
import type { ModelSpec } from '../engine/model/spec';

/** Node's file system for engine/io/confine.ts. */
export const NODE_CONFINED_FS: ConfinedFs = {
  resolve: (folder, relative) => path.resolve(folder, relative),
  realpath: (p) => realpath(p),
  stat: async (p) => {
    const s = await stat(p);
    return { file: s.isFile(), size: s.size };
  },
  read: async (p) => new Uint8Array(await readFile(p)),
  sep: path.sep,
};

/**
 * Where the CLI lets a model file's paths lead: inside the model file's folder tree or the current directory
 * (a project run from its root), or anywhere with --allow-outside-paths.
 */
export function cliConfinement(file: string, allowOutside: boolean): Confinement {
  if (allowOutside) return { roots: 'anywhere', rootsDescription: 'any folder' };
  return { roots: [path.dirname(path.resolve(file)), process.cwd()], rootsDescription: "the model file's folder and the current directory", override: '--allow-outside-paths reads it anyway' };
}

/**
 * The model's data and `init_from` weights, read relative to the model file,
 * confined as `cliConfinement` says. Problems come back as diagnostics on the
 * key that names the file, printed like any other (the engine then falls back
 * to its synthetic data, as the extension does).
 */
export function loadResources(file: string, spec: ModelSpec, tree: Located | undefined, confinement: Confinement): Promise<ModelResources> {
  const folder = path.dirname(path.resolve(file));
  return loadModelResources(spec, tree, (rel) => confinedRead(NODE_CONFINED_FS, folder, rel, confinement));
}
