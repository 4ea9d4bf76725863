import * as vscode from 'vscode';
import type { ModelSpec } from '../engine/model';
import type { TrainProgress, TrainResult } from '../protocol/messages';
import type { Ctx } from './ctx';
import { EngineCancelled } from './engineClient';

/**
 * Runs trainings in the engine worker: one at a time per model, with a
 * cancellable progress notification, a status-bar item that stops the run,
 * and a result message that states what happened in numbers.
 */
export class Trainings implements vscode.Disposable {
  private readonly running = new Set<string>();
  private readonly status = vscode.window.createStatusBarItem('weightscope.training', vscode.StatusBarAlignment.Left, 10);

  constructor(private readonly ctx: Ctx) {
    this.status.name = 'Weightscope Training';
    this.status.command = 'weightscope.stop';
  }

  async train(uri: vscode.Uri): Promise<TrainResult | undefined> {
    const { result } = await this.ctx.models.load(uri);
    if (!result.spec) {
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      void vscode.window.showErrorMessage(`Weightscope: ${uri.path.split('/').pop()} has ${errors} error${errors === 1 ? '' : 's'}; fix them before training.`, 'Show Problems')
        .then((c) => c && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return undefined;
    }
    const key = uri.toString();
    if (this.running.has(key)) {
      void vscode.window.showInformationMessage(`Weightscope: ${result.spec.name} is already training. Stop it first.`);
      return undefined;
    }
    this.running.add(key);
    try {
      return await this.run(result.spec);
    } finally {
      this.running.delete(key);
      if (this.running.size === 0) this.status.hide();
    }
  }

  private run(spec: ModelSpec): Promise<TrainResult | undefined> {
    const steps = this.ctx.config.trainSteps;
    const batchSize = this.ctx.config.trainBatchSize;
    return Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Weightscope: training ${spec.name}`, cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const onProgress = (p: TrainProgress): void => {
          const pct = (100 * p.step) / p.steps;
          progress.report({ message: `step ${p.step}/${p.steps} · loss ${p.loss.toPrecision(4)}`, increment: pct - reported });
          reported = pct;
          this.status.text = `$(sync~spin) ${spec.name} ${p.step}/${p.steps}`;
          this.status.tooltip = `Weightscope is training ${spec.name}: loss ${p.loss.toPrecision(4)}. Click to stop.`;
        };
        this.status.text = `$(sync~spin) ${spec.name}`;
        this.status.show();
        try {
          const result = await this.ctx.runner.run(`train ${spec.name}`, (jobToken) =>
            this.ctx.engine.request('train', { model: spec, steps, batchSize, progressIntervalMs: 100 }, { token: jobToken, onProgress }), token);
          this.report(spec, result);
          return result;
        } catch (err) {
          if (err instanceof EngineCancelled) {
            void vscode.window.showInformationMessage(`Weightscope: training of ${spec.name} was stopped.`);
            return undefined;
          }
          if (err instanceof Error && err.name === 'StepError') {
            // The model itself failed (as it would in torch): say where, and point at the diagnostics.
            this.ctx.log.warn(`train: ${spec.name} failed at ${err.message}`);
            void vscode.window.showErrorMessage(`Weightscope: training ${spec.name} failed at ${err.message}. PyTorch fails the same way; see the Problems panel for the fix.`, 'Show Problems')
              .then((c) => c && vscode.commands.executeCommand('workbench.actions.view.problems'));
            return undefined;
          }
          throw err;
        }
      },
    ));
  }

  private report(spec: ModelSpec, r: TrainResult): void {
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
    else show(`Weightscope: training of ${spec.name} stopped: ${r.reason ?? 'a value became NaN or infinite'}. The first ${r.steps} steps are kept.`, 'warn');
  }

  dispose(): void {
    this.status.dispose();
  }
}
