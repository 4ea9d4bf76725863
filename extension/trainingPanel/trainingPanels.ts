import * as vscode from 'vscode';
import type { RunStep, Snapshot } from '../../engine/run/types';
import type { HostToTraining, ModelRef, RunSummary, TrainingPanelState, TrainingToHost } from '../../protocol/messages';
import type { Ctx } from '../ctx';
import { exportRun } from '../runs/runCommands';
import { readRunFolder, readRunFolderThinned, StepLookups, type RunStore } from '../runs/runStore';
import { StepIndex } from '../../engine/run/runStream';
import { RUN_META_FILE } from '../../engine/run/format';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export const TRAINING_VIEW_TYPE = 'weightscope.training';

/** Runs of a model sent to its panel with their records (the newest first); older ones are listed only. */
const RUNS_WITH_DATA = 6;

/** Step records per run sent to a panel: enough to draw; the scrubber asks for the exact step it lands on. */
const STEPS_PER_RUN = 2000;


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

  /**
   * A run folder opened by itself (Open Run…), e.g. one a PyTorch-side
   * recorder is writing: the panel shows that run, and re-reads it whenever
   * a file in the folder changes, so it follows the run as it grows.
   */
  showRunFolder(folder: vscode.Uri): TrainingPanel {
    const existing = this.panels.get(folder.toString());
    if (existing) {
      existing.reveal();
      void existing.sendRuns();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(TRAINING_VIEW_TYPE, `Run: ${folder.path.split('/').pop() ?? 'run'}`, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(this.ctx.extensionUri));
    return this.adopt(panel, folder, true);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: TrainingPanelState | undefined): Promise<void> {
    if (!state?.model?.uri) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.ctx.extensionUri);
    const uri = vscode.Uri.parse(state.model.uri);
    this.adopt(panel, uri, await isRunFolder(uri));
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

  private adopt(panel: vscode.WebviewPanel, uri: vscode.Uri, runFolder = false): TrainingPanel {
    const p = new TrainingPanel(this.ctx, this.store, this, panel, uri, () => this.panels.delete(uri.toString()), runFolder);
    this.panels.set(uri.toString(), p);
    return p;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** Whether `uri` is a folder with a run.json (a run folder rather than a model file). */
export async function isRunFolder(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.joinPath(uri, RUN_META_FILE));
    return true;
  } catch {
    return false;
  }
}

/** Re-read a growing run at most this often (a recorder appends in bursts, about once a second). */
const RUN_FOLDER_RELOAD_MS = 300;

function titleFor(uri: vscode.Uri): string {
  const base = uri.path.split('/').pop() ?? 'model';
  return `Train: ${base.replace(/\.nn\.(json|ya?ml)$/i, '')}`;
}

