/**
 * Gradient checking: compares the autograd gradient of a function with
 * central finite differences, in float64.
 *
 * A non-scalar output y is reduced to the scalar φ = Σᵢ vᵢ·yᵢ with a fixed
 * random vector v (seeded), so the check covers the full vector–Jacobian
 * product and not just the all-ones direction. For every input element θ:
 *   numeric  = (φ(θ + ε) − φ(θ − ε)) / (2ε)      (error O(ε²·φ‴) + O(u·|φ|/ε))
 *   analytic = ∂φ/∂θ from `backward(v)`
 * With ε = 1e-6 and u ≈ 1.1e-16 both error terms are ~1e-10 for well-scaled
 * functions, so a correct derivative gives relative errors ≲ 1e-7 while a
 * wrong one gives errors of order 1.
 */
import { TorchGenerator } from '../random';
import { noGrad } from './autograd';
import type { FloatArray } from './dtype';
import { Tensor } from './tensor';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Seed of the projection vector v (default 0). */
  seed?: number;
  /**
   * Smallest denominator of the relative error |a − n| / max(|a|, |n|, floor),
   * so that gradients that are ~0 are judged by their absolute error instead
   * of amplifying round-off (default 1e-3).
   */
  relativeFloor?: number;
}

export interface GradcheckMismatch {
  /** Position of the input in the `inputs` array. */
  input: number;
  /** Flat element index inside that input. */
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  maxAbsError: number;
  maxRelError: number;
  /** The element with the largest relative error (null when nothing was checked). */
  worst: GradcheckMismatch | null;
  /** Number of input elements compared. */
  checked: number;
}

/**
 * Checks the gradients of `fn` with respect to every input that has
 * `requiresGrad`. Inputs must be float64; they are copied, never modified.
 * `fn` must be deterministic (reseed any TorchGenerator inside it).
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckResult {
  const eps = options.eps ?? 1e-6;
  const floor = options.relativeFloor ?? 1e-3;
  for (const t of inputs) {
    if (t.dtype !== 'float64') throw new TypeError('gradcheck: inputs must be float64');
  }
  const leaves = inputs.map((t) => Tensor.from(t.data, t.shape, { dtype: 'float64', requiresGrad: t.requiresGrad }));

  const output = fn(...leaves);
  if (!output.requiresGrad) throw new Error('gradcheck: the output does not depend on any input that requires grad');
  const rng = new TorchGenerator(options.seed ?? 0);
  const v = new Float64Array(output.numel);
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  output.backward(v);

  const projected = (): number => {
    const y = noGrad(() => fn(...leaves)).data;
    let phi = 0;
    for (let i = 0; i < y.length; i++) phi += v[i]! * y[i]!;
    return phi;
  };

  const result: GradcheckResult = { maxAbsError: 0, maxRelError: 0, worst: null, checked: 0 };
  leaves.forEach((leaf, inputIndex) => {
    if (!leaf.requiresGrad) return;
    const analytic: FloatArray = leaf.grad ?? new Float64Array(leaf.numel);
    const theta = leaf.data;
    for (let i = 0; i < theta.length; i++) {
      const original = theta[i]!;
      theta[i] = original + eps;
      const plus = projected();
      theta[i] = original - eps;
      const minus = projected();
      theta[i] = original;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[i]!;
      const absError = Math.abs(a - numeric);
      const relError = absError / Math.max(Math.abs(a), Math.abs(numeric), floor);
      result.checked++;
      // `!(x <= max)` also records NaN errors, which must fail a check.
      if (!(absError <= result.maxAbsError)) result.maxAbsError = absError;
      if (!(relError <= result.maxRelError)) {
        result.maxRelError = relError;
        result.worst = { input: inputIndex, index: i, analytic: a, numeric };
      }
    }
  });
  return result;
}
