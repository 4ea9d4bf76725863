import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { batchNorm } from '../../../engine/tensor/batchNorm';
import { groupNorm } from '../../../engine/tensor/groupNorm';
import { layerNorm } from '../../../engine/tensor/layerNorm';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

describe('batchNorm', () => {
  const rng = new TorchGenerator(3);

  it('normalizes each channel with batch statistics and updates the running ones (biased / unbiased)', () => {
    // One channel, values 1, 2, 3, 6: μ = 3, σ² = 3.5 (biased), 14/3 (unbiased).
    const x = Tensor.from([1, 2, 3, 6], [4, 1], { dtype: 'float64' });
    const rm = Tensor.from([1], [1], { dtype: 'float64' });
    const rv = Tensor.from([2], [1], { dtype: 'float64' });
    const y = batchNorm(x, rm, rv, null, null, { training: true, momentum: 0.25, eps: 0 });
    expectClose(y.data, [1, 2, 3, 6].map((v) => (v - 3) / Math.sqrt(3.5)), 1e-15);
    expectClose(rm.data, [0.75 * 1 + 0.25 * 3], 1e-15);
    expectClose(rv.data, [0.75 * 2 + 0.25 * (14 / 3)], 1e-15);
  });

  it('momentum null is the cumulative average over num_batches_tracked', () => {
    const rm = Tensor.zeros([1], { dtype: 'float64' });
    const rv = Tensor.ones([1], { dtype: 'float64' });
    const tracked = Tensor.zeros([1], { dtype: 'float64' });
    for (const batch of [[1, 3], [5, 7], [0, 0]]) {
      batchNorm(Tensor.from(batch, [2, 1], { dtype: 'float64' }), rm, rv, null, null, { training: true, momentum: null, numBatchesTracked: tracked });
    }
    expect(tracked.item()).toBe(3);
    expectClose(rm.data, [(2 + 6 + 0) / 3], 1e-15); // mean of the batch means
    expectClose(rv.data, [(2 + 2 + 0) / 3], 1e-15); // mean of the unbiased variances
    expect(() => batchNorm(Tensor.from([1, 2], [2, 1]), Tensor.zeros([1]), Tensor.ones([1]), null, null, { training: true, momentum: null })).toThrow(/numBatchesTracked/);
  });

  it('evaluation uses the running statistics and leaves them alone', () => {
    const rm = Tensor.from([1, -1], [2], { dtype: 'float64' });
    const rv = Tensor.from([4, 0.25], [2], { dtype: 'float64' });
    const y = batchNorm(Tensor.from([3, 0, 5, -2], [2, 2], { dtype: 'float64' }), rm, rv, null, null, { eps: 0 });
    expectClose(y.data, [1, 2, 2, -2], 1e-15);
    expect(rm.toArray()).toEqual([1, -1]);
  });

  it('rejects one value per channel in training and missing running statistics in evaluation', () => {
    expect(() => batchNorm(randn(rng, [1, 3]), null, null, null, null, { training: true })).toThrow(/more than 1 value per channel/);
    expect(() => batchNorm(randn(rng, [2, 3]), null, null)).toThrow(/evaluation mode/);
  });

  it('has correct gradients in training and evaluation', () => {
    const w = () => randn(rng, [3], { requiresGrad: true });
    expectGradientsCorrect((x, w, b) => batchNorm(x, null, null, w, b, { training: true }), [randn(rng, [4, 3, 2, 3], { requiresGrad: true }), w(), w()]);
    const rm = randn(rng, [3]);
    const rv = randn(rng, [3], { offset: 2, scale: 0.1 });
    expectGradientsCorrect((x, w, b) => batchNorm(x, rm, rv, w, b), [randn(rng, [4, 3, 5], { requiresGrad: true }), w(), w()]);
  });
});

describe('groupNorm', () => {
  const rng = new TorchGenerator(4);

  it('with one channel per group on [N, C] it is layer norm of each scalar; with one group it is layer norm over C·d', () => {
    const x = randn(rng, [2, 3, 4]);
    const flat = Tensor.from(x.data, [2, 12], { dtype: 'float64' });
    expectClose(groupNorm(x, 1).data, layerNorm(flat, 12).data, 1e-14);
  });

  it('rejects channels not divisible by the groups', () => {
    expect(() => groupNorm(randn(rng, [2, 6, 2]), 4)).toThrow(/divisible by num_groups/);
  });

  it('has correct gradients', () => {
    expectGradientsCorrect((x, w, b) => groupNorm(x, 2, w, b), [
      randn(rng, [2, 4, 3, 2], { requiresGrad: true }), randn(rng, [4], { requiresGrad: true }), randn(rng, [4], { requiresGrad: true }),
    ]);
  });
});
