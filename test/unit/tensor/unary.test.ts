import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { Tensor } from '../../../engine/tensor/tensor';
import { exp, log, neg, pow, sqrt } from '../../../engine/tensor/unary';
import { expectClose, expectGradientsCorrect, rand, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;

describe('unary ops: values', () => {
  it('neg, exp, log, sqrt on hand-picked points', () => {
    expect(neg(Tensor.from([1, -2, 0], [3], f64)).toArray()).toEqual([-1, 2, -0]);
    expectClose(exp(Tensor.from([0, 1, -1], [3], f64)).data, [1, Math.E, 1 / Math.E], 1e-15);
    expectClose(log(Tensor.from([1, Math.E, 0.5], [3], f64)).data, [0, 1, -Math.LN2], 1e-15);
    expect(log(Tensor.from([0, -1], [2], f64)).toArray()).toEqual([-Infinity, NaN]);
    expect(sqrt(Tensor.from([4, 2.25, 0], [3], f64)).toArray()).toEqual([2, 1.5, 0]);
  });

  it('pow by a scalar exponent', () => {
    expect(pow(Tensor.from([2, -3], [2], f64), 2).toArray()).toEqual([4, 9]);
    expect(pow(Tensor.from([2, -3], [2], f64), 3).toArray()).toEqual([8, -27]);
    expectClose(pow(Tensor.from([4, 9], [2], f64), 0.5).data, [2, 3]);
    expectClose(pow(Tensor.from([2, 4], [2], f64), -1).data, [0.5, 0.25]);
    expect(pow(Tensor.from([5], [1], f64), 0).toArray()).toEqual([1]);
  });

  it('x² and √x in float32 are correctly rounded, hence bit-exact with torch', () => {
    const x = randn(new TorchGenerator(1), [50], { dtype: 'float32', scale: 3 });
    const square = pow(x, 2);
    const root = sqrt(pow(x, 2));
    for (let i = 0; i < 50; i++) {
      const v = x.data[i]!;
      expect(square.data[i]).toBe(Math.fround(v * v));
      expect(root.data[i]).toBe(Math.fround(Math.sqrt(square.data[i]!)));
    }
  });
});

describe('unary ops: gradients', () => {
  const rng = new TorchGenerator(5);
  it('neg and exp', () => {
    expectGradientsCorrect(neg, [randn(rng, [6], { requiresGrad: true })]);
    expectGradientsCorrect(exp, [randn(rng, [6], { requiresGrad: true })]);
  });
  it('log and sqrt on positive inputs', () => {
    expectGradientsCorrect(log, [rand(rng, [6], 0.2, 3, { requiresGrad: true })]);
    expectGradientsCorrect(sqrt, [rand(rng, [6], 0.2, 3, { requiresGrad: true })]);
  });
  for (const p of [2, 3, 0.5, -1.5, 0]) {
    it(`pow(x, ${p})`, () => {
      expectGradientsCorrect((x) => pow(x!, p), [rand(rng, [6], 0.2, 3, { requiresGrad: true })]);
    });
  }
  it('pow(x, 0) has zero gradient, as torch', () => {
    const x = Tensor.from([2, -3], [2], { dtype: 'float64', requiresGrad: true });
    pow(x, 0).backward(new Float64Array([1, 1]));
    expect(Array.from(x.grad!)).toEqual([0, 0]);
  });
});
