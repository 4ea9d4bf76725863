import * as vscode from 'vscode';
import { isRunnableModel } from '../engine/model/spec';
import { pythonHoverAt, type PythonModel } from '../pymodel';
import { cellDocumentAt, isNotebookCell, isNotebookUri, notebookOfCell } from './notebooks';
import type { Config } from './config';
import type { ModelDocuments } from './modelDocuments';
import { pythonModelUri } from './pythonModels';

/**
 * "Train | Inspect" above each `class X(nn.Module)` and `name = nn.Sequential(…)`
 * that Weightscope can model (Train only once it resolves without errors).
 * Classes it cannot model get no lens; an information diagnostic says why.
 */
export class PythonCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  private readonly subscription: vscode.Disposable;

  constructor(private readonly config: Config, private readonly models: ModelDocuments) {
    // Diagnostics and lenses follow the same debounced re-parse.
    this.subscription = models.onDidChangeModel(() => this.changed.fire());
  }

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.config.codeLensEnabled) return [];
    const models = await this.modelsIn(document);
    const lenses: vscode.CodeLens[] = [];
    for (const { model, offset, source } of models) {
      if (!model.modelable) continue;
      const line = document.positionAt(offset).line;
      const range = new vscode.Range(line, 0, line, 0);
      const uri = pythonModelUri(source, model.name);
      if (model.result.spec && isRunnableModel(model.result.spec)) {
        lenses.push(new vscode.CodeLens(range, {
          title: '$(play) Train',
          tooltip: `Train ${model.name} with ${model.result.spec.optimizer?.type ?? 'AdamW'} in the engine worker`,
          command: 'weightscope.train',
          arguments: [uri],
        }));
      }
      lenses.push(new vscode.CodeLens(range, {
        title: '$(graph) Inspect',
        tooltip: `Initialize ${model.name} as PyTorch would and show each layer's weight distribution against theory`,
        command: 'weightscope.inspectInitialization',
        arguments: [uri],
      }));
    }
    return lenses;
  }

  /**
   * The models defined in a document, with the offset of each in it and the
   * file the model's URI names: a Python file's own, or, in a notebook cell,
   * those of the notebook (all its code cells read as one file) defined in
   * this cell.
   */
  private async modelsIn(document: vscode.TextDocument): Promise<{ model: PythonModel; offset: number; source: vscode.Uri }[]> {
    if (!isNotebookCell(document)) {
      const { file } = await this.models.python.parse(document);
      return file.models.map((model) => ({ model, offset: model.anchor.start, source: document.uri }));
    }
    const notebook = notebookOfCell(document);
    if (!notebook || !isNotebookUri(notebook.uri)) return [];
    const { file, source } = await this.models.python.parseNotebook(notebook.uri);
    const out: { model: PythonModel; offset: number; source: vscode.Uri }[] = [];
    for (const model of file.models) {
      const at = cellDocumentAt(notebook, source, model.anchor.start);
      if (at?.document === document) out.push({ model, offset: at.offset, source: notebook.uri });
    }
    return out;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Initializer hovers in Python: nn.init calls and constructors of resolved models, and initializer expressions. */
export class PythonHoverProvider implements vscode.HoverProvider {
  constructor(private readonly models: ModelDocuments) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const { file } = await this.models.python.parse(document);
    const info = pythonHoverAt(file, document.offsetAt(position));
    if (!info) return undefined;
    const range = new vscode.Range(document.positionAt(info.range.start), document.positionAt(info.range.end));
    return new vscode.Hover(new vscode.MarkdownString(info.markdown), range);
  }
}
