import * as vscode from 'vscode';
import type { ModelDiagnostic } from '../engine/model';
import type { ModelDocuments } from './modelDocuments';

/**
 * Offers the quick fixes that the engine's lints attach to their diagnostics
 * (for example "Use BCEWithLogitsLoss") as VS Code code actions.
 */
export class ModelQuickFixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly models: ModelDocuments) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === 'weightscope');
    if (ours.length === 0) return [];
    const parsed = this.models.diagnosticsOf(document);
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      const origin = parsed.find((m) => m.code === diagnostic.code && sameRange(document, m, diagnostic.range));
      for (const fix of origin?.fixes ?? []) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.isPreferred = fix.preferred ?? false;
        action.edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) {
          action.edit.replace(document.uri, new vscode.Range(document.positionAt(e.range.start), document.positionAt(e.range.end)), e.newText);
        }
        actions.push(action);
      }
    }
    return actions;
  }
}

function sameRange(document: vscode.TextDocument, m: ModelDiagnostic, range: vscode.Range): boolean {
  return document.offsetAt(range.start) === m.range.start && document.offsetAt(range.end) === m.range.end;
}
