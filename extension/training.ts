import * as vscode from 'vscode';
import { isRunnableModel, type RunnableModelSpec } from '../engine/model';
import { plannedBatchSize, plannedSteps } from '../engine/train/defaults';
import { runMetaFor, type RecordingInfo, type RunMeta, type RunStatus } from '../engine/run/format';
import { newRunId } from '../engine/run/runId';
import { optimizerVariants } from '../engine/run/variants';
import type { RunStep, Snapshot } from '../engine/run/types';
import type { LoadedResources, TrainProgress, TrainResult } from '../protocol/messages';
import type { Ctx } from './ctx';
import { loadModelResources } from './modelResources';
import { EngineCancelled } from './engineClient';
import type { RunStore, RunWriter } from './runs/runStore';
import type { TrainingPanels } from './trainingPanel/trainingPanels';

/** Least time between two progress messages from the worker; each carries the records of the steps in between. */
const PROGRESS_INTERVAL_MS = 200;
/**
 * Step records per progress message meant for the panel (the run file gets every step, as encoded lines):
 * a chart needs no more, and sending every step of a fast run to the webview (over a websocket in remote
 * setups) would take the CPU the training needs. When the run ends the panel reads the run from disk.
 */
const LIVE_STEPS_PER_MESSAGE = 12;

/** Least time between two writes of a run's records (each rewrites its current segment) and two updates of its panel. */
const FLUSH_INTERVAL_MS = 1000;
/** How long Train waits for its panel to load before starting without it (it then catches up from disk). */
const PANEL_READY_TIMEOUT_MS = 10000;

interface Live {
  source: vscode.CancellationTokenSource;
  runIds: string[];
  /** The model's data and initial weights, loaded from the files it names. */
  resources?: LoadedResources;
}

/**
 * Runs trainings in the engine worker and records them: one at a time per
 * model (a comparison trains its variants together), with a cancellable
 * progress notification, a status-bar item that stops the run, the run's
 * records written to the runs folder as they stream in, and the model's
 * training panel showing them live.
 */
export class Trainings implements vscode.Disposable {
  private readonly live = new Map<string, Live>();
  private readonly status = vscode.window.createStatusBarItem('weightscope.training', vscode.StatusBarAlignment.Left, 10);

  constructor(private readonly ctx: Ctx, private readonly store: RunStore, private readonly panels: TrainingPanels) {
    this.status.name = 'Weightscope Training';
    this.status.command = 'weightscope.stop';
  }

  liveRuns(uri: vscode.Uri): string[] {
    return this.live.get(uri.toString())?.runIds ?? [];
  }

  stop(uri: vscode.Uri): void {
    this.live.get(uri.toString())?.source.cancel();
  }

  train(uri: vscode.Uri): Promise<TrainResult | undefined> {
    return this.start(uri, (spec) => [{ label: undefined, spec }], 'training').then((r) => r?.[0]);
  }

  compare(uri: vscode.Uri): Promise<(TrainResult | undefined)[] | undefined> {
    return this.start(uri, (spec) => optimizerVariants(spec), 'comparing optimizers on');
  }

