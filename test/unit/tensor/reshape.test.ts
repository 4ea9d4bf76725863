import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { mul } from '../../../engine/tensor/binary';
import { reshape } from '../../../engine/tensor/reshape';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectGradientsCorrect, randn } from './helpers';

describe('reshape', () => {
  it('keeps row-major order and infers one −1 dimension', () => {
    const x = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = reshape(x, [3, -1]);
    expect(y.shape).toEqual([3, 2]);
    expect(y.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects incompatible shapes', () => {
    expect(() => reshape(Tensor.zeros([2, 3]), [4, -1])).toThrow(RangeError);
    expect(() => reshape(Tensor.zeros([2, 3]), [5])).toThrow(RangeError);
  });

  it('passes gradients through', () => {
    const x = randn(new TorchGenerator(1), [2, 3], { requiresGrad: true });
    const w = randn(new TorchGenerator(2), [3, 2]);
    expectGradientsCorrect((t) => mul(reshape(t, [3, 2]), w), [x]);
  });
});
