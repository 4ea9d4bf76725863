import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { add, div, eq, ge, gt, le, lt, maskedFill, mul, ne, pow, sub, where } from '../../../engine/tensor/binary';
import { broadcastShapes, reduceToShape } from '../../../engine/tensor/broadcast';
import { sum } from '../../../engine/tensor/reduce';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, rand, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;

/** Element of `t` at the multi-index `idx` of a broadcast result (independent of the engine's plan). */
function at(t: Tensor, idx: readonly number[]): number {
  const lead = idx.length - t.ndim;
  let offset = 0;
  for (let i = 0; i < t.ndim; i++) {
    const k = t.shape[i] === 1 ? 0 : idx[i + lead]!;
    offset = offset * t.shape[i]! + k;
  }
  return t.data[offset]!;
}

function multiIndices(shape: readonly number[]): number[][] {
  const out: number[][] = [[]];
  for (const d of shape) {
    const next: number[][] = [];
    for (const prefix of out) for (let k = 0; k < d; k++) next.push([...prefix, k]);
    out.splice(0, out.length, ...next);
  }
  return out;
}

/** The elementwise reference of a broadcast op, element by element. */
function reference(a: Tensor, b: Tensor, f: (p: number, q: number) => number): number[] {
  const shape = broadcastShapes('test', a.shape, b.shape);
  return multiIndices(shape).map((idx) => f(at(a, idx), at(b, idx)));
}

const PAIRS: [number[], number[]][] = [
  [[2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], [4]],
  [[2, 3, 4], [3, 1]],
  [[2, 1, 4], [3, 1]],
  [[4], [2, 3, 4]],
  [[2, 3, 1], [1, 3, 4]],
  [[1], [2, 3]],
  [[], [2, 3]],
  [[2, 1, 3, 1], [4, 1, 5]],
  [[5, 1], [1, 6]],
];

