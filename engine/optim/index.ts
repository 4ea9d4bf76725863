/**
 * Optimizers as composable gradient transformations (optax's design), exact
 * to torch 1.13's CPU optimizers in float32. See transform.ts for the model.
 */
export { chain, stateless, type GradientTransformation, type Params, type Term, type Update, type Updates } from './transform';
export { applyUpdates } from './apply';
export { scaleByAdam, type AdamOptions, type AdamState } from './adam';
export { addDecayedWeights, addL2 } from './decay';
export { scale, scaleBySchedule, scaleByLearningRate, maximize } from './scale';
export { constantSchedule, linearWarmup, cosineDecay, stepDecay, exponentialDecay, warmupCosine, type Schedule } from './schedules';
export { decayAll, decayOnly, decayExcept, noDecayBiasAndNorm, isNormModuleName, type Mask } from './masks';
export { adamw, adam, type AdamWOptions } from './adamw';
export { Tracer, type TraceSink, type TraceOptions, type StepTrace, type ParamTrace, type TermTrace } from './trace';
export { step, type StepResult } from './step';
export { traceMomentum, type MomentumOptions } from './momentum';
export { sgd, type SgdOptions } from './sgd';
export { paramGroups, type ParamGroup, type GroupsState } from './groups';
export { checkAdamArgs, checkSgdArgs, pyFloat } from './validate';
export { fma32, fround, type Arithmetic } from './float32';
export { powInt } from './pow';
