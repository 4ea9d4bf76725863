import * as vscode from 'vscode';
import { isRunnableModel } from '../engine/model/spec';
import { parameterCount } from '../engine/model/moduleTree';
import type { Config } from './config';
import type { ModelDocuments } from './modelDocuments';

/**
 * "Inspect" (and, once the model parses, "Train") above the model in every
 * model file. The lens sits on the model's first line; a file with errors
 * still gets "Inspect", which then explains what is wrong.
 */
export class ModelCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly config: Config,
    private readonly models: ModelDocuments,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.config.codeLensEnabled) return [];
    const result = this.models.parse(document);
    const line = firstContentLine(document);
    const range = new vscode.Range(line, 0, line, 0);
    const lenses = [
      new vscode.CodeLens(range, {
        title: '$(graph) Inspect',
        tooltip: 'Initialize this model as PyTorch would and show each layer\'s weight distribution against theory',
        command: 'weightscope.inspectInitialization',
        arguments: [document.uri],
      }),
    ];
    const spec = result.spec;
    if (spec) {
      if (isRunnableModel(spec)) {
        lenses.push(new vscode.CodeLens(range, {
          title: '$(play) Train',
          tooltip: `Train with ${spec.optimizer?.type ?? 'AdamW'} in the engine worker`,
          command: 'weightscope.train',
          arguments: [document.uri],
        }));
      }
      lenses.push(new vscode.CodeLens(range, {
        title: `${spec.name}: ${spec.layers ? describeSize(spec.layers.length) : `${parameterCount(spec).toLocaleString('en-US')} parameters`}`,
        tooltip: 'Open the Weightscope side panel',
        command: 'weightscope.overview.focus',
      }));
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function describeSize(layers: number): string {
  return `${layers} layer${layers === 1 ? '' : 's'}`;
}

function firstContentLine(document: vscode.TextDocument): number {
  for (let i = 0; i < document.lineCount; i++) {
    const text = document.lineAt(i).text.trim();
    if (text && !text.startsWith('//') && !text.startsWith('#')) return i;
  }
  return 0;
}
