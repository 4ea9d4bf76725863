/** Shared helpers for tensor tests: seeded random tensors and float64 reference checks. */
import { expect } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import type { DType } from '../../../engine/tensor/dtype';
import { gradcheck, type GradcheckOptions } from '../../../engine/tensor/gradcheck';
import { Tensor } from '../../../engine/tensor/tensor';

export interface RandomTensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Values are offset + scale·N(0, 1) (default 0 and 1). */
  scale?: number;
  offset?: number;
}

export function randn(rng: TorchGenerator, shape: readonly number[], options: RandomTensorOptions = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => (options.offset ?? 0) + (options.scale ?? 1) * rng.normal());
  return Tensor.from(values, shape, { dtype: options.dtype ?? 'float64', requiresGrad: options.requiresGrad ?? false });
}

/** U(low, high) entries. */
export function rand(rng: TorchGenerator, shape: readonly number[], low: number, high: number, options: RandomTensorOptions = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => rng.uniformRange(low, high));
  return Tensor.from(values, shape, { dtype: options.dtype ?? 'float64', requiresGrad: options.requiresGrad ?? false });
}

/** Threshold under which a relative gradient error counts as a correct derivative. */
export const GRADCHECK_TOLERANCE = 1e-6;

/** Asserts that `fn`'s autograd gradients agree with central differences. */
export function expectGradientsCorrect(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  options: GradcheckOptions = {},
): void {
  const result = gradcheck(fn, inputs, options);
  expect(result.checked).toBeGreaterThan(0);
  expect(result.maxRelError, JSON.stringify(result.worst)).toBeLessThan(GRADCHECK_TOLERANCE);
}

/** Elementwise |actual − expected| ≤ tol·max(1, |expected|). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Number.isNaN(e)) {
      expect(a, `element ${i}`).toBeNaN();
      continue;
    }
    expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}
