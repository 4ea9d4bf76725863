/**
 * The `reduction` argument shared by torch's losses, and the helper that
 * turns per-element losses ℓᵢ into the reduced loss and its gradient:
 *   'none':  L = (ℓᵢ)            ∂L/∂xᵢ = gᵢ · ℓᵢ′
 *   'sum':   L = Σᵢ ℓᵢ           ∂L/∂xᵢ = g · ℓᵢ′
 *   'mean':  L = (1/N) Σᵢ ℓᵢ     ∂L/∂xᵢ = (g/N) · ℓᵢ′      (torch's default)
 *
 * Each element loss is rounded to the dtype (as torch materializes them),
 * then the sum is accumulated in float64 and rounded once. torch sums float32
 * element losses in float32 (cascade order), so a reduced float32 loss can
 * differ from torch's in the last ulp or two.
 */
import { allocate, scratch64, type DType, type FloatArray } from '../dtype';
import { fromFloat64, opResult, rounderFor, type Round } from '../op';
import type { Tensor } from '../tensor';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
}

/**
 * Per-element upstream weight wᵢ (gᵢ, g or g/N) for the reduction, in
 * float64; N is `meanDivisor` (the element count unless some are ignored).
 */
export function upstreamWeights(g: FloatArray, count: number, reduction: Reduction, meanDivisor = count): Float64Array {
  const w = scratch64(count);
  if (reduction === 'none') w.set(g);
  else w.fill(reduction === 'sum' ? g[0]! : g[0]! / meanDivisor);
  return w;
}

/** Reduces float64 element losses to the output data and shape of the loss tensor. */
export function reduceElementLosses(
  losses: Float64Array,
  shape: readonly number[],
  reduction: Reduction,
  dtype: DType,
  meanDivisor = losses.length,
): { data: FloatArray; shape: readonly number[] } {
  if (reduction === 'none') return { data: fromFloat64(losses, dtype), shape };
  let total = 0;
  for (let i = 0; i < losses.length; i++) total += losses[i]!;
  const data = allocate(dtype, 1);
  data[0] = reduction === 'sum' ? total : total / meanDivisor;
  return { data, shape: [] };
}

/**
 * Fills ℓ[i] from input x[i] and target y[i]. Intermediates may be passed
 * through `round` to reproduce torch's float32 rounding step by step.
 */
export type ElementLossKernel = (x: FloatArray, y: FloatArray, loss: Float64Array, round: Round) => void;

/**
 * Fills gx[i] = ∂L/∂x[i] = norm · upstream[i] · ∂ℓᵢ/∂xᵢ, where norm is 1/N
 * for 'mean' and 1 otherwise (torch's `norm` scalar) and upstream[i] is gᵢ or
 * the scalar g. Storing into gx rounds once; kernels that mirror torch's
 * float32 order call `round` on their intermediates.
 */
export type ElementGradientKernel = (
  x: FloatArray,
  y: FloatArray,
  upstream: Float64Array,
  norm: number,
  gx: FloatArray,
  round: Round,
) => void;

export interface ElementwiseLossSpec {
  name: string;
  loss: ElementLossKernel;
  gradient: ElementGradientKernel;
  /**
   * True when ℓ depends on x − y only, so ∂ℓ/∂y = −∂ℓ/∂x and the target can
   * receive a gradient (as torch allows for MSE/L1/Huber/SmoothL1). Otherwise
   * a target that requires grad is rejected rather than silently ignored.
   */
  differenceOnly: boolean;
}

export function elementwiseLoss(spec: ElementwiseLossSpec, input: Tensor, target: Tensor, reduction: Reduction): Tensor {
  if (input.dtype !== target.dtype) throw new TypeError(`${spec.name}: input is ${input.dtype}, target is ${target.dtype}`);
  if (input.numel !== target.numel || input.ndim !== target.ndim || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new RangeError(`${spec.name}: target shape [${target.shape.join(', ')}] must equal input shape [${input.shape.join(', ')}]`);
  }
  if (target.requiresGrad && !spec.differenceOnly) {
    throw new Error(`${spec.name}: gradients with respect to the target are not supported`);
  }
  const n = input.numel;
  const round = rounderFor(input.dtype);
  const losses = scratch64(n);
  spec.loss(input.data, target.data, losses, round);
  const { data, shape } = reduceElementLosses(losses, input.shape, reduction, input.dtype);
  return opResult(`${spec.name}Backward`, data, shape, [input, target], (g) => {
    const upstream = scratch64(n);
    if (reduction === 'none') upstream.set(g);
    else upstream.fill(g[0]!);
    const norm = reduction === 'mean' ? 1 / n : 1;
    const gx = allocate(input.dtype, n);
    spec.gradient(input.data, target.data, upstream, norm, gx, round);
    if (!target.requiresGrad) return [gx, null];
    const gy = allocate(input.dtype, n);
    for (let i = 0; i < n; i++) gy[i] = -gx[i]!;
    return [gx, gy];
  });
}
