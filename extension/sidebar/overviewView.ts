import * as vscode from 'vscode';
import { parameterCount, layerPrefix, type ModelSpec } from '../../engine/model/spec';
import type { HostToSidebar, ModelOverview, SidebarToHost } from '../../protocol/messages';
import type { Ctx } from '../ctx';
import { isModelUri } from '../modelDocuments';
import { isPythonUri } from '../pythonModels';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export const OVERVIEW_VIEW_ID = 'weightscope.overview';

/**
 * The activity-bar side panel: the active editor's model at a glance
 * (parameter count, layers, problems) with buttons to inspect it. It follows
 * the active editor and keeps showing the last model when focus moves to a
 * non-model editor (such as the inspector itself).
 */
export class OverviewViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private lastUri: vscode.Uri | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.subscriptions.push(
      vscode.window.registerWebviewViewProvider(OVERVIEW_VIEW_ID, this),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && isModelUri(editor.document.uri)) {
          this.lastUri = editor.document.uri;
          this.update();
        } else if (editor && isPythonUri(editor.document.uri)) {
          // A Python file counts once it holds a model Weightscope can read.
          const document = editor.document;
          void ctx.models.python.parse(document).then(({ file }) => {
            if (file.models.length > 0 && vscode.window.activeTextEditor?.document === document) {
              this.lastUri = document.uri;
              this.update();
            }
          }, () => undefined);
        }
      }),
      ctx.models.onDidChangeModel((uri) => {
        if (uri.toString() === this.lastUri?.toString()) this.update();
      }),
    );
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && isModelUri(active)) this.lastUri = active;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.ctx.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.ctx.extensionUri, 'sidebar', 'Weightscope');
    view.webview.onDidReceiveMessage((m: SidebarToHost) => this.onMessage(m), undefined, this.subscriptions);
    view.onDidChangeVisibility(() => view.visible && this.update(), undefined, this.subscriptions);
  }

  private onMessage(message: SidebarToHost): void {
    switch (message.type) {
      case 'ready':
        this.update();
        break;
      case 'inspect':
        void vscode.commands.executeCommand('weightscope.inspectInitialization', vscode.Uri.parse(message.uri));
        break;
      case 'openExample':
        void vscode.commands.executeCommand('weightscope.newModelFromExample');
        break;
    }
  }

  private update(): void {
    if (!this.view) return;
    void this.overview().then((message) => this.view?.webview.postMessage(message));
  }

  private async overview(): Promise<HostToSidebar> {
    const uri = this.lastUri;
    if (!uri) return { type: 'overview', overview: null, reason: 'Open a *.nn.json or *.nn.yaml model file to see it here.' };
    try {
      const { result } = await this.ctx.models.load(uri);
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
      const name = result.spec?.name ?? uri.path.split('/').pop() ?? '';
      const overview: ModelOverview = {
        model: { uri: uri.toString(), name },
        parameterCount: result.spec ? parameterCount(result.spec) : 0,
        layers: result.spec ? describeLayers(result.spec) : [],
        problems: { errors, warnings },
      };
      return { type: 'overview', overview };
    } catch (err) {
      return { type: 'overview', overview: null, reason: `Could not read ${uri.path}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function describeLayers(spec: ModelSpec): ModelOverview['layers'] {
  return spec.layers.map((layer, index) => {
    const prefix = layerPrefix(layer, index);
    switch (layer.type) {
      case 'Linear':
        return { label: `${prefix}: Linear(${layer.inFeatures} → ${layer.outFeatures}${layer.bias ? '' : ', bias=False'})`, parameters: layer.inFeatures * layer.outFeatures + (layer.bias ? layer.outFeatures : 0) };
      case 'LayerNorm':
        return { label: `${prefix}: LayerNorm(${layer.normalizedShape})`, parameters: layer.elementwiseAffine ? 2 * layer.normalizedShape : 0 };
      case 'Dropout':
        return { label: `${prefix}: Dropout(p=${layer.p})`, parameters: 0 };
      default:
        return { label: `${prefix}: ${layer.type}`, parameters: 0 };
    }
  });
}
