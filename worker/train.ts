/**
 * Training in the worker: steps in chunks of about `progressIntervalMs`,
 * reporting progress after each chunk and yielding to the event loop so that
 * a cancel request is seen. A cancelled or diverged run answers with the
 * steps it took, never with nothing.
 */
import type { TrainParams, TrainProgress, TrainResult } from '../protocol/messages';
import { NonFiniteError, Trainer } from '../engine/train/trainer';
import type { HandlerContext } from './handlers';

const MAX_LOSS_POINTS = 1000;

export async function train(params: TrainParams, ctx: HandlerContext<TrainProgress>): Promise<TrainResult> {
  const started = performance.now();
  const trainer = new Trainer(params.model, {
    batchSize: params.batchSize,
    ...(params.dataset ? { dataset: params.dataset } : {}),
    ...(params.checkpoint ? { checkpoint: new Map(Object.entries(params.checkpoint)) } : {}),
  });
  // Average the loss over `every` consecutive steps so that the curve has at most MAX_LOSS_POINTS points.
  const every = Math.max(1, Math.ceil(params.steps / MAX_LOSS_POINTS));
  const losses: number[] = [];
  let sum = 0;
  let firstLoss = NaN;
  let lastLoss = NaN;
  let stoppedBy: TrainResult['stoppedBy'] = 'completed';
  let reason: string | undefined;

  while (trainer.stepCount < params.steps) {
    const chunkEnd = performance.now() + params.progressIntervalMs;
    let gradNorm = 0;
    try {
      do {
        const r = trainer.step();
        if (r.step === 1) firstLoss = r.loss;
        lastLoss = r.loss;
        gradNorm = r.gradNorm;
        sum += r.loss;
        if (r.step % every === 0) {
          losses.push(sum / every);
          sum = 0;
        }
      } while (trainer.stepCount < params.steps && performance.now() < chunkEnd);
    } catch (err) {
      if (!(err instanceof NonFiniteError)) throw err;
      stoppedBy = 'non-finite';
      reason = err.message;
      break;
    }
    ctx.progress({ step: trainer.stepCount, steps: params.steps, loss: lastLoss, gradNorm });
    await ctx.yieldToEvents();
    if (ctx.cancelled()) {
      stoppedBy = 'cancelled';
      reason = `stopped at step ${trainer.stepCount} of ${params.steps}`;
      break;
    }
  }
  const result: TrainResult = {
    steps: trainer.stepCount, stoppedBy, losses, lossEvery: every, firstLoss, lastLoss,
    elapsedMs: performance.now() - started, dataset: trainer.dataset.description,
  };
  if (reason) result.reason = reason;
  return result;
}
