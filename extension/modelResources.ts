import * as vscode from 'vscode';
import { resourcePaths } from '../engine/model/resources';
import type { LoadedResources } from '../protocol/messages';
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
  const folder = vscode.Uri.joinPath(parsed.uri, '..');
  const files: Record<string, Uint8Array | { error: string }> = {};
  await Promise.all(resourcePaths(spec).map(async (path) => {
    try {
      files[path] = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, path));
    } catch (err) {
      files[path] = { error: err instanceof vscode.FileSystemError && err.code === 'FileNotFound' ? 'no such file' : err instanceof Error ? err.message : String(err) };
    }
  }));
  const params = { model: spec, files, ...(parsed.result.tree ? { tree: parsed.result.tree } : {}) };
  const loaded = await ctx.engine.request('loadResources', params, token ?? {});
  if (parsed.document) ctx.models.setResourceProblems(parsed.document, loaded.diagnostics);
  for (const d of loaded.diagnostics) ctx.log.warn(`${parsed.uri.fsPath}: ${d.code}: ${d.message}`);
  return loaded;
}
