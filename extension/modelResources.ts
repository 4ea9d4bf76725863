import type * as vscode from 'vscode';
import { resourcePaths } from '../engine/model/resources';
import type { LoadedResources, LoadResourcesParams } from '../protocol/messages';
import { PathRefused } from '../engine/io/confine';
import { confinedReader } from './confinedFiles';
import type { Ctx } from './ctx';
import type { ParsedModel } from './modelDocuments';

/**
 * Loads what a model file points at (its data and `init_from` weights): the
 * bytes are read here through `vscode.workspace.fs` (so virtual workspaces
 * work), parsed and checked by the engine worker, and every problem is shown
 * in the Problems panel on the key that names the file.
 */
export async function loadModelResources(ctx: Ctx, parsed: ParsedModel, token?: vscode.CancellationToken): Promise<LoadedResources> {
  const spec = parsed.result.spec;
  if (!spec) throw new Error('loadModelResources: the model file has errors');
  // Only files inside the model's workspace folder are read (engine/io/confine.ts); a refusal keeps its code.
  const read = confinedReader(parsed.uri);
  const files: LoadResourcesParams['files'] = {};
  await Promise.all(resourcePaths(spec).map(async (path) => {
    try {
      files[path] = await read(path);
    } catch (err) {
      files[path] = err instanceof PathRefused ? { error: err.message, code: err.code } : { error: err instanceof Error ? err.message : String(err) };
    }
  }));
  const params = { model: spec, files, ...(parsed.result.tree ? { tree: parsed.result.tree } : {}) };
  const loaded = await ctx.engine.request('loadResources', params, token ?? {});
  if (parsed.document) ctx.models.setResourceProblems(parsed.document, loaded.diagnostics);
  for (const d of loaded.diagnostics) ctx.log.warn(`${parsed.uri.fsPath}: ${d.code}: ${d.message}`);
  return loaded;
}
