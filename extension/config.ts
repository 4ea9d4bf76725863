import * as vscode from 'vscode';
import { DEFAULT_MAX_PARAMETERS } from '../engine/model/memory';

/**
 * Typed access to the `weightscope.*` settings declared in package.json.
 * Read on every access so that a changed setting applies at once.
 */
export class Config {
  private get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('weightscope');
  }

  get codeLensEnabled(): boolean {
    return this.section.get<boolean>('codeLens.enabled', true);
  }

  /** Histogram bins per parameter tensor in the inspector. */
  get histogramBins(): number {
    return clampInt(this.section.get<number>('inspector.histogramBins', 40), 5, 256);
  }

  /** Models with more trainable parameters than this are not run by the engine. */
  get maxParameters(): number {
    return clampInt(this.section.get<number>('limits.maxParameters', DEFAULT_MAX_PARAMETERS), 1, 1_000_000_000);
  }

  /** Milliseconds to wait after an edit before re-checking a model file and refreshing its inspector. */
  get refreshDelayMs(): number {
    return clampInt(this.section.get<number>('inspector.refreshDelayMs', 400), 0, 10_000);
  }

  /** Optimizer steps per Train run (until the model file gives its own). */
  get trainSteps(): number {
    return clampInt(this.section.get<number>('train.steps', 500), 1, 10_000_000);
  }

  get trainBatchSize(): number {
    return clampInt(this.section.get<number>('train.batchSize', 32), 1, 65_536);
  }

  /** Where runs are stored: a folder (absolute or workspace-relative), or '' for the extension's workspace storage. */
  get runsFolder(): string {
    return this.section.get<string>('runs.folder', '').trim();
  }

  /** Histogram bins of a run's snapshots. */
  get snapshotBins(): number {
    return clampInt(this.section.get<number>('train.snapshotBins', 32), 4, 256);
  }

  /** Memory bound of a run's snapshots in the engine, in bytes. */
  get maxSnapshotBytes(): number {
    return clampInt(this.section.get<number>('train.maxSnapshotMB', 32), 1, 4096) * 1024 * 1024;
  }

  /** Validation loss every this many steps. */
  get validationEvery(): number {
    return clampInt(this.section.get<number>('train.validationEvery', 50), 1, 1_000_000);
  }

  static affects(event: vscode.ConfigurationChangeEvent, key: string): boolean {
    return event.affectsConfiguration(`weightscope.${key}`);
  }
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}
