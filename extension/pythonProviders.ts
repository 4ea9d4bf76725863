import * as vscode from 'vscode';
import { isChainModel } from '../engine/model/spec';
import { pythonHoverAt } from '../pymodel';
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
    const { file } = await this.models.python.parse(document);
    const lenses: vscode.CodeLens[] = [];
    for (const model of file.models) {
      if (!model.modelable) continue;
      const line = document.positionAt(model.anchor.start).line;
      const range = new vscode.Range(line, 0, line, 0);
      const uri = pythonModelUri(document.uri, model.name);
      if (model.result.spec && isChainModel(model.result.spec)) {
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
