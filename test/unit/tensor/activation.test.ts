import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/rng';
import { relu } from '../../../engine/tensor/activation';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectGradientsCorrect, randn } from './helpers';

describe('relu', () => {
  it('clamps negatives to 0 and has derivative 0 at the kink, as torch', () => {
    const x = Tensor.from([-2, 0, 3, NaN], [4], { dtype: 'float64', requiresGrad: true });
    const y = relu(x);
    expect(y.toArray()).toEqual([0, 0, 3, NaN]);
    y.backward(new Float64Array([1, 1, 1, 0]));
    expect(Array.from(x.grad!)).toEqual([0, 0, 1, 0]);
  });

  it('has a correct gradient on random inputs', () => {
    expectGradientsCorrect(relu, [randn(new Rng(1), [20], { requiresGrad: true })]);
  });
});
