/**
 * One optimizer step: transform the gradients, then add the updates to the
 * parameters in place. With a `Tracer`, the step also returns every term.
 *
 *     const tx = adamw({ lr: 1e-3, weightDecay: 0.01 });
 *     let state = tx.init(params);
 *     const tracer = new Tracer({ histogram: { bins: 40 } });   // optional
 *     ({ state } = step(tx, params, grads, state));              // untraced
 *     const { state: s2, trace } = step(tx, params, grads, state, tracer);
 *     trace['fc1.weight'].terms['update.decay'].l2Norm
 */
import { applyUpdates } from './apply';
import type { StepTrace, Tracer } from './trace';
import type { GradientTransformation, Params } from './transform';

export interface StepResult<S> {
  state: S;
  /** Present when a tracer was given. */
  trace?: StepTrace;
}

export function step<S>(tx: GradientTransformation<S>, params: Params, grads: Params, state: S, tracer?: Tracer): StepResult<S> {
  if (tracer) for (const name of Object.keys(grads)) tracer.tensor(name, 'grad', grads[name]!);
  const { updates, state: next } = tx.update(grads, state, params, tracer);
  applyUpdates(params, updates, tracer);
  return tracer ? { state: next, trace: tracer.collect() } : { state: next };
}
