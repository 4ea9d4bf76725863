/**
 * Training runs: per-step records of every AdamW term per layer, snapshots,
 * NaN/Inf detection, effective decay rates, and the run file format.
 */
export * from './types';
export { TrainingRun, type RunOptions, type Advance } from './session';
export { RunTracing } from './runTracing';
export { RunRecorder, nearestSnapshot, snapshotBytes, type RecorderOptions } from './recorder';
export { recordStep, snapshotOf, type StepContext } from './record';
export { findNonFinite, nonFiniteBeforeStep } from './nonFinite';
export { decaySemantics, effectiveDecay, type DecaySemantics } from './decay';
export { StatsTracer, SnapshotTracer, fastSummary, normSummary } from './statsTracer';
export { splitValidation } from './split';
export {
  RUN_FORMAT, RUN_FORMAT_VERSION, RUN_META_FILE, RUN_STEPS_FILE, RunFormatError,
  runMetaFor, encodeRunMeta, encodeStepLine, encodeSnapshotLine, encodeLossLine, storedNumber, STORED_DIGITS, parseRunMeta, parseSteps, parseRun, runData, thinnedSteps, stepsSegmentName, stepsSegmentIndex,
  emptyParsedSteps, lossSeries, StepsParser,
  type RunMeta, type RunData, type ParsedSteps, type RunStatus, type MetaInput, type RecordingInfo, type RunWriterInfo,
} from './format';
export { RecordingPolicy, onFullRecordSchedule, DEFAULT_DENSE_STEPS, DEFAULT_MAX_RUN_MB, type RecordingOptions } from './recordingPolicy';
export { interruption, withLiveness, STALE_AFTER_MS, type LivenessProbe } from './liveness';
export { readStepsStream, extendIndex, lookUpStep, forEachLine, bytesSource, StepIndex, type ByteSource, type StepLookup, type LinePosition } from './runStream';
export { compareRuns, newRunId } from './runId';
export { optimizerVariants, biasAndNormPatterns, type OptimizerVariant } from './variants';
export { runToCsv, runToJson, runToHtml } from './export';
export { torchScript } from './torchScript';
export { rollUp, rollupRows, moduleOf, tensorsUnder, type RolledUpStep, type GroupTensor, type RollupRow } from './rollup';
export { ratioGrid, binRecords, type RatioGrid, type GridColumn } from './ratioGrid';
