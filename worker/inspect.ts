/**
 * Initialization inspection in the worker: the engine's inspection one tensor
 * at a time, reporting progress and letting a cancel request in at most every
 * `YIELD_MS` (GPT-2 small's 148 tensors take seconds; an edit to the model
 * file cancels the inspection of the old text, which should stop at the next
 * tensor rather than run on or get the worker restarted).
 */
import type { InitInspection } from '../engine/inspect/types';
import { inspectionSteps, type InspectionProgress } from '../engine/inspect/inspectInit';
import { CANCELLED_IN_WORKER, type InspectInitParams } from '../protocol/messages';
import type { HandlerContext } from './handlers';

const YIELD_MS = 100;

/** Thrown when the extension cancelled the request (the client has already settled it). */
export class InspectionCancelled extends Error {
  override name = CANCELLED_IN_WORKER;
}

export async function inspectInit(params: InspectInitParams, ctx: HandlerContext<InspectionProgress>, yieldMs = YIELD_MS): Promise<InitInspection> {
  const { model, bins, checkpoint } = params;
  const steps = inspectionSteps(model, { bins }, checkpoint ? new Map(Object.entries(checkpoint)) : undefined);
  let lastYield = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - lastYield < yieldMs) continue;
    ctx.progress(next.value);
    await ctx.yieldToEvents();
    if (ctx.cancelled()) throw new InspectionCancelled(`inspection stopped after ${next.value.done} of ${next.value.total} tensors`);
    lastYield = performance.now();
  }
}
