/**
 * Every message that crosses a process or frame boundary in Weightscope:
 *
 *   extension host  ⇄  engine worker   (worker_threads; `Engine*` types)
 *   extension host  ⇄  webviews         (postMessage; `HostTo*` / `*ToHost` types)
 *
 * The extension, the worker and the webviews import this module and the
 * engine's plain-data types; they never import each other's code.
 */
import type { Dataset } from '../engine/data/dataset';
import type { ChainModelSpec, ModelSpec, RunnableModelSpec } from '../engine/model/spec';
import type { ModelDiagnostic } from '../engine/model/diagnostic';
import type { Located } from '../engine/model/located';
import type { InitInspection, ModuleSummary } from '../engine/inspect/types';
import type { InspectionProgress } from '../engine/inspect/inspectInit';
import type { SignalReport } from '../engine/inspect/signal';
import type { CompareReport } from '../engine/inspect/compare';
import type { LossPoint, NonFiniteReport, RunStep, Snapshot } from '../engine/run/types';
import type { RecordingInfo, RunMeta } from '../engine/run/format';
import type { RefusalCode } from '../engine/io/confine';
import type { CheckpointReport, DriftReport, ModelComparison } from '../engine/checkpoint/report';

// ---------------------------------------------------------------------------
// Extension host ⇄ engine worker

/** Initial values by `state_dict` name, loaded by the extension from the model's `init_from`. */
export type CheckpointValues = Record<string, { shape: number[]; data: ArrayLike<number> }>;

export interface LoadResourcesParams {
  model: ModelSpec;
  /** The located tree of the model file, so that problems point at the key that names the file. */
  tree?: Located;
  /** The bytes of each file of `resourcePaths(model)`, or why it could not be read (`code`: it was refused, see engine/io/confine.ts). */
  files: Record<string, Uint8Array | { error: string; code?: RefusalCode }>;
}

export interface LoadedResources {
  /** The model's data (its default synthetic task when it names none, or when its files failed); absent when the engine cannot run the model. */
  dataset?: Dataset;
  checkpoint?: CheckpointValues;
  /** Problems with the files, each on the key that names the file. */
  diagnostics: ModelDiagnostic[];
}

export interface InspectInitParams {
  model: ModelSpec;
  /** Histogram bins per parameter tensor. */
  bins: number;
  checkpoint?: CheckpointValues;
}

export interface SignalParams {
  model: RunnableModelSpec;
  /** The model's data, loaded by the extension (absent: the engine's default synthetic task). */
  dataset?: Dataset;
  /** The model's `init_from` values: the signal of those weights, not of a fresh draw. */
  checkpoint?: CheckpointValues;
}

export interface CompareParams {
  model: ChainModelSpec;
  bins: number;
  /** How many seeds, from the model's own seed on. */
  seeds: number;
  dataset?: Dataset;
}

export interface TrainParams {
  model: RunnableModelSpec;
  steps: number;
  batchSize: number;
  /** The model's data, loaded by the extension (absent: the engine's default synthetic task). */
  dataset?: Dataset;
  checkpoint?: CheckpointValues;
  /** Least time between two progress messages, in milliseconds. */
  progressIntervalMs: number;
  /**
   * Record the run: trace every step and stream its records with the
   * progress messages (batched: one message per interval, whatever the step rate).
   */
  record?: {
    /** Histogram bins of the snapshots. */
    bins: number;
    /** Memory bound of the snapshots kept by the worker, in bytes. */
    maxSnapshotBytes: number;
    /** Measure the validation loss every this many steps. */
    validationEvery: number;
    /** Step records per progress message for live charts (every step still goes into `lines`). */
    liveSteps: number;
    /** The run's size cap in bytes (weightscope.runs.maxRunMB): past it, `lines` holds losses only. */
    maxRunBytes: number;
  };
}

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  gradNorm: number;
  /**
   * With `record`: the steps since the previous progress message. `lines` holds what the run file keeps of
   * them (full records by the recording policy, a loss line for each other step), already encoded as
   * steps.jsonl lines (encoding in the worker keeps the extension host's main thread free); `steps` is a
   * thinned selection of the steps (at most `liveSteps`, always the latest) for a live chart, and
   * `snapshots` every snapshot among them; `recording` says how the lines were thinned so far.
   */
  records?: { lines: string; steps: RunStep[]; snapshots: Snapshot[]; lastStep: number; recording: RecordingInfo };
}

export interface TrainResult {
  /** Steps taken (fewer than asked when stopped). */
  steps: number;
  stoppedBy: 'completed' | 'cancelled' | 'non-finite';
  /** Why training stopped early, in words (e.g. "loss is NaN at step 41"). */
  reason?: string;
  /** Loss per step, averaged into at most 1,000 points (`lossEvery` steps each). */
  losses: number[];
  lossEvery: number;
  firstLoss: number;
  lastLoss: number;
  elapsedMs: number;
  dataset: string;
  /** Where the first NaN/Inf appeared (stoppedBy 'non-finite', with a recorded run). */
  nonFinite?: NonFiniteReport;
}

