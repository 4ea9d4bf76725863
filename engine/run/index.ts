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
  runMetaFor, encodeRunMeta, encodeStepLine, encodeSnapshotLine, storedNumber, STORED_DIGITS, parseRunMeta, parseSteps, parseRun, runData, thinnedSteps, stepsSegmentName, stepsSegmentIndex,
  type RunMeta, type RunData, type ParsedSteps, type RunStatus, type MetaInput,
} from './format';
export { compareRuns, newRunId } from './runId';
export { optimizerVariants, biasAndNormPatterns, type OptimizerVariant } from './variants';
export { runToCsv, runToJson, runToHtml } from './export';
export { torchScript } from './torchScript';
