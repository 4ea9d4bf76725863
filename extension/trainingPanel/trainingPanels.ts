import * as vscode from 'vscode';
import type { RunStep, Snapshot } from '../../engine/run/types';
import type { HostToTraining, ModelRef, RunSummary, TrainingPanelState, TrainingToHost } from '../../protocol/messages';
import type { Ctx } from '../ctx';
import type { RunStore } from '../runs/runStore';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export const TRAINING_VIEW_TYPE = 'weightscope.training';

/** Runs of a model sent to its panel with their records (the newest first); older ones are listed only. */
const RUNS_WITH_DATA = 6;

/** Step records per run sent to a panel: enough to draw; the scrubber asks for the exact step it lands on. */
const STEPS_PER_RUN = 2000;

function thinSteps<T extends { step: number }>(steps: T[]): T[] {
  if (steps.length <= STEPS_PER_RUN) return steps;
  const k = Math.ceil(steps.length / STEPS_PER_RUN);
  const out = steps.filter((s, i) => i % k === 0 || s.step <= 10);
  if (out.at(-1) !== steps.at(-1)) out.push(steps.at(-1)!);
  return out;
}

export interface TrainingActions {
  train(uri: vscode.Uri): Thenable<unknown>;
  compare(uri: vscode.Uri): Thenable<unknown>;
  stop(uri: vscode.Uri): void;
  exportRun(runId: string, format: "csv" | "json" | "html" | "torch"): Thenable<unknown>;
  liveRuns(uri: vscode.Uri): string[];
}

/**
 * The training panels: one WebviewPanel per model file, revealed rather than
 * duplicated, and restored by the serializer after a window reload. No
 * `retainContextWhenHidden`: when the webview is recreated it says `ready`
 * and gets the model's runs again from the runs folder.
 */
export class TrainingPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<TrainingPanelState> {
  private readonly panels = new Map<string, TrainingPanel>();
  private readonly subscriptions: vscode.Disposable[] = [];
  actions: TrainingActions | undefined;

  constructor(private readonly ctx: Ctx, private readonly store: RunStore) {
    this.subscriptions.push(vscode.window.registerWebviewPanelSerializer(TRAINING_VIEW_TYPE, this));
  }

  show(uri: vscode.Uri, preserveFocus = true): TrainingPanel {
    const existing = this.panels.get(uri.toString());
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(TRAINING_VIEW_TYPE, titleFor(uri), { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, webviewOptions(this.ctx.extensionUri));
    return this.adopt(panel, uri);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: TrainingPanelState | undefined): Promise<void> {
    if (!state?.model?.uri) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.ctx.extensionUri);
    this.adopt(panel, vscode.Uri.parse(state.model.uri));
  }

  /** New records of a live run of `uri`, for its panel if open. */
  append(uri: vscode.Uri, runId: string, steps: RunStep[], snapshots: Snapshot[]): void {
    this.panels.get(uri.toString())?.post({ type: 'append', runId, steps, snapshots });
  }

  meta(uri: vscode.Uri, summary: RunSummary): void {
    this.panels.get(uri.toString())?.post({ type: 'meta', summary });
  }

  /** Re-send the runs of every open panel (after a rename or delete). */
  refreshAll(): void {
    for (const p of this.panels.values()) void p.sendRuns();
  }

  private adopt(panel: vscode.WebviewPanel, uri: vscode.Uri): TrainingPanel {
    const p = new TrainingPanel(this.ctx, this.store, this, panel, uri, () => this.panels.delete(uri.toString()));
    this.panels.set(uri.toString(), p);
    return p;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

function titleFor(uri: vscode.Uri): string {
  const base = uri.path.split('/').pop() ?? 'model';
  return `Train: ${base.replace(/\.nn\.(json|ya?ml)$/i, '')}`;
}

export class TrainingPanel implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private ready = false;
  private loading = false;
  private queue: HostToTraining[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly store: RunStore,
    private readonly owner: TrainingPanels,
    private readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    private readonly onDispose: () => void,
  ) {
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.png');
    panel.webview.html = webviewHtml(panel.webview, ctx.extensionUri, 'training', panel.title);
    this.subscriptions.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: TrainingToHost) => this.onMessage(m)),
      // A hidden webview without retainContextWhenHidden is destroyed; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  post(message: HostToTraining): void {
    if (!this.ready) {
      // While the runs are read from disk, everything waits (the webview drops steps it already has);
      // while the webview is gone, appends are dropped: its `ready` makes us read everything again.
      if (this.loading || message.type !== 'append') this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  async sendRuns(): Promise<void> {
    const model: ModelRef = { uri: this.uri.toString(), name: this.uri.path.split('/').pop() ?? '' };
    this.loading = true;
    try {
      const all = (await this.store.list()).filter((r) => r.meta.model.source === this.uri.toString());
      if (all[0]) model.name = all[0].meta.model.name;
      const runs = await Promise.all(all.map(async (summary, i) => {
        if (i >= RUNS_WITH_DATA) return { summary, steps: [], snapshots: [] };
        const data = await this.store.read(summary.meta.id);
        return { summary: { ...summary, meta: data.meta }, steps: thinSteps(data.steps), snapshots: data.snapshots };
      }));
      this.ready = true;
      void this.panel.webview.postMessage({ type: 'runs', model, runs, live: this.owner.actions?.liveRuns(this.uri) ?? [] } satisfies HostToTraining);
      for (const m of this.queue.splice(0)) void this.panel.webview.postMessage(m);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`training panel: could not read runs: ${message}`);
      void this.panel.webview.postMessage({ type: 'error', message: `Could not read the runs: ${message}` } satisfies HostToTraining);
    } finally {
      this.loading = false;
    }
  }

  private onMessage(message: TrainingToHost): void {
    const actions = this.owner.actions;
    switch (message.type) {
      case 'ready':
        this.ready = false;
        void this.sendRuns();
        break;
      case 'train':
        void actions?.train(this.uri);
        break;
      case 'compare':
        void actions?.compare(this.uri);
        break;
      case 'stop':
        actions?.stop(this.uri);
        break;
      case 'export':
        void actions?.exportRun(message.runId, message.format);
        break;
      case 'stepDetail':
        void this.store.readStep(message.runId, message.step).then(
          (record) => record && this.post({ type: 'stepDetail', runId: message.runId, record }),
          (err) => this.ctx.log.warn(`training panel: step ${message.step} of ${message.runId}: ${String(err)}`));
        break;
      case 'openSource':
        void vscode.window.showTextDocument(this.uri, { viewColumn: vscode.ViewColumn.One });
        break;
    }
  }

  dispose(): void {
    this.onDispose();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}
