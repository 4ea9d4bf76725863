import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { pad } from '../../../engine/tensor/pad';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectGradientsCorrect, randn } from './helpers';

describe('pad', () => {
  const rng = new TorchGenerator(13);
  const row = () => Tensor.from([1, 2, 3], [1, 3]);

  it('maps the border by mode', () => {
    expect(pad(row(), [2, 1], { value: 9 }).toArray()).toEqual([9, 9, 1, 2, 3, 9]);
    expect(pad(row(), [2, 1], { mode: 'reflect' }).toArray()).toEqual([3, 2, 1, 2, 3, 2]);
    expect(pad(row(), [2, 1], { mode: 'replicate' }).toArray()).toEqual([1, 1, 1, 2, 3, 3]);
    expect(pad(row(), [2, 1], { mode: 'circular' }).toArray()).toEqual([2, 3, 1, 2, 3, 1]);
    expect(pad(row(), [-1, 0]).toArray()).toEqual([2, 3]);
  });

  it('sums the gradient of an input read several times', () => {
    const x = Tensor.from([1, 2, 3], [1, 3], { dtype: 'float64', requiresGrad: true });
    pad(x, [2, 2], { mode: 'replicate' }).backward(Float64Array.from([1, 1, 1, 1, 1, 1, 1]));
    expect(Array.from(x.grad!)).toEqual([3, 1, 3]);
  });

  it('rejects reflect padding as large as the dimension and odd pad lists', () => {
    expect(() => pad(row(), [3, 0], { mode: 'reflect' })).toThrow(/smaller than the dimension's size 3/);
    expect(() => pad(row(), [1])).toThrow(/divisible by 2/);
    expect(() => pad(randn(rng, [2, 2, 2, 2]), [1, 1], { mode: 'reflect' })).toThrow(/2-D or 3-D input/);
  });

  it('has correct gradients', () => {
    for (const mode of ['constant', 'reflect', 'replicate', 'circular'] as const) {
      expectGradientsCorrect((x) => pad(x, [2, 1, 1, 2], { mode }), [randn(rng, [2, 2, 3, 3], { requiresGrad: true })]);
    }
  });
});
