import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { embedding } from '../../../engine/tensor/embedding';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectGradientsCorrect, randn } from './helpers';

describe('embedding', () => {
  const rng = new TorchGenerator(9);
  const weight = () => Tensor.from([0, 0, 1, 2, 3, 4], [3, 2], { dtype: 'float64', requiresGrad: true });

  it('gathers rows into […, D] and sums the gradient of repeated indices', () => {
    const w = weight();
    const y = embedding({ data: [2, 1, 2, 0], shape: [2, 2] }, w);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.toArray()).toEqual([3, 4, 1, 2, 3, 4, 0, 0]);
    y.backward(Float64Array.from([1, 1, 2, 2, 3, 3, 4, 4]));
    expect(Array.from(w.grad!)).toEqual([4, 4, 2, 2, 4, 4]);
  });

  it('gives padding_idx (also counted from the end) a zero gradient', () => {
    for (const paddingIdx of [0, -3]) {
      const w = weight();
      embedding({ data: [0, 1, 0], shape: [3] }, w, { paddingIdx }).backward(Float64Array.from([1, 1, 1, 1, 1, 1]));
      expect(Array.from(w.grad!)).toEqual([0, 0, 1, 1, 0, 0]);
    }
  });

  it('accepts a tensor of token ids and rejects out-of-range ones', () => {
    expect(embedding(Tensor.from([1, 2], [1, 2]), weight()).shape).toEqual([1, 2, 2]);
    expect(() => embedding({ data: [3], shape: [1] }, weight())).toThrow(/index 3 at position 0 is out of range for 3/);
    expect(() => embedding({ data: [0], shape: [1] }, weight(), { paddingIdx: 3 })).toThrow(/padding_idx/);
  });

  // Without padding_idx: its zero gradient is torch's convention, not the derivative.
  it('has correct gradients', () => {
    expectGradientsCorrect((w) => embedding({ data: [4, 1, 1, 0, 3, 4], shape: [2, 3] }, w), [randn(rng, [5, 3], { requiresGrad: true })]);
  });
});
