import * as vscode from 'vscode';
import { Config } from './config';
import { EngineClient } from './engineClient';
import { JobRunner } from './jobs';
import { Log } from './log';
import { ModelDocuments } from './modelDocuments';

/**
 * Everything the extension's parts share, created once in `activate`:
 * settings, the logger, the engine worker client, the job runner and the
 * model documents. Every disposable registered here is disposed on
 * deactivation.
 */
export class Ctx implements vscode.Disposable {
  readonly config = new Config();
  readonly log = new Log();
  readonly engine: EngineClient;
  readonly runner = new JobRunner();
  readonly models: ModelDocuments;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extensionContext: vscode.ExtensionContext) {
    this.engine = new EngineClient(vscode.Uri.joinPath(extensionContext.extensionUri, 'dist', 'worker.js').fsPath, this.log);
    this.models = new ModelDocuments(this.config, extensionContext.extensionUri);
    this.push(this.log, this.engine, this.runner, this.models);
  }

  get extensionUri(): vscode.Uri {
    return this.extensionContext.extensionUri;
  }

  push(...disposables: vscode.Disposable[]): void {
    this.disposables.push(...disposables);
  }

  dispose(): void {
    // Dispose in reverse order of creation: views before the services they use.
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (err) {
        console.error('weightscope: dispose failed', err);
      }
    }
  }
}
