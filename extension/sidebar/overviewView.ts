import * as vscode from 'vscode';
import { isRunnableModel, layerPrefix, type ModelSpec } from '../../engine/model/spec';
import { modelTree } from '../../engine/model/moduleTree';
import { moduleSummary, summarizeModules } from '../../engine/inspect/inspectInit';
import { parameterCount } from '../../engine/model/moduleTree';
import type { HostToSidebar, ModelOverview, Section, SidebarToHost, SignalGlance } from '../../protocol/messages';
import type { Ctx } from '../ctx';
import { isModelUri } from '../modelDocuments';
import { loadModelResources } from '../modelResources';
import type { RunStore } from '../runs/runStore';
import { isPythonUri } from '../pythonModels';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export const OVERVIEW_VIEW_ID = 'weightscope.overview';

/**
 * The activity-bar side panel: the active editor's model at a glance
 * (parameter count, layers, problems, the signal's verdict and each layer's
 * activation std at initialization) with buttons to inspect or train it. It follows
 * the active editor and keeps showing the last model when focus moves to a
 * non-model editor (such as the inspector itself).
 */
export class OverviewViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private lastUri: vscode.Uri | undefined;
  /** Incremented per update, so that a slow answer for an older model or text is dropped. */
  private generation = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx, private readonly runs: RunStore) {
    this.subscriptions.push(
      runs.onDidChange(() => this.updateRuns()),
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
        this.updateRuns();
        break;
      case 'train':
        void vscode.commands.executeCommand('weightscope.train', vscode.Uri.parse(message.uri));
        break;
      case 'openRun':
        void vscode.commands.executeCommand('weightscope.openRun', message.id);
        break;
      case 'renameRun':
        void vscode.commands.executeCommand('weightscope.renameRun', message.id);
        break;
      case 'deleteRun':
        void vscode.commands.executeCommand('weightscope.deleteRun', message.id);
        break;
      case 'exportRun':
        void vscode.commands.executeCommand('weightscope.exportRun', message.id);
        break;
      case 'inspect':
        void vscode.commands.executeCommand('weightscope.inspectInitialization', vscode.Uri.parse(message.uri));
        break;
      case 'openExample':
        void vscode.commands.executeCommand('weightscope.newModelFromExample');
        break;
    }
  }

  /** The Runs section: every saved run, newest first. */
  private updateRuns(): void {
    if (!this.view) return;
    void this.runs.list().then((runs) => this.view?.webview.postMessage({
      type: 'runs',
      runs: runs.map((r) => ({ id: r.meta.id, name: r.meta.name, model: r.meta.model.name, status: r.meta.status, steps: r.meta.stepsDone, createdAt: r.meta.createdAt })),
    } satisfies HostToSidebar));
  }

  private update(): void {
    if (!this.view?.visible) return;
    const generation = ++this.generation;
    void this.overview().then(async (message) => {
      if (generation !== this.generation) return;
      await this.view?.webview.postMessage(message);
      if (message.overview && message.overview.problems.errors === 0 && this.lastUri) await this.glanceAtSignal(this.lastUri, generation);
    });
  }

  /** Measures the model's signal through depth in the engine worker and sends the side panel its verdict per layer. */
  private async glanceAtSignal(uri: vscode.Uri, generation: number): Promise<void> {
    const post = (signal: Section<SignalGlance>): void => {
      if (generation === this.generation) void this.view?.webview.postMessage({ type: 'signal', uri: uri.toString(), signal } satisfies HostToSidebar);
    };
    post({ status: 'loading' });
    try {
      const parsed = await this.ctx.models.load(uri);
      const spec = parsed.result.spec;
      if (!spec) return;
      if (!isRunnableModel(spec)) {
        post({ status: 'error', message: `Signal through depth needs the forward pass, which the engine cannot run for this model yet: ${spec.forwardUnavailable ?? 'it is not a chain of layers'}.` });
        return;
      }
      const { dataset } = await loadModelResources(this.ctx, parsed);
      const report = await this.ctx.engine.request('measureSignal', { model: spec, ...(dataset ? { dataset } : {}) });
      post({
        status: 'ready',
        report: {
          verdict: report.verdict.text,
          kind: report.verdict.kind,
          layers: report.layers.map((l) => ({
            name: l.name, kind: l.kind, std: l.std,
            ...(l.deadFraction !== undefined ? { deadFraction: l.deadFraction } : {}),
            ...(l.saturatedFraction !== undefined ? { saturatedFraction: l.saturatedFraction } : {}),
          })),
        },
      });
    } catch (err) {
      post({ status: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async overview(): Promise<Extract<HostToSidebar, { type: 'overview' }>> {
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
        // The root counts a tied tensor once, as parameterCount does.
        ...(result.spec ? { modules: treeSummary(result.spec) } : {}),
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

function treeSummary(spec: ModelSpec): ReturnType<typeof moduleSummary> {
  const { root, ties } = modelTree(spec);
  return moduleSummary(root, ties);
}

function describeLayers(spec: ModelSpec): ModelOverview['layers'] {
  if (!spec.layers) {
    // A module tree: its top-level modules with their parameter counts (the tree itself goes in `modules`).
    return summarizeModules(modelTree(spec).root, '', '').children.map((m) => ({ label: `${m.name}: ${m.type}`, parameters: m.parameterCount }));
  }
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
