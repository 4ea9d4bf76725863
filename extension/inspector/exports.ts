import * as vscode from 'vscode';
import type { ExportRequest } from '../../protocol/messages';
import type { Ctx } from '../ctx';

/**
 * Saves a file the inspector exported (a chart as SVG or PNG, statistics as
 * CSV or JSON, an HTML report): asks where, next to the model file by default,
 * writes through `vscode.workspace.fs`, and offers to open the result.
 */
export async function saveExport(ctx: Ctx, modelUri: vscode.Uri, request: ExportRequest): Promise<vscode.Uri | undefined> {
  const fileName = request.fileName.replace(/[\\/:*?"<>|]+/g, '_');
  const extension = fileName.includes('.') ? fileName.slice(fileName.lastIndexOf('.') + 1) : '';
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(modelUri.with({ fragment: '' }), '..', fileName),
    saveLabel: 'Export',
    ...(extension ? { filters: { [extension.toUpperCase()]: [extension] } } : {}),
  });
  if (!target) return undefined;
  const bytes = request.encoding === 'base64' ? Buffer.from(request.content, 'base64') : new TextEncoder().encode(request.content);
  try {
    await vscode.workspace.fs.writeFile(target, bytes);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    ctx.log.error(`export to ${target.toString()} failed: ${message}`);
    void vscode.window.showErrorMessage(`Weightscope could not write ${target.fsPath}: ${message}`);
    return undefined;
  }
  ctx.log.info(`exported ${target.toString()} (${bytes.length} bytes)`);
  void vscode.window.showInformationMessage(`Exported ${vscode.workspace.asRelativePath(target)}`, 'Open').then((choice) => {
    if (choice) void vscode.commands.executeCommand('vscode.open', target);
  });
  return target;
}
