/** conv3d and adaptive_avg_pool3d: float64 gradients against central differences, and their shapes and errors. */
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { adaptiveAvgPool3d, conv3d } from '../../../engine/tensor/conv3d';
import { expectGradientsCorrect, randn } from './helpers';

describe('conv3d', () => {
  const rng = new TorchGenerator(31);
  it('gradients of input, weight and bias (padding, stride, dilation, groups)', () => {
    expectGradientsCorrect((x, w, b) => conv3d(x!, w!, b!, { stride: [2, 1, 1], padding: 1, dilation: [1, 1, 2], groups: 2 }), [
      randn(rng, [2, 4, 4, 3, 5], { requiresGrad: true }), randn(rng, [2, 2, 2, 2, 2], { requiresGrad: true }), randn(rng, [2], { requiresGrad: true }),
    ]);
  });

  it('output shape as torch, unbatched input, and a clear message for a kernel larger than the input', () => {
    expect(conv3d(randn(rng, [1, 3, 8, 16, 16]), randn(rng, [5, 3, 3, 7, 7]), null, { stride: [1, 2, 2], padding: [1, 3, 3] }).shape).toEqual([1, 5, 8, 8, 8]);
    expect(conv3d(randn(rng, [3, 4, 5, 5]), randn(rng, [2, 3, 1, 3, 3]), null, { padding: 'same' }).shape).toEqual([2, 4, 5, 5]);
    expect(() => conv3d(randn(rng, [1, 1, 2, 4, 4]), randn(rng, [1, 1, 3, 3, 3]))).toThrow(/output depth 0 is too small/);
  });
});

describe('adaptive_avg_pool3d', () => {
  const rng = new TorchGenerator(32);
  it('gradients, with bins that overlap in depth', () => {
    expectGradientsCorrect((x) => adaptiveAvgPool3d(x!, [2, 2, 3]), [randn(rng, [2, 2, 5, 4, 7], { requiresGrad: true })]);
  });

  it('output_size 1 is the mean over depth, height and width; None keeps a size', () => {
    const x = randn(rng, [1, 2, 3, 4, 5]);
    const y = adaptiveAvgPool3d(x, 1);
    expect(y.shape).toEqual([1, 2, 1, 1, 1]);
    const mean = Array.from(x.data.slice(0, 60)).reduce((a, b) => a + b, 0) / 60;
    expect(y.data[0]).toBeCloseTo(mean, 14);
    expect(adaptiveAvgPool3d(x, [null, 2, 2]).shape).toEqual([1, 2, 3, 2, 2]);
  });
});
