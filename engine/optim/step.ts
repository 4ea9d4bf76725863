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
import type { FloatArray } from '../tensor/dtype';
import { needOf, type CollectingSink, type StepTrace, type TermSums } from './trace';
import type { GradientTransformation, Params } from './transform';

export interface StepResult<S> {
  state: S;
  /** Present when a tracer was given. */
  trace?: StepTrace;
}

/**
 * `gradSquares`, optional: Σg² of each gradient, when the caller has summed
 * them anyway (the Trainer does, for the gradient norm and its NaN check); a
 * sink that takes sums then gets the gradients' norms without another pass.
 */
export function step<S>(
  tx: GradientTransformation<S>, params: Params, grads: Params, state: S, tracer?: CollectingSink, gradSquares?: Readonly<Record<string, number>>,
): StepResult<S> {
  checkGrads(params, grads);
  if (tracer) for (const name of Object.keys(grads)) traceGrad(tracer, name, grads[name]!, gradSquares?.[name]);
  const { updates, state: next } = tx.update(grads, state, params, tracer);
  applyUpdates(params, updates, tracer);
  return tracer ? { state: next, trace: tracer.collect() } : { state: next };
}

const gradSums: TermSums = { count: 0, sum: NaN, sumSq: 0, min: NaN, max: NaN };

function traceGrad(tracer: CollectingSink, name: string, g: FloatArray, sumSq: number | undefined): void {
  if (sumSq !== undefined && tracer.sums && needOf(tracer, 'grad') === 'norm') {
    gradSums.count = g.length;
    gradSums.sumSq = sumSq;
    if (tracer.sums(name, 'grad', gradSums)) return;
  }
  tracer.tensor(name, 'grad', g);
}

/** Every gradient has a parameter of the same length and dtype. */
function checkGrads(params: Params, grads: Params): void {
  for (const [name, g] of Object.entries(grads)) {
    const p = params[name];
    if (!p) throw new Error(`gradient for unknown parameter '${name}'`);
    if (g.length !== p.length || g.constructor !== p.constructor) {
      throw new Error(`gradient of '${name}' is a ${g.constructor.name}(${g.length}), its parameter a ${p.constructor.name}(${p.length})`);
    }
  }
}
