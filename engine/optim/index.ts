/**
 * Optimizers as composable gradient transformations (optax's design), equal
 * to torch 1.13's CPU optimizers bit for bit in float32 and float64.
 *
 *     import { adamw, noDecayBiasAndNorm, step, Tracer } from '../optim';
 *     const tx = adamw({ lr: 1e-3, weightDecay: 0.01, mask: noDecayBiasAndNorm() });
 *     let state = tx.init(params);                        // params: { 'fc1.weight': Float32Array, … }
 *     ({ state } = step(tx, params, grads, state));       // θ updated in place
 *     const { trace } = step(tx, params, grads, state, new Tracer({ histogram: { bins: 40 } }));
 *
 * transform.ts explains the model (updates as separate, observable terms),
 * float32.ts the rounding, trace.ts what a trace holds.
 */
export {
  chain,
  stateless,
  mapUpdates,
  asTerms,
  scaleUpdate,
  zerosLike,
  type GradientTransformation,
  type Params,
  type Term,
  type Update,
  type Updates,
} from './transform';
export { applyUpdates, evaluateUpdate } from './apply';
export { scaleByAdam, type AdamOptions, type AdamState, type AdamParamState } from './adam';
export { addDecayedWeights, addL2 } from './decay';
export { scale, scaleBySchedule, scaleByLearningRate, maximize } from './scale';
export { traceMomentum, type MomentumOptions } from './momentum';
export { constantSchedule, linearWarmup, cosineDecay, stepDecay, exponentialDecay, warmupCosine, type Schedule } from './schedules';
export { decayAll, decayOnly, decayExcept, noDecayBiasAndNorm, isNormModuleName, type Mask, type NoDecayOptions } from './masks';
export { adamw, adam, type AdamWOptions } from './adamw';
export { sgd, type SgdOptions } from './sgd';
export { paramGroups, type ParamGroup, type GroupsState } from './groups';
export { Tracer, StepCollector, updateToWeight, decayShare, type CollectingSink, type TraceSink, type TraceOptions, type TermNeed, type TermSums, needOf, takesSums, type StepTrace, type ParamTrace, type TermTrace } from './trace';
export { step, type StepResult } from './step';
export { checkAdamArgs, checkSgdArgs, pyFloat } from './validate';
export { fma32, fma64, fround, FLOAT32_FUSED, FLOAT32_UNFUSED, FLOAT64, type Arithmetic } from './float32';
export { powInt } from './pow';
