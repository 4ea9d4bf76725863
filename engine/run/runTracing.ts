/**
 * What a traced run does around each optimizer step: which sink traces the
 * step (the light StatsTracer, or at snapshot steps the SnapshotTracer with
 * histograms), and what its trace becomes: the step's record, kept by the
 * recorder, a snapshot at snapshot steps, and the first NaN/Inf if any.
 * TrainingRun uses it for every traced step; the benchmarks use it to trace
 * exactly as the training panel's runs do.
 */
import type { CollectingSink, StepTrace } from '../optim/trace';
import type { DecaySemantics } from './decay';
import { findNonFinite } from './nonFinite';
import { recordStep, snapshotOf, type StepContext } from './record';
import type { RunRecorder } from './recorder';
import { SnapshotTracer, StatsTracer } from './statsTracer';
import type { NonFiniteReport, RunStep, Snapshot } from './types';

export interface Advance {
  step: RunStep;
  snapshot?: Snapshot;
  /** Set when the step produced a NaN/Inf; the run is then done. */
  stopped?: NonFiniteReport;
}

export class RunTracing {
  private readonly light = new StatsTracer();
  private readonly snapshots: SnapshotTracer;

  /** `bins`: histogram bins of the snapshots. */
  constructor(readonly recorder: RunRecorder, readonly decay: DecaySemantics, bins = 32) {
    this.snapshots = new SnapshotTracer(bins);
  }

  /** Whether step t (1-based) is a snapshot step: on the recorder's log-spaced schedule, or the run's last. */
  isSnapshotStep(t: number, last: boolean): boolean {
    return last || this.recorder.wantsSnapshot(t);
  }

  sink(snapshotStep: boolean): CollectingSink {
    return snapshotStep ? this.snapshots : this.light;
  }

  /** The traced step's record (kept by the recorder), its snapshot at a snapshot step, and the first NaN/Inf. */
  record(trace: StepTrace, context: StepContext, snapshotStep: boolean): Advance {
    const step = recordStep(trace, context);
    this.recorder.addStep(step);
    const out: Advance = { step };
    if (snapshotStep) {
      out.snapshot = snapshotOf(context.step, trace);
      this.recorder.addSnapshot(out.snapshot);
    }
    const bad = findNonFinite(context.step, trace, this.decay);
    if (bad) out.stopped = bad;
    return out;
  }
}
