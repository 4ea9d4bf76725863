import * as vscode from 'vscode';
import { isChainModel, type ModelSpec } from '../../engine/model/spec';
import { runToCsv, runToHtml, runToJson } from '../../engine/run/export';
import { torchScript } from '../../engine/run/torchScript';
import type { RunData } from '../../engine/run/format';
import type { Ctx } from '../ctx';
import type { RunStore } from './runStore';

/** Pick a run: the id given (from the side panel or the training panel), else ask. */
export async function pickRun(store: RunStore, arg: unknown, purpose: string): Promise<string | undefined> {
  if (typeof arg === 'string' && arg) return arg;
  if (arg && typeof arg === 'object' && 'runId' in arg && typeof (arg as { runId: unknown }).runId === 'string') return (arg as { runId: string }).runId;
  const runs = await store.list();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Weightscope: there are no runs yet. Train a model first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: r.meta.name, description: `${r.meta.status} · ${r.meta.stepsDone} steps`, detail: r.meta.createdAt, id: r.meta.id })),
    { title: `Weightscope: pick a run to ${purpose}` },
  );
  return picked?.id;
}

export async function renameRun(store: RunStore, id: string): Promise<void> {
  const meta = (await store.list()).find((r) => r.meta.id === id)?.meta;
  if (!meta) throw new Error(`no run ${id} in ${store.root.fsPath}`);
  const name = await vscode.window.showInputBox({ title: 'Rename run', value: meta.name, validateInput: (v) => (v.trim() ? undefined : 'A run needs a name.') });
  if (name?.trim()) await store.updateMeta(id, { name: name.trim() });
}

export async function deleteRun(store: RunStore, id: string): Promise<boolean> {
  const meta = (await store.list()).find((r) => r.meta.id === id)?.meta;
  const choice = await vscode.window.showWarningMessage(`Delete the run "${meta?.name ?? id}"? Its records are removed from disk.`, { modal: true }, 'Delete');
  if (choice !== 'Delete') return false;
  await store.delete(id);
  return true;
}

/** Export a run of the runs folder, or (with `read`) one read from elsewhere, such as a run folder opened by itself. */
export async function exportRun(ctx: Ctx, store: RunStore, id: string, format: 'csv' | 'json' | 'html' | 'torch', read: () => Promise<RunData> = () => store.read(id)): Promise<void> {
  const run = await read();
  if (format === 'torch') {
    const spec = run.meta.model.spec as ModelSpec | undefined;
    if (!spec) throw new Error(`the run "${run.meta.name}" does not include its model (it was written by ${run.meta.producer}), so no PyTorch script can be made`);
    if (!isChainModel(spec)) throw new Error(`the run "${run.meta.name}" has a model that is not a chain of layers, which the PyTorch script does not write yet`);
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: torchScript(run.meta, spec) });
    await vscode.window.showTextDocument(doc);
    return;
  }
  const text = format === 'csv' ? runToCsv(run) : format === 'json' ? runToJson(run) : runToHtml(run);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(ctx.extensionContext.globalStorageUri.fsPath);
  const base = run.meta.name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || run.meta.id;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(folder, `${base}.${format}`),
    filters: { [format.toUpperCase()]: [format] },
    title: `Export run as ${format.toUpperCase()}`,
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  ctx.log.info(`runs: exported ${id} as ${format} to ${target.toString()}`);
  // The file first: a collapsed notification shows one line, and the file is what the user looks for next.
  // A report opens in the system's browser only where that browser can read the file (a local desktop window).
  const browserCanRead = vscode.env.uiKind === vscode.UIKind.Desktop && vscode.env.remoteName === undefined;
  const open = format === 'html' ? (browserCanRead ? 'Open in Browser' : undefined) : 'Open';
  void vscode.window.showInformationMessage(`Weightscope: exported ${vscode.workspace.asRelativePath(target)} (run "${run.meta.name}", ${format.toUpperCase()}).`, ...(open ? [open] : []))
    .then((choice) => {
      if (choice === 'Open') void vscode.window.showTextDocument(target);
      else if (choice === 'Open in Browser') void vscode.env.openExternal(target);
    });
}
