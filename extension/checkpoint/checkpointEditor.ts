import * as vscode from 'vscode';
import type { CheckpointReport } from '../../engine/checkpoint/report';
import type { CheckpointSpec } from '../../engine/model/spec';
import type { CheckpointDriftState, CheckpointModelMatch, CheckpointModelState, CheckpointSource, CheckpointToHost, HostToCheckpoint } from '../../protocol/messages';
import type { Ctx } from '../ctx';
import { EngineCancelled } from '../engineClient';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { candidateModels } from './candidateModels';

export const CHECKPOINT_VIEW_TYPE = 'weightscope.checkpoint';
/**
 * The same editor for files that are not always checkpoints (`*.bin` is any
 * binary; a `*.safetensors.index.json` is also plain JSON): offered through
 * "Open With…" rather than opened by default.
 */
export const MAYBE_CHECKPOINT_VIEW_TYPE = 'weightscope.checkpointMaybe';

/** workspaceState keys: the model picked for a checkpoint, and the initial checkpoint chosen for it. */
const PICKED_MODEL = 'weightscope.checkpoint.model:';
const CHOSEN_INITIAL = 'weightscope.checkpoint.initial:';

/** Checkpoints not on a local disk are read whole through VS Code's file system; larger ones are refused. */
const MAX_REMOTE_BYTES = 512 * 1024 * 1024;

/** Just the file: a checkpoint editor never writes it. */
class CheckpointDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/**
 * The checkpoint editor: clicking a `*.safetensors`, `*.pt`, `*.pth`,
 * `*.ckpt`, `*.npz` (or, through "Open With", `*.bin`) file opens its tensors
 * here. The engine worker reads and summarizes the file a tensor at a time
 * (the extension host only passes the path along), reporting progress; closing
 * the editor or its Cancel button stops it. Then the workspace's models are
 * matched against the tensors' names and shapes, and a match (picked by the
 * user when several match, remembered per checkpoint) puts each tensor next
 * to its initializer's theory; an initial checkpoint (chosen, remembered, or
 * the model's `init_from`) adds the drift.
 */
export class CheckpointEditorProvider implements vscode.CustomReadonlyEditorProvider<CheckpointDocument> {
  constructor(private readonly ctx: Ctx) {}

  static register(ctx: Ctx): vscode.Disposable {
    const provider = new CheckpointEditorProvider(ctx);
    const options = { supportsMultipleEditorsPerDocument: true, webviewOptions: { retainContextWhenHidden: false } };
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(CHECKPOINT_VIEW_TYPE, provider, options),
      vscode.window.registerCustomEditorProvider(MAYBE_CHECKPOINT_VIEW_TYPE, provider, options),
    );
  }

  openCustomDocument(uri: vscode.Uri): CheckpointDocument {
    return new CheckpointDocument(uri);
  }

  resolveCustomEditor(document: CheckpointDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.ctx.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.ctx.extensionUri, 'checkpoint', baseName(document.uri));
    new CheckpointEditor(this.ctx, document.uri, panel);
  }
}

function baseName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() ?? uri.path;
}

class CheckpointEditor {
  private readonly subscriptions: vscode.Disposable[] = [];
  private work: vscode.CancellationTokenSource | undefined;
  private report: CheckpointReport | undefined;
  private matches: CheckpointModelMatch[] = [];
  private model: CheckpointModelMatch | undefined;
  /** The candidates' `init_from`, by model URI. */
  private initFrom = new Map<string, CheckpointSpec>();
  private disposed = false;

  constructor(private readonly ctx: Ctx, private readonly uri: vscode.Uri, private readonly panel: vscode.WebviewPanel) {
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: CheckpointToHost) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The last model and drift messages, for a webview that reloads. */
  private lastModel: HostToCheckpoint | undefined;
  private lastDrift: HostToCheckpoint | undefined;