/**
 * A checkpoint file for the worker to read: a local path (read with positional
 * reads, a chunk at a time), or the bytes the extension read through VS Code's
 * file system API (virtual workspaces). `root` confines the files a sharded
 * index names (the workspace folder, or the checkpoint's folder).
 */
export type CheckpointSource = { path: string; name: string; root: string } | { bytes: Uint8Array; name: string };

export interface ReadCheckpointParams {
  file: CheckpointSource;
  bins: number;
}

export interface CheckpointDriftParams {
  file: CheckpointSource;
  initial: CheckpointSource;
  bins: number;
}

export interface CheckpointProgress {
  done: number;
  total: number;
  /** The tensor just summarized. */
  name: string;
}

export interface CheckpointModelsParams {
  tensors: CheckpointReport['tensors'];
  /** Candidate models of the workspace: a model's URI (a .py model's with its name as fragment), its name and spec. */
  models: { uri: string; name: string; spec: ModelSpec }[];
}

/** Per candidate: why it is not the checkpoint's model ([] when it is), and for a match, each tensor against its initializer. */
export type CheckpointModelMatch = { uri: string; name: string; problems: string[]; comparison?: ModelComparison };

/** Method name → its parameters, result, and (for long methods) progress reports. */
export interface EngineMethods {
  ping: { params: Record<string, never>; result: { engineVersion: string }; progress: never };
  loadResources: { params: LoadResourcesParams; result: LoadedResources; progress: never };
  inspectInit: { params: InspectInitParams; result: InitInspection; progress: InspectionProgress };
  measureSignal: { params: SignalParams; result: SignalReport; progress: never };
  compareInit: { params: CompareParams; result: CompareReport; progress: never };
  train: { params: TrainParams; result: TrainResult; progress: TrainProgress };
  readCheckpoint: { params: ReadCheckpointParams; result: CheckpointReport; progress: CheckpointProgress };
  checkpointDrift: { params: CheckpointDriftParams; result: DriftReport; progress: CheckpointProgress };
  checkpointModels: { params: CheckpointModelsParams; result: CheckpointModelMatch[]; progress: never };
}

export type EngineMethod = keyof EngineMethods;

/** The error name with which a worker handler answers when it stopped because the request was cancelled. */
export const CANCELLED_IN_WORKER = 'Cancelled';

export type EngineRequest = {
  [M in EngineMethod]: { kind: 'request'; id: number; method: M; params: EngineMethods[M]['params'] };
}[EngineMethod];

/** Asks the worker to stop request `id` at its next step boundary; it then answers with what it has. */
export interface EngineCancel {
  kind: 'cancel';
  id: number;
}

export type EngineToWorker = EngineRequest | EngineCancel;

export type EngineResponse =
  | { kind: 'result'; id: number; result: EngineMethods[EngineMethod]['result'] }
  | { kind: 'progress'; id: number; progress: EngineMethods[EngineMethod]['progress'] }
  | { kind: 'error'; id: number; message: string; name: string };

// ---------------------------------------------------------------------------
// Extension host ⇄ inspector panel (a WebviewPanel per model)

export interface ModelRef {
  /** The model file's URI, as a string. */
  uri: string;
  name: string;
}

/** A section of the inspector that the engine fills after the initial weights: its result, or why it has none. */
export type Section<T> = { status: 'loading' } | { status: 'ready'; report: T } | { status: 'error'; message: string };

export type HostToInspector =
  | { type: 'loading'; model: ModelRef }
  | { type: 'initInspection'; model: ModelRef; inspection: InitInspection; notes: string[] }
  | { type: 'signal'; model: ModelRef; signal: Section<SignalReport> }
  | { type: 'compare'; model: ModelRef; compare: Section<CompareReport> }
  | { type: 'error'; model: ModelRef | null; message: string };

export type InspectorTab = 'weights' | 'signal' | 'compare';

/** A file the webview asks the host to save (after a save dialog): text, or base64 for binary formats. */
export interface ExportRequest {
  type: 'export';
  /** Suggested file name, e.g. `SimpleModel-fc1.weight.svg`. */
  fileName: string;
  content: string;
  encoding: 'utf8' | 'base64';
}

export type InspectorToHost =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'openSource' }
  | { type: 'compare'; seeds: number }
  | ExportRequest;

/** What the inspector persists with `vscode.setState`, and the panel serializer reads back after a reload. */
export interface InspectorState {
  model: ModelRef;
  selectedParameter?: string;
  tab?: InspectorTab;
  /** Seeds of the compare view. */
  seeds?: number;
  /** The Weights tab's filter, module and open tensor. */
  weights?: WeightsViewState;
}

/** What the Weights tab shows: rows whose name contains `filter`, in the module at `module` ('' for all), and the open tensor's detail. */
export interface WeightsViewState {
  filter?: string;
  module?: string;
  open?: string;
}

// ---------------------------------------------------------------------------
// Extension host ⇄ side panel (the activity-bar WebviewView)

export interface ModelOverview {
  model: ModelRef;
  parameterCount: number;
  layers: { label: string; parameters: number }[];
  /** The module tree with each module's parameter count (absent when the model could not be read). */
  modules?: ModuleSummary;
  problems: { errors: number; warnings: number };
}

