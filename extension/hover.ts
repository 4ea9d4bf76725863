import * as vscode from 'vscode';
import { hoverAt } from '../engine/model/hover';
import type { ModelDocuments } from './modelDocuments';

/** Initializer hovers in model files: formula, paper, and the bound or std for that tensor's fans. */
export class ModelHoverProvider implements vscode.HoverProvider {
  constructor(private readonly models: ModelDocuments) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const { spec, tree } = this.models.parse(document);
    const info = hoverAt(spec, tree, document.offsetAt(position));
    if (!info) return undefined;
    const range = new vscode.Range(document.positionAt(info.range.start), document.positionAt(info.range.end));
    return new vscode.Hover(new vscode.MarkdownString(info.markdown), range);
  }
}