  private post(message: HostToCheckpoint): void {
    if (message.type === 'model') this.lastModel = message;
    if (message.type === 'drift') this.lastDrift = message;
    if (message.type === 'progress' || message.type === 'report') this.lastModel = this.lastDrift = undefined;
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private replay(): void {
    const messages = [this.lastModel, this.lastDrift];
    this.post({ type: 'report', report: this.report! });
    for (const m of messages) if (m) this.post(m);
  }

  private async onMessage(m: CheckpointToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        // A webview shown again after being hidden starts empty: give it what it had, without reading the file again.
        if (this.report) return this.replay();
        return this.load();
      case 'retry':
        return this.load();
      case 'cancel':
        this.work?.cancel();
        return;
      case 'pickModel':
        return this.pickModel(m.uri);
      case 'openModel':
        if (this.model) await vscode.window.showTextDocument(vscode.Uri.parse(this.model.uri).with({ fragment: '' }), { viewColumn: vscode.ViewColumn.Beside });
        return;
      case 'chooseInitial':
        return this.chooseInitial();
      case 'clearInitial':
        await this.ctx.extensionContext.workspaceState.update(CHOSEN_INITIAL + this.uri.toString(), undefined);
        return this.drift();
    }
  }

  /** A new token for the next piece of work, cancelling the one before. */
  private restart(): vscode.CancellationToken {
    this.work?.cancel();
    this.work?.dispose();
    this.work = new vscode.CancellationTokenSource();
    return this.work.token;
  }

  private async source(uri: vscode.Uri): Promise<CheckpointSource> {
    const name = baseName(uri);
    if (uri.scheme === 'file') {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const root = folder?.uri.scheme === 'file' ? folder.uri.fsPath : vscode.Uri.joinPath(uri, '..').fsPath;
      return { path: uri.fsPath, name, root };
    }
    const { size } = await vscode.workspace.fs.stat(uri);
    if (size > MAX_REMOTE_BYTES) throw new Error(`${name} is ${(size / 2 ** 20).toFixed(0)} MB; checkpoints outside the local disk are read whole, up to ${MAX_REMOTE_BYTES / 2 ** 20} MB`);
    return { bytes: await vscode.workspace.fs.readFile(uri), name };
  }

  private async load(): Promise<void> {
    const token = this.restart();
    const file = baseName(this.uri);
    this.report = undefined;
    this.post({ type: 'progress', file, done: 0, total: 0, name: '' });
    try {
      const started = performance.now();
      const report = await this.ctx.engine.request('readCheckpoint', { file: await this.source(this.uri), bins: this.ctx.config.histogramBins }, {
        token,
        onProgress: (p) => this.post({ type: 'progress', file, ...p }),
      });
      this.ctx.log.info(`checkpoint: ${file}: ${report.tensors.length} tensors summarized in ${(performance.now() - started).toFixed(0)} ms`);
      this.report = report;
      this.post({ type: 'report', report });
    } catch (error) {
      if (error instanceof EngineCancelled) this.post({ type: 'error', file, message: `Reading ${file} was cancelled.` });
      else this.post({ type: 'error', file, message: error instanceof Error ? error.message : String(error) });
      return;
    }
    await this.matchModels(token);
  }

  private async matchModels(token: vscode.CancellationToken): Promise<void> {
    const report = this.report;
    if (!report) return;
    this.post({ type: 'model', model: { status: 'searching' } });
    try {
      const models = await candidateModels(this.ctx, token);
      this.initFrom = new Map(models.flatMap((m) => (m.spec.initFrom ? [[m.uri, m.spec.initFrom] as const] : [])));
      this.matches = models.length ? await this.ctx.engine.request('checkpointModels', { tensors: report.tensors, models }, token) : [];
    } catch (error) {
      if (error instanceof EngineCancelled) return;
      this.ctx.log.error(`checkpoint: matching models failed: ${String(error)}`);
      this.matches = [];
    }
    const matching = this.matches.filter((m) => m.comparison);
    const picked = this.ctx.extensionContext.workspaceState.get<string>(PICKED_MODEL + this.uri.toString());
    this.model = matching.find((m) => m.uri === picked) ?? (matching.length === 1 ? matching[0] : undefined);
    this.postModel();
    await this.drift();
  }