/** The signal through depth in brief, for the side panel: the verdict, and each layer's activation std. */
export interface SignalGlance {
  verdict: string;
  kind: string;
  layers: { name: string; kind: string; std: number; deadFraction?: number; saturatedFraction?: number }[];
}

export type HostToSidebar =
  | { type: 'overview'; overview: ModelOverview | null; reason?: string }
  | { type: 'signal'; uri: string; signal: Section<SignalGlance> }
  /** The saved training runs (newest first), for the side panel's Runs section. */
  | { type: 'runs'; runs: SidebarRun[] };

export interface SidebarRun {
  id: string;
  name: string;
  model: string;
  status: string;
  steps: number;
  createdAt: string;
}

export type SidebarToHost =
  | { type: 'ready' }
  | { type: 'inspect'; uri: string }
  | { type: 'openExample' }
  | { type: 'train'; uri: string }
  | { type: 'openRun'; id: string }
  | { type: 'renameRun'; id: string }
  | { type: 'deleteRun'; id: string }
  | { type: 'exportRun'; id: string };

// ---------------------------------------------------------------------------
// Extension host ⇄ training panel (a WebviewPanel per model)

/** A run as the panel and the run list see it. */
export interface RunSummary {
  meta: RunMeta;
  /** The runs folder's URI of this run, as a string. */
  uri: string;
}

export type HostToTraining =
  /**
   * Everything the panel shows, e.g. after a (re)load: the runs of this model, and their records so far
   * (at most a few thousand steps per run, evenly thinned; every snapshot).
   */
  | { type: 'runs'; model: ModelRef; runs: { summary: RunSummary; steps: RunStep[]; snapshots: Snapshot[]; losses: LossPoint[] }[]; live: string[] }
  /** New records of a run that is training. */
  | { type: 'append'; runId: string; steps: RunStep[]; snapshots: Snapshot[] }
  /**
   * What the run file holds for one step (the panel holds a thinned list of a long run's steps): its full
   * record (`exact`), or, when the run did not keep it, the nearest kept record and the step's own loss.
   */
  | { type: 'stepDetail'; runId: string; step: number; record: RunStep; exact: boolean; loss?: LossPoint }
  /** A run's metadata changed (it ended, was renamed). */
  | { type: 'meta'; summary: RunSummary }
  | { type: 'error'; message: string };

export type TrainingToHost =
  | { type: 'ready' }
  | { type: 'train' }
  | { type: 'compare' }
  | { type: 'stop' }
  | { type: 'stepDetail'; runId: string; step: number }
  | { type: 'export'; runId: string; format: 'csv' | 'json' | 'html' | 'torch' }
  | { type: 'openSource' };

/** What the training panel persists with `setState`; the serializer reads it back after a reload. */
export interface TrainingPanelState {
  model: ModelRef;
  selectedRun?: string;
  step?: number;
  layer?: string;
  /** The module selected in the heat map, and the modules open in the table of terms. */
  module?: string;
  open?: string[];
  /** The heat map's rows. */
  heatRows?: 'tensor' | 'module';
}

// ---------------------------------------------------------------------------
// Extension host ⇄ checkpoint editor (a custom read-only editor per checkpoint file)

/** Which model of the workspace the checkpoint is the state_dict of. */
export type CheckpointModelState =
  | { status: 'searching' }
  /** No model file of the workspace has these names and shapes; `closest` says why the nearest one does not. */
  | { status: 'none'; candidates: number; closest?: { name: string; problems: string[] } }
  /** Several match and none was picked yet. */
  | { status: 'several'; matches: { uri: string; name: string }[] }
  | { status: 'matched'; model: { uri: string; name: string }; comparison: ModelComparison; /** Other matching models the user could pick. */ others: number };

/** The initial checkpoint the drift is measured from, and where the choice came from. */
export type CheckpointDriftState =
  | { status: 'none' }
  | { status: 'loading'; initial: string; origin: 'chosen' | 'init_from'; done?: number; total?: number }
  | { status: 'ready'; initial: string; origin: 'chosen' | 'init_from'; drift: DriftReport }
  | { status: 'error'; initial: string; message: string };

export type HostToCheckpoint =
  | { type: 'progress'; file: string; done: number; total: number; name: string }
  | { type: 'report'; report: CheckpointReport }
  | { type: 'error'; file: string; message: string }
  | { type: 'model'; model: CheckpointModelState }
  | { type: 'drift'; drift: CheckpointDriftState };

export type CheckpointToHost =
  | { type: 'ready' }
  | { type: 'cancel' }
  | { type: 'retry' }
  /** Pick one of several matching models (or ask for a quick pick of them, without a URI). */
  | { type: 'pickModel'; uri?: string }
  | { type: 'openModel' }
  /** Choose the initial checkpoint to compare with (a file dialog). */
  | { type: 'chooseInitial' }
  | { type: 'clearInitial' };

/** What the checkpoint editor persists with `setState`. */
export interface CheckpointViewState {
  filter?: string;
  module?: string;
  open?: string;
}
