/**
 * Training in the worker: steps in chunks of about `progressIntervalMs`,
 * reporting progress after each chunk and yielding to the event loop so that
 * a cancel request is seen (and so that several requests, a comparison of
 * optimizers, advance in turn). With `record`, every step is traced and its
 * records travel with the next progress message: the message rate is bounded
 * by the interval, not by the step rate. A cancelled or diverged run answers
 * with the steps it took, never with nothing.
 */
import type { TrainParams, TrainProgress, TrainResult } from '../protocol/messages';
import { TrainingRun } from '../engine/run/session';
import { encodeSnapshotLine, encodeStepLine } from '../engine/run/format';
import type { NonFiniteReport, RunStep, Snapshot } from '../engine/run/types';
import type { HandlerContext } from './handlers';
import { sizeProblem } from '../engine/model/memory';

const MAX_LOSS_POINTS = 1000;

export async function train(params: TrainParams, ctx: HandlerContext<TrainProgress>): Promise<TrainResult> {
  const started = performance.now();
  const record = params.record;
  // The model was sized when its file was read; the batch of the settings may still not fit (engine/model/memory.ts).
  const tooLarge = sizeProblem(params.model, 'train', {}, params.batchSize);
  if (tooLarge) throw new Error(tooLarge);
  const run = new TrainingRun(params.model, {
    steps: params.steps,
    batchSize: params.batchSize,
    trace: record !== undefined,
    ...(params.dataset ? { dataset: params.dataset } : {}),
    ...(params.checkpoint ? { checkpoint: new Map(Object.entries(params.checkpoint)) } : {}),
    // The records stream to the extension, which stores them; the worker keeps no step (its memory stays flat).
    ...(record ? {} : { recorder: { keepSteps: false } }),
    ...(record ? { bins: record.bins, validationEvery: record.validationEvery, recorder: { maxSnapshotBytes: record.maxSnapshotBytes, keepSteps: false } } : {}),
  });
  // Average the loss over `every` consecutive steps so that the curve has at most MAX_LOSS_POINTS points.
  const every = Math.max(1, Math.ceil(params.steps / MAX_LOSS_POINTS));
  const losses: number[] = [];
  let sum = 0;
  let firstLoss = NaN;
  let lastLoss = NaN;
  let stoppedBy: TrainResult['stoppedBy'] = 'completed';
  let reason: string | undefined;
  let nonFinite: NonFiniteReport | undefined;

  while (!run.done) {
    const chunkEnd = performance.now() + params.progressIntervalMs;
    let gradNorm = 0;
    const steps: RunStep[] = [];
    const snapshots: Snapshot[] = [];
    let lines = '';
    do {
      const r = run.advance();
      if (record) {
        steps.push(r.step);
        lines += encodeStepLine(r.step);
        if (r.snapshot) {
          snapshots.push(r.snapshot);
          lines += encodeSnapshotLine(r.snapshot);
        }
      }
      if (r.stopped) {
        stoppedBy = 'non-finite';
        nonFinite = r.stopped;
        reason = r.stopped.message;
        break;
      }
      if (r.step.step === 1) firstLoss = r.step.loss;
      lastLoss = r.step.loss;
      gradNorm = r.step.gradNorm;
      sum += r.step.loss;
      if (r.step.step % every === 0) {
        losses.push(sum / every);
        sum = 0;
      }
    } while (!run.done && performance.now() < chunkEnd);
    const progress: TrainProgress = { step: run.stepCount, steps: params.steps, loss: lastLoss, gradNorm };
    if (record && steps.length > 0) progress.records = { lines, steps: thin(steps, record.liveSteps), snapshots, lastStep: steps.at(-1)!.step };
    ctx.progress(progress);
    if (stoppedBy === 'non-finite') break;
    await ctx.yieldToEvents();
    if (ctx.cancelled()) {
      stoppedBy = 'cancelled';
      reason = `stopped at step ${run.stepCount} of ${params.steps}`;
      break;
    }
  }
  const result: TrainResult = {
    steps: run.stepCount, stoppedBy, losses, lossEvery: every, firstLoss, lastLoss,
    elapsedMs: performance.now() - started, dataset: run.trainer.dataset.description,
  };
  if (reason) result.reason = reason;
  if (nonFinite) result.nonFinite = nonFinite;
  return result;
}

/** At most `max` of the steps, evenly spaced, always with the latest. */
export function thin(steps: RunStep[], max: number): RunStep[] {
  if (steps.length <= max) return steps;
  const k = Math.ceil(steps.length / Math.max(1, max));
  const out = steps.filter((_, i) => (steps.length - 1 - i) % k === 0);
  return out;
}
