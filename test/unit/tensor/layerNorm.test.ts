import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { layerNorm } from '../../../engine/tensor/layerNorm';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;

describe('layerNorm', () => {
  it('normalizes a hand-computed row with the biased variance', () => {
    // row [1, 2, 3]: μ = 2, σ² = 2/3 (biased), x̂ = (x − μ)/√(σ² + ε)
    const r = 1 / Math.sqrt(2 / 3 + 1e-5);
    const y = layerNorm(Tensor.from([1, 2, 3], [1, 3], f64), 3);
    expectClose(y.data, [-r, 0, r], 1e-15);
  });

  it('applies the elementwise affine map γ·x̂ + β', () => {
    const r = 1 / Math.sqrt(2 / 3 + 1e-5);
    const w = Tensor.from([2, 3, 4], [3], f64);
    const b = Tensor.from([1, 1, -1], [3], f64);
    const y = layerNorm(Tensor.from([1, 2, 3, 6, 4, 2], [2, 3], f64), 3, w, b);
    // second row [6, 4, 2]: μ = 4, σ² = 8/3
    const r2 = 1 / Math.sqrt(8 / 3 + 1e-5);
    expectClose(y.data, [-2 * r + 1, 1, 4 * r - 1, 2 * 2 * r2 + 1, 1, -4 * 2 * r2 - 1], 1e-15);
  });

  it('honours eps (a constant row maps to 0, with no division by zero)', () => {
    expect(layerNorm(Tensor.from([5, 5], [2], f64), 2, null, null, 0.1).toArray()).toEqual([0, 0]);
    const y = layerNorm(Tensor.from([0, 2], [2], f64), 2, null, null, 3);
    expectClose(y.data, [-1 / 2, 1 / 2], 1e-15); // σ² = 1, √(1 + 3) = 2
  });

  it('gives rows of mean 0 and biased variance ≈ 1', () => {
    const y = layerNorm(randn(new TorchGenerator(1), [5, 16], { scale: 4, offset: 3 }), 16);
    for (let r = 0; r < 5; r++) {
      const row = Array.from(y.data.subarray(r * 16, r * 16 + 16));
      const mean = row.reduce((a, b) => a + b, 0) / 16;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 16;
      expect(Math.abs(mean)).toBeLessThan(1e-15);
      expect(Math.abs(variance - 1)).toBeLessThan(1e-5);
    }
  });

  it('rejects a mismatched normalized shape or affine parameters', () => {
    expect(() => layerNorm(Tensor.zeros([2, 3]), 2)).toThrow(RangeError);
    expect(() => layerNorm(Tensor.zeros([2, 3]), 3, Tensor.ones([2]))).toThrow(RangeError);
  });

  it('has correct gradients for x, γ and β, and without affine parameters', () => {
    const rng = new TorchGenerator(2);
    const x = randn(rng, [4, 6], { requiresGrad: true, scale: 2 });
    const w = randn(rng, [6], { requiresGrad: true, offset: 1 });
    const b = randn(rng, [6], { requiresGrad: true });
    expectGradientsCorrect((t, ww, bb) => layerNorm(t, 6, ww, bb), [x, w, b]);
    expectGradientsCorrect((t) => layerNorm(t, 6), [x]);
    expectGradientsCorrect((t) => layerNorm(randn(new TorchGenerator(3), [3, 6]), 6, t, null), [w]);
    expectGradientsCorrect((t) => layerNorm(t, 6, null, null, 0.5), [randn(rng, [2, 3, 6], { requiresGrad: true })]);
  });
});
