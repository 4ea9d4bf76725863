/**
 * Loading what a model file points at, in the worker: the extension reads the
 * files' bytes (through `vscode.workspace.fs`, so virtual workspaces work) and
 * the engine parses and checks them here, off the extension host's thread.
 */
import type { LoadedResources, LoadResourcesParams } from '../protocol/messages';
import { loadModelResources } from '../engine/model/resources';
import { PathRefused } from '../engine/io/confine';

export async function loadResources({ model, tree, files }: LoadResourcesParams): Promise<LoadedResources> {
  const readFile = async (path: string): Promise<Uint8Array> => {
    const file = files[path];
    if (file === undefined) throw new Error('the file was not sent to the engine');
    if (file instanceof Uint8Array) return file;
    // The extension refused the path (engine/io/confine.ts): the diagnostic keeps its code.
    throw file.code ? new PathRefused(file.code, file.error) : new Error(file.error);
  };
  const loaded = await loadModelResources(model, tree, readFile);
  const result: LoadedResources = { dataset: loaded.dataset, diagnostics: loaded.diagnostics };
  if (loaded.checkpoint) {
    result.checkpoint = Object.fromEntries([...loaded.checkpoint].map(([name, a]) => [name, { shape: a.shape, data: a.data }]));
  }
  return result;
}
