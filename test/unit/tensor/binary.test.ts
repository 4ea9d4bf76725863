import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { add, div, mul, sub } from '../../../engine/tensor/binary';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;

describe('elementwise arithmetic: values', () => {
  const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], f64);

  it('combines same-shape tensors', () => {
    const b = Tensor.from([6, 5, 4, 3, 2, 1], [2, 3], f64);
    expect(add(a, b).toArray()).toEqual([7, 7, 7, 7, 7, 7]);
    expect(sub(a, b).toArray()).toEqual([-5, -3, -1, 1, 3, 5]);
    expect(mul(a, b).toArray()).toEqual([6, 10, 12, 12, 10, 6]);
    expect(div(a, b).toArray()).toEqual([1 / 6, 2 / 5, 3 / 4, 4 / 3, 5 / 2, 6]);
  });

  it('broadcasts a number and a one-element tensor', () => {
    expect(add(a, 10).toArray()).toEqual([11, 12, 13, 14, 15, 16]);
    expect(mul(a, Tensor.scalar(2, f64)).toArray()).toEqual([2, 4, 6, 8, 10, 12]);
    expect(sub(a, Tensor.from([1], [1], f64)).toArray()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('broadcasts a 1-D tensor over rows', () => {
    const row = Tensor.from([10, 20, 30], [3], f64);
    expect(add(a, row).toArray()).toEqual([11, 22, 33, 14, 25, 36]);
    expect(div(a, row).toArray()).toEqual([0.1, 0.1, 0.1, 0.4, 0.25, 0.2]);
    expect(add(a, row).shape).toEqual([2, 3]);
  });

  it('rejects shapes it cannot broadcast, and mixed dtypes', () => {
    expect(() => add(a, Tensor.from([1, 2], [2], f64))).toThrow(RangeError);
    expect(() => add(a, Tensor.from([1, 2, 3]))).toThrow(TypeError);
  });

  it('rounds float32 results once per op, bit-exact with IEEE single precision', () => {
    const rng = new TorchGenerator(3);
    const x = randn(rng, [64], { dtype: 'float32' });
    const y = randn(rng, [64], { dtype: 'float32' });
    const ops: [(p: Tensor, q: Tensor) => Tensor, (p: number, q: number) => number][] = [
      [add, (p, q) => p + q],
      [sub, (p, q) => p - q],
      [mul, (p, q) => p * q],
      [div, (p, q) => p / q],
    ];
    for (const [op, reference] of ops) {
      const out = op(x, y);
      expect(out.dtype).toBe('float32');
      for (let i = 0; i < 64; i++) expect(out.data[i]).toBe(Math.fround(reference(x.data[i]!, y.data[i]!)));
    }
  });

  it('casts a number operand to float32 first, as torch does for Python scalars', () => {
    const x = Tensor.from([1]);
    expect(mul(x, 0.1).item()).toBe(Math.fround(0.1));
  });
});

describe('elementwise arithmetic: gradients', () => {
  const rng = new TorchGenerator(11);
  const ops = { add, sub, mul, div };
  for (const [name, op] of Object.entries(ops)) {
    it(`${name}: same shape`, () => {
      const a = randn(rng, [3, 4], { requiresGrad: true });
      const b = randn(rng, [3, 4], { requiresGrad: true, offset: 3 });
      expectGradientsCorrect(op, [a, b]);
    });
    it(`${name}: row broadcast`, () => {
      const a = randn(rng, [3, 4], { requiresGrad: true });
      const b = randn(rng, [4], { requiresGrad: true, offset: 3 });
      expectGradientsCorrect(op, [a, b]);
    });
    it(`${name}: one-element tensor`, () => {
      const a = randn(rng, [2, 3], { requiresGrad: true });
      const b = randn(rng, [], { requiresGrad: true, offset: 3 });
      expectGradientsCorrect(op, [a, b]);
    });
    it(`${name}: only the broadcast operand requires grad`, () => {
      const a = randn(rng, [3, 4]);
      const b = randn(rng, [4], { requiresGrad: true, offset: 3 });
      expectGradientsCorrect(op, [a, b]);
    });
    it(`${name}: number`, () => {
      const a = randn(rng, [5], { requiresGrad: true });
      expectGradientsCorrect((x) => op(x, 1.7), [a]);
    });
  }

  it('row-broadcast gradient is the column sum (hand-computed)', () => {
    const a = Tensor.from([1, 2, 3, 4], [2, 2], { dtype: 'float64', requiresGrad: true });
    const b = Tensor.from([10, 20], [2], { dtype: 'float64', requiresGrad: true });
    mul(a, b).backward(new Float64Array([1, 1, 1, 1]));
    expectClose(a.grad!, [10, 20, 10, 20]);
    expectClose(b.grad!, [1 + 3, 2 + 4]);
  });
});
