import * as vscode from 'vscode';
import type { HostToInspector, InspectorState, InspectorToHost, ModelRef } from '../../protocol/messages';
import type { Ctx } from '../ctx';
import { EngineCancelled } from '../engineClient';
import { withDelayedProgress } from '../progress';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export const INSPECTOR_VIEW_TYPE = 'weightscope.inspector';

/**
 * The inspector panels: one WebviewPanel per model file, revealed again
 * rather than duplicated, refreshed when its model changes, and restored by
 * the serializer after a window reload (no `retainContextWhenHidden`: the
 * webview keeps its own state with `setState`, and we re-send the inspection).
 */
export class InspectorPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<InspectorState> {
  private readonly panels = new Map<string, InspectorPanel>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, this),
      ctx.models.onDidChangeModel((uri) => {
        // A Python file's models have the file's URI plus a fragment (model.py#SimpleModel).
        for (const panel of this.panels.values()) if (panel.documentUri.toString() === uri.toString()) void panel.inspect();
      }),
    );
  }

  /** Shows the inspector of `uri`, creating it if needed, and (re)runs the inspection. */
  async show(uri: vscode.Uri): Promise<void> {
    const existing = this.panels.get(uri.toString());
    if (existing) {
      existing.reveal();
      await existing.inspect();
      return;
    }
    const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, titleFor(uri), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.ctx.extensionUri));
    await this.adopt(panel, uri).inspect();
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: InspectorState | undefined): Promise<void> {
    if (!state?.model?.uri) {
      panel.dispose(); // nothing to restore
      return;
    }
    panel.webview.options = webviewOptions(this.ctx.extensionUri);
    await this.adopt(panel, vscode.Uri.parse(state.model.uri)).inspect();
  }

  private adopt(panel: vscode.WebviewPanel, uri: vscode.Uri): InspectorPanel {
    const inspector = new InspectorPanel(this.ctx, panel, uri, () => this.panels.delete(uri.toString()));
    this.panels.set(uri.toString(), inspector);
    return inspector;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

function titleFor(uri: vscode.Uri): string {
  if (uri.fragment) return `Inspect: ${uri.fragment}`;
  const base = uri.path.split('/').pop() ?? 'model';
  return `Inspect: ${base.replace(/\.nn\.(json|ya?ml)$/i, '')}`;
}

class InspectorPanel implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Incremented per inspection so that a stale result (the file changed meanwhile) is dropped. */
  private generation = 0;
  private current: vscode.CancellationTokenSource | undefined;
  private lastMessage: HostToInspector | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly panel: vscode.WebviewPanel,
    private readonly uri: vscode.Uri,
    private readonly onDispose: () => void,
  ) {
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.png');
    panel.webview.html = webviewHtml(panel.webview, ctx.extensionUri, 'inspector', panel.title);
    this.subscriptions.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: InspectorToHost) => this.onMessage(m)),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /** The document the model lives in (a Python model's URI has its name as fragment). */
  get documentUri(): vscode.Uri {
    return this.uri.with({ fragment: '' });
  }

  async inspect(): Promise<void> {
    const generation = ++this.generation;
    this.current?.cancel();
    const source = new vscode.CancellationTokenSource();
    this.current = source;
    const model: ModelRef = { uri: this.uri.toString(), name: this.uri.fragment || (this.uri.path.split('/').pop() ?? '') };
    try {
      const { result } = await this.ctx.models.load(this.uri);
      model.name = result.spec?.name ?? model.name;
      if (!result.spec) {
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        this.post({ type: 'error', model, message: `The model file has ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors[0]?.message ?? ''} See the Problems panel.` });
        return;
      }
      this.post({ type: 'loading', model });
      const spec = result.spec;
      const started = Date.now();
      const inspection = await withDelayedProgress(`Weightscope: initializing ${spec.name}…`, 600, (token) =>
        this.ctx.runner.run('inspect', (jobToken) => this.ctx.engine.request('inspectInit', { model: spec, bins: this.ctx.config.histogramBins }, jobToken), token),
      source.token);
      if (generation !== this.generation) return; // superseded by a newer inspection
      this.ctx.log.info(`inspected ${spec.name}: ${inspection.parameters.length} tensors in ${Date.now() - started} ms (engine ${inspection.elapsedMs.toFixed(1)} ms)`);
      this.post({ type: 'initInspection', model, inspection });
    } catch (err) {
      if (generation !== this.generation) return;
      if (err instanceof EngineCancelled) {
        this.post({ type: 'error', model, message: 'Inspection cancelled.' });
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`inspection of ${this.uri.toString()} failed: ${message}`);
      this.post({ type: 'error', model, message: `Inspection failed: ${message}` });
      void vscode.window.showErrorMessage(`Weightscope could not inspect ${model.name}: ${message}`, 'Show Log').then((choice) => {
        if (choice) this.ctx.log.show();
      });
    } finally {
      if (this.current === source) this.current = undefined;
      source.dispose();
    }
  }

  private post(message: HostToInspector): void {
    this.lastMessage = message;
    void this.panel.webview.postMessage(message);
  }

  private onMessage(message: InspectorToHost): void {
    switch (message.type) {
      case 'ready':
        // The webview (re)loaded, e.g. after being hidden: send it the latest state.
        if (this.lastMessage) void this.panel.webview.postMessage(this.lastMessage);
        break;
      case 'refresh':
        void this.inspect();
        break;
      case 'openSource':
        void vscode.window.showTextDocument(this.documentUri, { viewColumn: vscode.ViewColumn.One });
        break;
    }
  }

  dispose(): void {
    this.current?.cancel();
    this.onDispose();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}
