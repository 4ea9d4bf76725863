/**
 * torch.nn.init for the engine: every initializer, in place on a DenseTensor,
 * drawing from torch's generator (engine/random) as torch does, and its theoretical distribution for a shape.
 *
 * Naming: functions keep torch's names (xavier_uniform_, kaiming_normal_, …)
 * and take torch's keyword arguments as an options object with torch's
 * defaults: `kaiming_uniform_(w, rng, { a: Math.sqrt(5) })`. dirac_ is not
 * provided: convolutions are out of scope for this product.
 */
export { ValueError, RuntimeError } from './errors';
export { calculateGain, NONLINEARITIES, DEFAULT_NEGATIVE_SLOPE, type Nonlinearity } from './gain';
export { calculateFanInAndFanOut, calculateCorrectFan, type Fans, type FanMode } from './fans';
export { makeTheory, type Theory, type TheoryFamily, type TheoryScale } from './theory';
export { uniform_, normal_, uniformTheory, normalTheory, type UniformOptions, type NormalOptions } from './uniformNormal';
export { trunc_normal_, truncNormalTheory, truncNormalWarning, type TruncNormalOptions } from './truncNormal';
export { constant_, ones_, zeros_, eye_, constantTheory, eyeTheory } from './constant';
export { xavier_uniform_, xavier_normal_, xavierUniformTheory, xavierNormalTheory, type XavierOptions } from './xavier';
export { kaiming_uniform_, kaiming_normal_, kaimingUniformTheory, kaimingNormalTheory, type KaimingOptions } from './kaiming';
export { lecunNormal_, lecunUniform_, lecunNormalTheory, lecunUniformTheory } from './lecun';
export { orthogonal_, orthogonalTheory, type OrthogonalOptions } from './orthogonal';
export { sparse_, sparseTheory, type SparseOptions } from './sparse';
export { linearResetParameters, linearBiasBound, linearWeightTheory, linearBiasTheory, LINEAR_WEIGHT_A } from './linear';
export { thinQr, type ThinQr } from './qr';
export {
  INITIALIZER_NAMES,
  canonicalInitializerName,
  findInitializer,
  getInitializer,
  applyInitializer,
  initializerTheory,
  type InitializerEntry,
} from './registry';
export { resolveArgs, formatInitializerCall, InitArgumentError, type InitArgs, type InitArgValue, type ParamSpec, type ResolvedArgs } from './args';