export class TrainingPanel implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private ready = false;
  private loading = false;
  private queue: HostToTraining[] = [];
  private readyWaiters: (() => void)[] = [];
  /** Where each record of the runs shown is, so that the scrubber reads one line per step. */
  private readonly lookups = new StepLookups();

  constructor(
    private readonly ctx: Ctx,
    private readonly store: RunStore,
    private readonly owner: TrainingPanels,
    private readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    private readonly onDispose: () => void,
    /** `uri` is a run folder shown by itself (Open Run…), not a model file. */
    private readonly runFolder = false,
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
    if (runFolder) this.watchRunFolder();
  }

  /** Follow a run folder that another process writes: any change re-reads the run (debounced). */
  private watchRunFolder(): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.uri, '*'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = (file: vscode.Uri): void => {
      if (file.path.endsWith('.tmp')) return; // a run.json being replaced; its rename follows
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (this.ready) void this.sendRuns();
      }, RUN_FOLDER_RELOAD_MS);
    };
    this.subscriptions.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), { dispose: () => timer && clearTimeout(timer) });
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /**
   * Resolves once the webview has loaded and been sent its runs, or after
   * `timeoutMs`. Training waits for it: a webview created while the engine
   * worker trains could stay blank until the run ended (on a busy 2-core
   * machine, 40 s in code-server), and the user should see the run from its first step.
   */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.readyWaiters.push(done);
    });
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
    if (this.runFolder) return this.sendRunFolder();
    const model: ModelRef = { uri: this.uri.toString(), name: this.uri.path.split('/').pop() ?? '' };
    this.loading = true;
    try {
      const all = (await this.store.list()).filter((r) => r.meta.model.source === this.uri.toString());
      if (all[0]) model.name = all[0].meta.model.name;
      const runs = await Promise.all(all.map(async (summary, i) => {
        if (i >= RUNS_WITH_DATA) return { summary, steps: [], snapshots: [], losses: [] };
        const index = new StepIndex();
        const data = await this.store.readThinned(summary.meta.id, STEPS_PER_RUN, index);
        this.lookups.remember(this.store.uriOf(summary.meta.id), index);
        return { summary: { ...summary, meta: data.meta }, steps: data.steps, snapshots: data.snapshots, losses: data.losses };
      }));
      this.ready = true;
      void this.panel.webview.postMessage({ type: 'runs', model, runs, live: this.owner.actions?.liveRuns(this.uri) ?? [] } satisfies HostToTraining);
      for (const m of this.queue.splice(0)) void this.panel.webview.postMessage(m);
      for (const done of this.readyWaiters.splice(0)) done();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`training panel: could not read runs: ${message}`);
      void this.panel.webview.postMessage({ type: 'error', message: `Could not read the runs: ${message}` } satisfies HostToTraining);
    } finally {
      this.loading = false;
    }
  }

  /** The one run of a run-folder panel, thinned as the runs of a model are (the webview replaces what it had). */
  private async sendRunFolder(): Promise<void> {
    this.loading = true;
    try {
      const index = new StepIndex();
      const data = await readRunFolderThinned(this.uri, STEPS_PER_RUN, index);
      this.lookups.remember(this.uri, index);
      for (const w of data.warnings) this.ctx.log.warn(`runs: ${this.uri.fsPath}: ${w}`);
      this.panel.title = `Run: ${data.meta.name}`;
      const model: ModelRef = { uri: this.uri.toString(), name: data.meta.model.name };
      this.ready = true;
      const runs = [{ summary: { meta: data.meta, uri: this.uri.toString() }, steps: data.steps, snapshots: data.snapshots, losses: data.losses }];
      void this.panel.webview.postMessage({ type: 'runs', model, runs, live: [] } satisfies HostToTraining);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`training panel: could not read the run in ${this.uri.fsPath}: ${message}`);
      void this.panel.webview.postMessage({ type: 'error', message: `Could not read the run in ${this.uri.fsPath}: ${message}` } satisfies HostToTraining);
    } finally {
      this.loading = false;
    }
  }

  private onMessage(message: TrainingToHost): void {
    const actions = this.owner.actions;
    if (this.runFolder && this.onRunFolderMessage(message)) return;
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
      case 'stepDetail': {
        // The scrubber landed on a step the thinned read left out: read it (or, when the run did not keep
        // its full record, the nearest kept one and the step's loss) from the run's folder through the index.
        const dir = this.runFolder ? this.uri : this.store.uriOf(message.runId);
        const step = message.step;
        void this.lookups.lookUp(dir, step).then(
          (found) => found.record && this.post({ type: 'stepDetail', runId: message.runId, step, record: found.record, exact: found.exact, ...(found.loss ? { loss: found.loss } : {}) }),
          (err: unknown) => this.ctx.log.warn(`training panel: step ${step} of ${dir.fsPath}: ${String(err)}`));
        break;
      }
      case 'openSource':
        void vscode.window.showTextDocument(this.uri, { viewColumn: vscode.ViewColumn.One });
        break;
    }
  }

  /** What differs for a run folder shown by itself: there is no model file to train, and exports read the folder. */
  private onRunFolderMessage(message: TrainingToHost): boolean {
    switch (message.type) {
      case 'train':
      case 'compare':
      case 'openSource':
        void vscode.window.showInformationMessage('Weightscope: this run was opened from its folder and has no model file here to train; open the model file (or its Python source) and use Train there.');
        return true;
      case 'export':
        exportRun(this.ctx, this.store, message.runId, message.format, () => readRunFolder(this.uri)).catch((err: unknown) => {
          void vscode.window.showErrorMessage(`Weightscope: ${err instanceof Error ? err.message : String(err)}`);
        });
        return true;
      default:
        return false;
    }
  }

  dispose(): void {
    this.onDispose();
    for (const done of this.readyWaiters.splice(0)) done();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}
