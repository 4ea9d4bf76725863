import * as vscode from 'vscode';
import { MODEL_FILE_GLOB } from './modelDocuments';

/**
 * Keeps the context key `weightscope.hasModels` true while the workspace
 * holds at least one model file, so that commands that need one show in the
 * command palette only then.
 */
export class WorkspaceModels implements vscode.Disposable {
  private readonly watcher = vscode.workspace.createFileSystemWatcher(MODEL_FILE_GLOB, false, true, false);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      this.watcher,
      this.watcher.onDidCreate(() => void this.refresh()),
      this.watcher.onDidDelete(() => void this.refresh()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()),
    );
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    const found = await vscode.workspace.findFiles(MODEL_FILE_GLOB, '**/node_modules/**', 1);
    await vscode.commands.executeCommand('setContext', 'weightscope.hasModels', found.length > 0);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
