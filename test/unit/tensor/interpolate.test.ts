import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { interpolate } from '../../../engine/tensor/interpolate';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

describe('interpolate', () => {
  const rng = new TorchGenerator(17);
  const line = () => Tensor.from([0, 2, 4], [1, 1, 3], { dtype: 'float64' });

  it('nearest repeats, linear blends (align_corners or half-pixel centres)', () => {
    expect(interpolate(line(), { scaleFactor: 2 }).toArray()).toEqual([0, 0, 2, 2, 4, 4]);
    expectClose(interpolate(line(), { size: 5, mode: 'linear', alignCorners: true }).data, [0, 1, 2, 3, 4]);
    // Half-pixel: sources −0.25 → 0 (clamped), 0.25, 0.75, 1.25, 1.75, 2.25 (edge).
    expectClose(interpolate(line(), { scaleFactor: 2, mode: 'linear' }).data, [0, 0.5, 1.5, 2.5, 3.5, 4]);
  });

  it('checks its arguments as torch does', () => {
    expect(() => interpolate(line(), { size: 4, scaleFactor: 2 })).toThrow(/exactly one/);
    expect(() => interpolate(line(), { size: 4, alignCorners: true })).toThrow(/align_corners/);
    expect(() => interpolate(line(), { size: 4, mode: 'bilinear' })).toThrow(/4-D/);
  });

  it('has correct gradients', () => {
    expectGradientsCorrect((x) => interpolate(x, { size: [5, 7], mode: 'bilinear' }), [randn(rng, [2, 2, 3, 4], { requiresGrad: true })]);
    expectGradientsCorrect((x) => interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true }), [randn(rng, [1, 2, 3, 3], { requiresGrad: true })]);
    expectGradientsCorrect((x) => interpolate(x, { scaleFactor: 1.5 }), [randn(rng, [2, 1, 4], { requiresGrad: true })]);
  });
});
