import * as vscode from 'vscode';
import type { InspectionProgress } from '../../engine/inspect/inspectInit';
import type { Dataset } from '../../engine/data/dataset';
import type { CompareReport } from '../../engine/inspect/compare';
import type { SignalReport } from '../../engine/inspect/signal';
import { requireChain, requireRunnable, type ModelSpec } from '../../engine/model/spec';
import { LEFT_OUT } from '../../pymodel/notes';
import type { HostToInspector, InspectorState, InspectorToHost, ModelRef, Section } from '../../protocol/messages';
import type { Ctx } from '../ctx';
import { EngineCancelled } from '../engineClient';
import { withDelayedProgress } from '../progress';
import { loadModelResources } from '../modelResources';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { saveExport } from './exports';

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
  /** The last message of each kind, re-sent when the webview (re)loads. */
  private readonly lastMessages = new Map<HostToInspector['type'], HostToInspector>();
  /** The model and data of the last finished inspection, for the comparison. */
  private spec: ModelSpec | undefined;
  private dataset: Dataset | undefined;
  /** Seeds of the comparison, once the user has asked for one. */
  private compareSeeds: number | undefined;

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

  /**
   * Inspects the model again: its initial weights first (shown as soon as
   * they are ready), then the signal through depth on a batch of its data,
   * then, once the user has opened the comparison, the initializers side by
   * side. A newer inspection (the file changed) supersedes this one: its
   * requests are cancelled and late results dropped.
   */
  async inspect(): Promise<void> {
    const generation = ++this.generation;
    this.current?.cancel();
    const source = new vscode.CancellationTokenSource();
    this.current = source;
    const token = source.token;
    const stale = (): boolean => generation !== this.generation;
    const model: ModelRef = { uri: this.uri.toString(), name: this.uri.fragment || (this.uri.path.split('/').pop() ?? '') };
    try {
      const parsed = await this.ctx.models.load(this.uri);
      const spec = parsed.result.spec;
      model.name = spec?.name ?? model.name;
      if (!spec) {
        const errors = parsed.result.diagnostics.filter((d) => d.severity === 'error');
        this.post({ type: 'error', model, message: `The model file has ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors[0]?.message ?? ''} See the Problems panel.` });
        return;
      }
      this.post({ type: 'loading', model });
      const started = Date.now();
      const { inspection, resources } = await withDelayedProgress(`Weightscope: initializing ${spec.name}…`, 600, (progressToken, report) =>
        this.ctx.runner.run('inspect', async (jobToken) => {
          const resources = await loadModelResources(this.ctx, parsed, jobToken);
          const params = { model: spec, bins: this.ctx.config.histogramBins, ...(resources.checkpoint ? { checkpoint: resources.checkpoint } : {}) };
          const onProgress = (p: InspectionProgress): void => report(`tensor ${p.done} of ${p.total} (${p.name})`);
          return { resources, inspection: await this.ctx.engine.request('inspectInit', params, { token: jobToken, onProgress }) };
        }, progressToken),
      token);
      if (stale()) return;
      this.ctx.log.info(`inspected ${spec.name}: ${inspection.parameters.length} tensors in ${Date.now() - started} ms (engine ${inspection.elapsedMs.toFixed(1)} ms)`);
      const notes = resources.diagnostics.map((d) => `${d.message} (${d.code})`);
      // Modules the Python reader could not build: the tree below is incomplete, and the user must know which.
      const leftOut = parsed.result.diagnostics.filter((d) => d.code === LEFT_OUT);
      if (leftOut.length > 0) {
        notes.unshift(`Incomplete: ${leftOut.length} module${leftOut.length === 1 ? '' : 's'} of ${spec.name} could not be built and ${leftOut.length === 1 ? 'is' : 'are'} left out, with ${leftOut.length === 1 ? 'its' : 'their'} parameters (see the Problems panel): ${leftOut.slice(0, 3).map((d) => d.message.split(':')[0]).join('; ')}${leftOut.length > 3 ? '; …' : ''}.`);
      }
      this.post({ type: 'initInspection', model, inspection, notes });
      this.dataset = resources.dataset;
      this.spec = spec;
      await this.runSection('signal', model, generation, token, () => this.ctx.engine.request('measureSignal', {
        model: requireRunnable(spec, 'Signal through depth'),
        ...(resources.dataset ? { dataset: resources.dataset } : {}),
        ...(resources.checkpoint ? { checkpoint: resources.checkpoint } : {}),
      }, token));
      if (this.compareSeeds !== undefined) await this.compare(this.compareSeeds);
    } catch (err) {
      if (stale()) return;
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

  /** Compares the initializers over `seeds` seeds on the last inspected model (again after every refresh). */
  private async compare(seeds: number): Promise<void> {
    this.compareSeeds = seeds;
    const spec = this.spec;
    if (!spec) return; // the inspection has not finished: it runs the comparison when it does
    const model: ModelRef = { uri: this.uri.toString(), name: spec.name };
    const token = this.current?.token;
    await withDelayedProgress(`Weightscope: comparing initializers of ${spec.name}…`, 600, (progressToken) =>
      this.runSection('compare', model, this.generation, token, () => {
        const params = { model: requireChain(spec, 'Comparing initializers'), bins: this.ctx.config.histogramBins, seeds, ...(this.dataset ? { dataset: this.dataset } : {}) };
        return this.ctx.runner.run('inspect', (jobToken) => this.ctx.engine.request('compareInit', params, jobToken), progressToken);
      }));
  }

  /** Runs one section's engine request and posts loading, then its report or its error (unless superseded). */
  private async runSection<K extends 'signal' | 'compare'>(
    kind: K,
    model: ModelRef,
    generation: number,
    token: vscode.CancellationToken | undefined,
    request: () => Promise<K extends 'signal' ? SignalReport : CompareReport>,
  ): Promise<void> {
    const post = (section: Section<SignalReport> | Section<CompareReport>): void => {
      if (generation !== this.generation || token?.isCancellationRequested) return;
      this.post(kind === 'signal' ? { type: 'signal', model, signal: section as Section<SignalReport> } : { type: 'compare', model, compare: section as Section<CompareReport> });
    };
    post({ status: 'loading' });
    try {
      const report = await request();
      post({ status: 'ready', report } as Section<SignalReport> | Section<CompareReport>);
    } catch (err) {
      if (err instanceof EngineCancelled) return;
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`${kind} of ${this.uri.toString()} failed: ${message}`);
      post({ status: 'error', message });
    }
  }

  private post(message: HostToInspector): void {
    // A new inspection starts over: results of the previous one are not re-sent after it.
    if (message.type === 'loading' || message.type === 'error') this.lastMessages.clear();
    this.lastMessages.set(message.type, message);
    void this.panel.webview.postMessage(message);
  }

  private onMessage(message: InspectorToHost): void {
    switch (message.type) {
      case 'ready':
        // The webview (re)loaded, e.g. after being hidden: send it the latest state.
        for (const message of this.lastMessages.values()) void this.panel.webview.postMessage(message);
        break;
      case 'compare':
        void this.compare(message.seeds);
        break;
      case 'export':
        void saveExport(this.ctx, this.uri, message);
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