describe('broadcasting elementwise ops', () => {
  it('computes the broadcast shape as numpy and rejects incompatible shapes', () => {
    expect(broadcastShapes('t', [2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(broadcastShapes('t', [], [5])).toEqual([5]);
    expect(broadcastShapes('t', [0, 1], [1, 3])).toEqual([0, 3]);
    expect(() => broadcastShapes('t', [2, 3], [4, 3])).toThrow(/do not broadcast/);
  });

  it('agrees with an element-by-element reference for every operand layout, in both directions', () => {
    const rng = new TorchGenerator(11);
    const ops: [(p: Tensor, q: Tensor) => Tensor, (p: number, q: number) => number][] = [
      [add, (p, q) => p + q],
      [sub, (p, q) => p - q],
      [mul, (p, q) => p * q],
      [div, (p, q) => p / q],
      [pow, (p, q) => Math.pow(p, q)],
    ];
    for (const [sa, sb] of PAIRS) {
      const a = rand(rng, sa, 0.5, 2);
      const b = randn(rng, sb);
      for (const [op, f] of ops) {
        const out = op(a, b);
        expect(out.shape).toEqual(broadcastShapes('t', sa, sb));
        expectClose(out.data, reference(a, b, f), 0);
        const flipped = op(b, pow(a, 1));
        expect(flipped.shape).toEqual(broadcastShapes('t', sb, sa));
      }
    }
  });

  it('rounds float32 results once per op, bit-exact with IEEE single precision, under broadcasting', () => {
    const rng = new TorchGenerator(12);
    const a = randn(rng, [3, 1, 5], { dtype: 'float32' });
    const b = randn(rng, [4, 1], { dtype: 'float32' });
    for (const [op, f] of [
      [add, (p: number, q: number) => p + q],
      [mul, (p: number, q: number) => p * q],
      [div, (p: number, q: number) => p / q],
    ] as const) {
      const out = op(a, b);
      expect(out.dtype).toBe('float32');
      expect(Array.from(out.data)).toEqual(reference(a, b, f).map(Math.fround));
    }
  });

  it('takes a number on either side, as torch does for Python scalars (rsub, rdiv)', () => {
    const x = Tensor.from([1, 2, 4], [3], f64);
    expect(sub(1, x).toArray()).toEqual([0, -1, -3]);
    expect(div(2, x).toArray()).toEqual([2, 1, 0.5]);
    expect(pow(2, x).toArray()).toEqual([2, 4, 16]);
    expect(pow(x, 2).toArray()).toEqual([1, 4, 16]);
    expect(() => add(1 as unknown as Tensor, 2)).toThrow(TypeError);
  });

  it('sums the gradient of a broadcast operand over its broadcast dimensions', () => {
    const g = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], f64).data;
    expect(Array.from(reduceToShape(g, [2, 3], [3], 'float64'))).toEqual([5, 7, 9]);
    expect(Array.from(reduceToShape(g, [2, 3], [2, 1], 'float64'))).toEqual([6, 15]);
    expect(Array.from(reduceToShape(g, [2, 3], [], 'float64'))).toEqual([21]);
    expect(Array.from(reduceToShape(g, [2, 3], [1, 1], 'float64'))).toEqual([21]);
  });

  it('has correct gradients for both operands in every layout', () => {
    const rng = new TorchGenerator(13);
    for (const [sa, sb] of PAIRS) {
      const a = rand(rng, sa, 0.5, 2, { requiresGrad: true });
      const b = rand(rng, sb, 0.5, 2, { requiresGrad: true });
      expectGradientsCorrect((p, q) => add(p!, q!), [a, b]);
      expectGradientsCorrect((p, q) => sub(p!, q!), [a, b]);
      expectGradientsCorrect((p, q) => mul(p!, q!), [a, b]);
      expectGradientsCorrect((p, q) => div(p!, q!), [a, b]);
      expectGradientsCorrect((p, q) => pow(p!, q!), [a, b]);
    }
  });

  it("follows torch's pow gradients at a zero exponent and a zero base", () => {
    const base = Tensor.from([0, 0, 2], [3], { dtype: 'float64', requiresGrad: true });
    const exponent = Tensor.from([0, 2, 0], [3], { dtype: 'float64', requiresGrad: true });
    sum(pow(base, exponent)).backward();
    expect(Array.from(base.grad!)).toEqual([0, 0, 0]);
    expect(Array.from(exponent.grad!)).toEqual([0, 0, Math.log(2)]);
  });
});

describe('comparisons, masked_fill and where', () => {
  it('returns 1/0 masks without gradient', () => {
    const x = Tensor.from([1, 2, 3], [3], { dtype: 'float64', requiresGrad: true });
    expect(eq(x, 2).toArray()).toEqual([0, 1, 0]);
    expect(ne(x, 2).toArray()).toEqual([1, 0, 1]);
    expect(lt(x, 2).toArray()).toEqual([1, 0, 0]);
    expect(le(x, 2).toArray()).toEqual([1, 1, 0]);
    expect(gt(x, Tensor.from([[0], [5]].flat(), [2, 1], f64)).toArray()).toEqual([1, 1, 1, 0, 0, 0]);
    expect(ge(x, 2).requiresGrad).toBe(false);
  });

  it('fills a causal mask with −∞ through a broadcast mask, and passes gradient elsewhere', () => {
    const rng = new TorchGenerator(14);
    const att = randn(rng, [2, 2, 3, 3], { requiresGrad: true });
    const causal = Tensor.from([1, 0, 0, 1, 1, 0, 1, 1, 1], [1, 1, 3, 3], f64);
    const filled = maskedFill(att, eq(causal, 0), -Infinity);
    for (let i = 0; i < filled.numel; i++) {
      const col = i % 3;
      const row = Math.floor(i / 3) % 3;
      expect(filled.data[i]).toBe(col > row ? -Infinity : att.data[i]);
    }
    expectGradientsCorrect((x) => maskedFill(x!, eq(causal, 0), 7), [att]);
  });

  it('broadcasts x against a larger mask, summing x’s gradient', () => {
    const x = Tensor.from([1, 2], [2], { dtype: 'float64', requiresGrad: true });
    const mask = Tensor.from([1, 0, 0, 0], [2, 2], f64);
    const y = maskedFill(x, mask, 9);
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([9, 2, 1, 2]);
    sum(y).backward();
    expect(Array.from(x.grad!)).toEqual([1, 2]);
  });

  it('where picks from a where the condition holds, else from b', () => {
    const rng = new TorchGenerator(15);
    const a = randn(rng, [2, 3], { requiresGrad: true });
    const b = randn(rng, [3], { requiresGrad: true });
    const cond = Tensor.from([1, 0, 1, 0, 0, 1], [2, 3], f64);
    const y = where(cond, a, b);
    expect(y.toArray()).toEqual([a.data[0], b.data[1], a.data[2], b.data[0], b.data[1], a.data[5]]);
    expectGradientsCorrect((p, q) => where(cond, p!, q!), [a, b]);
  });
});
