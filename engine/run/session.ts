/**
 * A training run: the Trainer stepping the model, every step traced as
 * RunTracing does (the light StatsTracer, snapshot steps with histograms,
 * each step turned into a RunStep, NaN/Inf caught at the first step and
 * tensor where it appears), the validation loss measured now and then, and
 * everything kept by a RunRecorder.
 *
 *     const run = new TrainingRun(spec, { steps: 1000 });
 *     while (!run.done) { const { step, snapshot, stopped } = run.advance(); … }
 */
import type { Dataset } from '../data/dataset';
import type { InitialValues } from '../model/initialize';
import type { RunnableModelSpec } from '../model/spec';
import type { DType } from '../tensor/dtype';
import { defaultDataset, DEFAULT_BATCH_SIZE } from '../train/defaults';
import { NonFiniteError, Trainer } from '../train/trainer';
import { decaySemantics, type DecaySemantics } from './decay';
import { nonFiniteBeforeStep } from './nonFinite';
import { RunRecorder, type RecorderOptions } from './recorder';
import { splitValidation } from './split';
import { RunTracing, type Advance } from './runTracing';
import type { NonFiniteReport, RunStep } from './types';

export interface RunOptions {
  steps: number;
  batchSize?: number;
  dataset?: Dataset;
  checkpoint?: InitialValues;
  dtype?: DType;
  /** Fraction held out for the validation loss (default: the model file's, else 0). */
  validationSplit?: number;
  /** Measure the validation loss every this many steps (default 50), and at snapshot steps and the last step. */
  validationEvery?: number;
  /** Histogram bins of the snapshots (default 32). */
  bins?: number;
  /** Trace every step (default true); false runs the bare trainer (for benchmarks and a lighter loop). */
  trace?: boolean;
  recorder?: RecorderOptions;
}

export type { Advance } from './runTracing';

export class TrainingRun {
  readonly trainer: Trainer;
  readonly recorder: RunRecorder;
  readonly decay: DecaySemantics;
  readonly validation: Dataset | null;
  private readonly tracing: RunTracing;
  private failure: NonFiniteReport | undefined;

  constructor(readonly spec: RunnableModelSpec, readonly options: RunOptions) {
    if (!(Number.isInteger(options.steps) && options.steps >= 1)) throw new RangeError(`steps must be a positive integer, got ${options.steps}`);
    const dtype = options.dtype ?? 'float32';
    const { train, validation } = splitValidation(options.dataset ?? defaultDataset(spec, dtype), options.validationSplit ?? spec.training?.validationSplit ?? 0);
    this.validation = validation;
    this.trainer = new Trainer(spec, {
      dataset: train,
      dtype,
      batchSize: options.batchSize ?? spec.training?.batchSize ?? DEFAULT_BATCH_SIZE,
      ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    });
    this.recorder = new RunRecorder(options.recorder);
    this.decay = decaySemantics(spec.optimizer);
    this.tracing = new RunTracing(this.recorder, this.decay, options.bins ?? 32);
  }

  get stepCount(): number {
    return this.trainer.stepCount;
  }

  get done(): boolean {
    return this.failure !== undefined || this.trainer.stepCount >= this.options.steps;
  }

  /** Why the run stopped early, if a value became NaN or infinite. */
  get stopped(): NonFiniteReport | undefined {
    return this.failure;
  }

  /** One step. Throws StepError when the model itself fails (as torch would); a NaN/Inf ends the run with `stopped`. */
  advance(): Advance {
    if (this.done) throw new Error(this.failure ? `the run stopped at step ${this.failure.step}` : `the run has done its ${this.options.steps} steps`);
    const t = this.trainer.stepCount + 1;
    const traced = this.options.trace ?? true;
    const snapshotStep = traced && this.tracing.isSnapshotStep(t, t === this.options.steps);
    let r;
    try {
      r = this.trainer.step(traced ? this.tracing.sink(snapshotStep) : undefined);
    } catch (err) {
      if (!(err instanceof NonFiniteError)) throw err;
      this.failure = nonFiniteBeforeStep(err.step, err.term, err.param, undefined);
      const step = this.emptyStep(err.step, NaN);
      this.recorder.addStep(step);
      return { step, stopped: this.failure };
    }
    const measureValidation = this.validation !== null && (t === 1 || t % (this.options.validationEvery ?? 50) === 0 || snapshotStep || t === this.options.steps);
    const valLoss = measureValidation ? this.trainer.evaluate(this.validation!) : null;
    if (!r.trace) {
      const step = this.emptyStep(r.step, r.loss, r.gradNorm, r.epoch, valLoss);
      this.recorder.addStep(step);
      return { step };
    }
    const out = this.tracing.record(r.trace, { step: r.step, epoch: r.epoch, loss: r.loss, valLoss, gradNorm: r.gradNorm, decay: this.decay }, snapshotStep);
    if (out.stopped) this.failure = out.stopped;
    return out;
  }

  private emptyStep(step: number, loss: number, gradNorm = NaN, epoch = 0, valLoss: number | null = null): RunStep {
    return { step, epoch, loss, valLoss, gradNorm, lr: NaN, biasCorrection1: null, biasCorrection2: null, layers: {} };
  }
}
