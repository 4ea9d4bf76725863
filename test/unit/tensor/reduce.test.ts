import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { argmax, max, maxAlongDim, mean, sum } from '../../../engine/tensor/reduce';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;
// [[1, 2, 3], [4, 5, 6]]
const m = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], f64);

describe('sum and mean', () => {
  it('reduce everything to a 0-D tensor', () => {
    const s = sum(m);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(21);
    expect(mean(m).item()).toBe(3.5);
  });

  it('reduce along a dimension, with negative indices and keepDim', () => {
    expect(sum(m, 0).toArray()).toEqual([5, 7, 9]);
    expect(sum(m, 0).shape).toEqual([3]);
    expect(sum(m, 1).toArray()).toEqual([6, 15]);
    expect(sum(m, -1).toArray()).toEqual([6, 15]);
    expect(mean(m, 1, true).shape).toEqual([2, 1]);
    expect(mean(m, 1, true).toArray()).toEqual([2, 5]);
    expect(sum(m, undefined, true).shape).toEqual([1, 1]);
  });

  it('reduce the middle dimension of a 3-D tensor', () => {
    const t = Tensor.from([...Array(12).keys()], [2, 3, 2], f64);
    // element (o, k, i) = 6o + 2k + i; sum over k = 3·(6o + i) + 6
    expect(sum(t, 1).toArray()).toEqual([6, 9, 24, 27]);
  });

  it('rejects an out-of-range dimension', () => {
    expect(() => sum(m, 2)).toThrow(RangeError);
    expect(() => sum(m, -3)).toThrow(RangeError);
  });

  it('accumulates float32 sums exactly then rounds once', () => {
    // 1 + 1e-8·10⁴ = 1.0001, but a float32 running sum would stay at 1.
    const values = [1, ...Array<number>(10000).fill(1e-8)];
    const expected = values.reduce((a, b) => a + Math.fround(b), 0);
    expect(sum(Tensor.from(values)).item()).toBe(Math.fround(expected));
    expect(Math.fround(expected)).not.toBe(1);
  });

  it('has correct gradients over all elements and along each dimension', () => {
    const rng = new TorchGenerator(9);
    const x = randn(rng, [2, 3, 4], { requiresGrad: true });
    expectGradientsCorrect((t) => sum(t), [x]);
    expectGradientsCorrect((t) => mean(t), [x]);
    for (const dim of [0, 1, 2, -1]) {
      expectGradientsCorrect((t) => sum(t, dim), [x]);
      expectGradientsCorrect((t) => mean(t, dim, true), [x]);
    }
  });
});

describe('max', () => {
  it('over all elements, splitting the gradient among ties as torch.max()', () => {
    const x = Tensor.from([1, 5, 3, 5], [2, 2], { dtype: 'float64', requiresGrad: true });
    const y = max(x);
    expect(y.item()).toBe(5);
    y.backward();
    expect(Array.from(x.grad!)).toEqual([0, 0.5, 0, 0.5]);
  });

  it('propagates NaN', () => {
    expect(max(Tensor.from([1, NaN, 3], [3], f64)).item()).toBeNaN();
  });

  it('along a dimension returns values and first-maximum indices', () => {
    const x = Tensor.from([1, 7, 7, 4, 2, 6], [2, 3], { dtype: 'float64', requiresGrad: true });
    const { values, indices } = maxAlongDim(x, 1);
    expect(values.toArray()).toEqual([7, 6]);
    expect(Array.from(indices)).toEqual([1, 2]);
    values.backward(new Float64Array([10, 20]));
    expect(Array.from(x.grad!)).toEqual([0, 10, 0, 0, 0, 20]);
    expect(Array.from(argmax(x, 0))).toEqual([1, 0, 0]);
    expect(maxAlongDim(x, 0, true).values.shape).toEqual([1, 3]);
  });

  it('has correct gradients', () => {
    const rng = new TorchGenerator(10);
    const x = randn(rng, [3, 4], { requiresGrad: true });
    expectGradientsCorrect((t) => max(t), [x]);
    expectGradientsCorrect((t) => maxAlongDim(t, 0).values, [x]);
    expectGradientsCorrect((t) => maxAlongDim(t, -1).values, [x]);
    expectGradientsCorrect((t) => maxAlongDim(t, 1, true).values, [randn(rng, [2, 3, 4], { requiresGrad: true })]);
  });

  it('mean of a reference matches a float64 sum / n', () => {
    const x = randn(new TorchGenerator(12), [100]);
    let total = 0;
    for (const v of x.data) total += v;
    expectClose([mean(x).item()], [total / 100], 1e-15);
  });
});