  private async start(uri: vscode.Uri, variantsOf: (spec: RunnableModelSpec) => { label: string | undefined; spec: RunnableModelSpec }[], verb: string): Promise<(TrainResult | undefined)[] | undefined> {
    const parsed = await this.ctx.models.load(uri);
    const { result } = parsed;
    if (!result.spec) {
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      void vscode.window.showErrorMessage(`Weightscope: ${uri.path.split('/').pop()} has ${errors} error${errors === 1 ? '' : 's'}; fix them before training.`, 'Show Problems')
        .then((c) => c && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return undefined;
    }
    const spec = result.spec;
    if (!isRunnableModel(spec)) {
      void vscode.window.showErrorMessage(`Weightscope: cannot train ${spec.name} yet: ${spec.forwardUnavailable ?? 'it is not a chain of layers'}. Inspect shows its initialization.`);
      return undefined;
    }
    const key = uri.toString();
    if (this.live.has(key)) {
      void vscode.window.showInformationMessage(`Weightscope: ${spec.name} is already training. Stop it first.`);
      return undefined;
    }
    const live: Live = { source: new vscode.CancellationTokenSource(), runIds: [] };
    this.live.set(key, live);
    try {
      live.resources = await loadModelResources(this.ctx, parsed);
      // Training on stand-in data would look like a result: a file the model names must load.
      const problem = live.resources.diagnostics.find((d) => d.severity === 'error');
      if (problem) {
        void vscode.window.showErrorMessage(`Weightscope: cannot train ${spec.name}: ${problem.message}`, 'Show Problems')
          .then((c) => c && vscode.commands.executeCommand('workbench.actions.view.problems'));
        return undefined;
      }
      await this.panels.show(uri).whenReady(PANEL_READY_TIMEOUT_MS);
      return await this.runAll(uri, spec, variantsOf(spec), verb, live);
    } finally {
      live.source.dispose();
      this.live.delete(key);
      if (this.live.size === 0) this.status.hide();
    }
  }

  private runAll(uri: vscode.Uri, spec: RunnableModelSpec, variants: { label: string | undefined; spec: RunnableModelSpec }[], verb: string, live: Live): Promise<(TrainResult | undefined)[]> {
    const batchSize = plannedBatchSize(spec, undefined, this.ctx.config.trainBatchSize);
    const steps = plannedSteps(spec, live.resources?.dataset?.count ?? 0, batchSize, undefined, this.ctx.config.trainSteps);
    const now = new Date();
    const group = variants.length > 1 ? newRunId(now, 'compare') : undefined;
    return Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Weightscope: ${verb} ${spec.name}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => live.source.cancel());
        const done = new Array<number>(variants.length).fill(0);
        let reported = 0;
        const onStep = (i: number, p: TrainProgress): void => {
          done[i] = p.step;
          const pct = (100 * done.reduce((a, b) => a + b, 0)) / (p.steps * variants.length);
          progress.report({ message: `step ${p.step}/${p.steps} · loss ${p.loss.toPrecision(4)}`, increment: pct - reported });
          reported = pct;
          this.status.text = `$(sync~spin) ${spec.name} ${p.step}/${p.steps}`;
          this.status.tooltip = `Weightscope is training ${spec.name}: loss ${p.loss.toPrecision(4)}. Click to stop.`;
        };
        this.status.text = `$(sync~spin) ${spec.name}`;
        this.status.show();
        return Promise.all(variants.map(async (variant, i) => {
          const meta = runMetaFor(variant.spec, {
            id: newRunId(now, spec.name, variant.label ? i : undefined), steps, createdAt: now.toISOString(), source: uri.toString(), batchSize,
            ...(variant.label ? { name: `${spec.name} · ${variant.label}`, variant: variant.label } : {}),
            ...(group ? { group } : {}),
          });
          return this.runOne(uri, variant.spec, meta, steps, batchSize, live, (p) => onStep(i, p), variants.length === 1);
        }));
      },
    ));
  }

  private async runOne(uri: vscode.Uri, spec: RunnableModelSpec, meta: RunMeta, steps: number, batchSize: number, live: Live, onStep: (p: TrainProgress) => void, notify: boolean): Promise<TrainResult | undefined> {
    let writer: RunWriter | undefined;
    try {
      writer = await this.store.create(meta);
    } catch (err) {
      this.ctx.log.error(`runs: could not create ${meta.id} in ${this.store.root.toString()}: ${String(err)}`);
      void vscode.window.showWarningMessage(`Weightscope: could not save the run in ${this.store.root.fsPath} (${err instanceof Error ? err.message : String(err)}); training without saving it.`);
    }
    live.runIds.push(meta.id);
    this.panels.meta(uri, { meta, uri: this.store.uriOf(meta.id).toString() });
    const finish = async (status: RunStatus, stepsDone: number, extra: Partial<RunMeta> = {}): Promise<void> => {
      if (!writer) return;
      await writer.update({ status, stepsDone, ...extra });
      this.panels.meta(uri, { meta: writer.current, uri: writer.dir.toString() });
      // The panel saw a thinned live stream; it now reads every step from disk.
      this.store.notifyChanged();
    };
    let lastStep = 0;
    let lastFlush = 0;
    let recording: RecordingInfo | undefined;
    let pendingSteps: RunStep[] = [];
    let pendingSnapshots: Snapshot[] = [];
    const takePending = (): { steps: RunStep[]; snapshots: Snapshot[] } => {
      const taken = { steps: pendingSteps, snapshots: pendingSnapshots };
      pendingSteps = [];
      pendingSnapshots = [];
      return taken;
    };
    // Each forward also rewrites run.json (about once a second): its stepsDone and updatedAt follow the run,
    // so a reader can tell a run that goes on from one whose window was closed mid-run.
    const forward = (): Promise<void> => {
      const { steps, snapshots } = takePending();
      return writer!.update({ stepsDone: lastStep, ...(recording ? { recording } : {}) })
        .then(() => this.panels.append(uri, meta.id, steps, snapshots), (err) => this.ctx.log.error(`runs: write failed: ${String(err)}`));
    };
    const onProgress = (p: TrainProgress): void => {
      onStep(p);
      const records = p.records;
      if (!records) return;
      lastStep = records.lastStep;
      recording = records.recording;
      pendingSteps.push(...records.steps);
      pendingSnapshots.push(...records.snapshots);
      if (!writer) {
        const { steps, snapshots } = takePending();
        this.panels.append(uri, meta.id, steps, snapshots);
        return;
      }
      // The worker encoded the lines. Flush (which rewrites the current segment) and update the panel at most
      // once a second, and the panel only once the steps are on disk, so that a panel that reloads from disk
      // never misses steps.
      writer.append(records.lines);
      if (Date.now() - lastFlush < FLUSH_INTERVAL_MS) return;
      lastFlush = Date.now();
      void forward();
    };
    const flushRest = async (): Promise<void> => {
      if (writer && (pendingSteps.length > 0 || pendingSnapshots.length > 0)) await forward();
    };
    try {
      const result = await this.ctx.runner.run(`train ${spec.name}`, (jobToken) =>
        this.ctx.engine.request('train', {
          model: spec, steps, batchSize, progressIntervalMs: PROGRESS_INTERVAL_MS,
          ...(live.resources?.dataset ? { dataset: live.resources.dataset } : {}),
          ...(live.resources?.checkpoint ? { checkpoint: live.resources.checkpoint } : {}),
          record: { bins: this.ctx.config.snapshotBins, maxSnapshotBytes: this.ctx.config.maxSnapshotBytes, validationEvery: this.ctx.config.validationEvery, liveSteps: LIVE_STEPS_PER_MESSAGE, maxRunBytes: this.ctx.config.maxRunBytes },
        }, { token: jobToken, onProgress }), live.source.token);
      await flushRest();
      await finish(result.stoppedBy === 'completed' ? 'completed' : result.stoppedBy === 'cancelled' ? 'cancelled' : 'non-finite', result.steps, {
        ...(recording ? { recording } : {}),
        ...(result.reason ? { reason: result.reason } : {}), ...(result.nonFinite ? { nonFinite: result.nonFinite } : {}), dataset: result.dataset,
      });
      if (notify) this.report(spec, result);
      return result;
    } catch (err) {
      await flushRest();
      if (err instanceof EngineCancelled) {
        await finish('cancelled', lastStep, { reason: `stopped at step ${lastStep}` });
        if (notify) void vscode.window.showInformationMessage(`Weightscope: training of ${spec.name} was stopped.`);
        return undefined;
      }
      const message = err instanceof Error ? err.message : String(err);
      await finish('failed', lastStep, { reason: message });
      if (err instanceof Error && err.name === 'StepError') {
        // The model itself failed (as it would in torch): say where, and point at the diagnostics.
        this.ctx.log.warn(`train: ${spec.name} failed at ${message}`);
        void vscode.window.showErrorMessage(`Weightscope: training ${spec.name} failed at ${message}. PyTorch fails the same way; see the Problems panel for the fix.`, 'Show Problems')
          .then((c) => c && vscode.commands.executeCommand('workbench.actions.view.problems'));
        return undefined;
      }
      throw err;
    }
  }

  private report(spec: RunnableModelSpec, r: TrainResult): void {
    const opt = spec.optimizer;
    const hyper = opt ? `${opt.type} lr=${opt.lr}${opt.args.weight_decay !== undefined ? `, weight_decay=${String(opt.args.weight_decay)}` : ''}` : 'AdamW defaults';
    const summary = `${spec.name}: ${r.steps} steps in ${(r.elapsedMs / 1000).toFixed(1)} s, loss ${r.firstLoss.toPrecision(4)} → ${r.lastLoss.toPrecision(4)} (${hyper}; ${r.dataset})`;
    this.ctx.log.info(`train: ${summary}; ${r.stoppedBy}${r.reason ? `: ${r.reason}` : ''}`);
    const show = (message: string, kind: 'info' | 'warn'): void => {
      const fn = kind === 'info' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void fn(message, 'Show Log').then((c) => c && this.ctx.log.show());
    };
    if (r.stoppedBy === 'completed') show(`Weightscope: trained ${summary}.`, 'info');
    else if (r.stoppedBy === 'cancelled') show(`Weightscope: ${r.reason ?? 'stopped'}. ${summary}.`, 'info');
    else show(`Weightscope: training of ${spec.name} stopped: ${asPlainText(r.reason ?? 'a value became NaN or infinite')}. The first ${r.steps} steps are kept.`, 'warn');
  }

  dispose(): void {
    for (const l of this.live.values()) l.source.cancel();
    this.status.dispose();
  }
}

/** Notifications show text, not Markdown: the engine's `fc3.weight` becomes ‘fc3.weight’. */
export function asPlainText(message: string): string {
  return message.replace(/`([^`]+)`/g, '‘$1’');
}