  private postModel(): void {
    const matching = this.matches.filter((m) => m.comparison);
    let state: CheckpointModelState;
    if (this.model?.comparison) state = { status: 'matched', model: { uri: this.model.uri, name: this.model.name }, comparison: this.model.comparison, others: matching.length - 1 };
    else if (matching.length > 1) state = { status: 'several', matches: matching.map(({ uri, name }) => ({ uri, name })) };
    else {
      // The candidate with the fewest problems is the one worth explaining.
      const closest = [...this.matches].sort((a, b) => a.problems.length - b.problems.length)[0];
      state = { status: 'none', candidates: this.matches.length, ...(closest ? { closest: { name: closest.name, problems: closest.problems } } : {}) };
    }
    this.post({ type: 'model', model: state });
  }

  private async pickModel(uri: string | undefined): Promise<void> {
    const matching = this.matches.filter((m) => m.comparison);
    let chosen = uri;
    if (chosen === undefined) {
      const item = await vscode.window.showQuickPick(matching.map((m) => ({ label: m.name, description: vscode.workspace.asRelativePath(vscode.Uri.parse(m.uri).with({ fragment: '' })), uri: m.uri })), { placeHolder: `The model ${baseName(this.uri)} is the state_dict of` });
      chosen = item?.uri;
    }
    const model = matching.find((m) => m.uri === chosen);
    if (!model) return;
    this.model = model;
    await this.ctx.extensionContext.workspaceState.update(PICKED_MODEL + this.uri.toString(), model.uri);
    this.postModel();
    await this.drift();
  }

  private async chooseInitial(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri: vscode.Uri.joinPath(this.uri, '..'),
      openLabel: 'Compare with this checkpoint',
      title: `The initial checkpoint of ${baseName(this.uri)} (θ₀ of the drift ‖θ − θ₀‖/‖θ₀‖)`,
      filters: { Checkpoints: ['safetensors', 'pt', 'pth', 'bin', 'ckpt', 'npz'] },
    });
    if (!picked?.[0]) return;
    await this.ctx.extensionContext.workspaceState.update(CHOSEN_INITIAL + this.uri.toString(), picked[0].toString());
    await this.drift();
  }

  /** The initial checkpoint: the one chosen for this file, else the matched model's `init_from`. */
  private initial(): { uri: vscode.Uri; origin: 'chosen' | 'init_from' } | undefined {
    const chosen = this.ctx.extensionContext.workspaceState.get<string>(CHOSEN_INITIAL + this.uri.toString());
    if (chosen) return { uri: vscode.Uri.parse(chosen), origin: 'chosen' };
    const from = this.model?.comparison ? this.modelInitFrom() : undefined;
    return from ? { uri: from, origin: 'init_from' } : undefined;
  }

  /** The matched model's `init_from` safetensors file, next to the model file. */
  private modelInitFrom(): vscode.Uri | undefined {
    const from = this.model && this.initFrom.get(this.model.uri);
    if (from?.kind !== 'safetensors') return undefined;
    return vscode.Uri.joinPath(vscode.Uri.parse(this.model!.uri).with({ fragment: '' }), '..', from.path);
  }

  private async drift(): Promise<void> {
    const initial = this.initial();
    if (!initial || !this.report) {
      this.post({ type: 'drift', drift: { status: 'none' } });
      return;
    }
    const token = this.restart();
    const name = vscode.workspace.asRelativePath(initial.uri);
    const post = (drift: CheckpointDriftState): void => this.post({ type: 'drift', drift });
    post({ status: 'loading', initial: name, origin: initial.origin });
    try {
      const drift = await this.ctx.engine.request('checkpointDrift', { file: await this.source(this.uri), initial: await this.source(initial.uri), bins: this.ctx.config.histogramBins }, {
        token,
        onProgress: (p) => post({ status: 'loading', initial: name, origin: initial.origin, done: p.done, total: p.total }),
      });
      post({ status: 'ready', initial: name, origin: initial.origin, drift: { ...drift, initialFile: name } });
    } catch (error) {
      if (error instanceof EngineCancelled) post({ status: 'none' });
      else post({ status: 'error', initial: name, message: error instanceof Error ? error.message : String(error) });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.work?.cancel();
    this.work?.dispose();
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}
