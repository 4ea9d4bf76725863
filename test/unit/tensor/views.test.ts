import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { cat, chunk, split, stack } from '../../../engine/tensor/concat';
import { index, narrow, select, slice } from '../../../engine/tensor/indexing';
import { Tensor } from '../../../engine/tensor/tensor';
import { contiguous, expand, flatten, permute, squeeze, transpose, unsqueeze, view } from '../../../engine/tensor/views';
import { expectGradientsCorrect, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;
const iota = (shape: number[]): Tensor => Tensor.from(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i), shape, f64);

/** Element (i₀, i₁, …) of a contiguous tensor. */
function el(t: Tensor, ...idx: number[]): number {
  let o = 0;
  idx.forEach((k, d) => (o = o * t.shape[d]! + k));
  return t.data[o]!;
}

describe('relabeling views', () => {
  const x = iota([2, 3, 4]);

  it('view, flatten, unsqueeze and squeeze share the storage under a new shape', () => {
    expect(view(x, [6, -1]).shape).toEqual([6, 4]);
    expect(view(x, [6, -1]).data).toBe(x.data);
    expect(flatten(x).shape).toEqual([24]);
    expect(flatten(x, 1).shape).toEqual([2, 12]);
    expect(flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(unsqueeze(x, 1).shape).toEqual([2, 1, 3, 4]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 4, 1]);
    expect(squeeze(Tensor.zeros([1, 3, 1])).shape).toEqual([3]);
    expect(squeeze(Tensor.zeros([1, 3, 1]), 0).shape).toEqual([3, 1]);
    expect(squeeze(Tensor.zeros([2, 3]), 0).shape).toEqual([2, 3]);
    expect(contiguous(x)).toBe(x);
    expect(() => view(x, [5, -1])).toThrow(RangeError);
    expect(() => flatten(x, 2, 1)).toThrow(RangeError);
  });
});

describe('permute and transpose', () => {
  it('moves elements as the index permutation says', () => {
    const x = iota([2, 3, 4]);
    const p = permute(x, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 4; c++) expect(el(p, c, a, b)).toBe(el(x, a, b, c));
    const t = transpose(x, -2, -1);
    expect(t.shape).toEqual([2, 4, 3]);
    for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 4; c++) expect(el(t, a, c, b)).toBe(el(x, a, b, c));
    expect(() => permute(x, [0, 0, 1])).toThrow(RangeError);
  });

  it('has correct gradients (the inverse permutation)', () => {
    const rng = new TorchGenerator(1);
    expectGradientsCorrect((x) => permute(x!, [2, 0, 3, 1]), [randn(rng, [2, 3, 4, 2], { requiresGrad: true })]);
    expectGradientsCorrect((x) => transpose(x!, 1, 2), [randn(rng, [2, 3, 4], { requiresGrad: true })]);
  });
});

describe('expand', () => {
  it('repeats size-1 dimensions and adds leading ones; −1 keeps a size', () => {
    const x = Tensor.from([1, 2, 3], [3, 1], f64);
    const y = expand(x, [2, -1, 4]);
    expect(y.shape).toEqual([2, 3, 4]);
    for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 4; c++) expect(el(y, a, b, c)).toBe(b + 1);
    expect(() => expand(x, [2, 4])).toThrow(RangeError);
  });

  it('sums the gradient over the expanded dimensions', () => {
    const rng = new TorchGenerator(2);
    expectGradientsCorrect((x) => expand(x!, [3, 2, 4, 5]), [randn(rng, [2, 1, 5], { requiresGrad: true })]);
  });
});

describe('indexing with integers, slices, None and ...', () => {
  const x = iota([2, 5, 3]);

  it("x[:, -1, :] takes the last position and drops the dimension", () => {
    const y = index(x, [{}, -1, {}]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([12, 13, 14, 27, 28, 29]);
  });

  it('x[..., :2], x[:, 1:4:2], x[None, 0] and clamped bounds, as Python', () => {
    expect(index(x, ['...', { stop: 2 }]).shape).toEqual([2, 5, 2]);
    expect(index(x, ['...', { stop: 2 }]).toArray().slice(0, 4)).toEqual([0, 1, 3, 4]);
    const strided = index(x, [{}, { start: 1, stop: 4, step: 2 }]);
    expect(strided.shape).toEqual([2, 2, 3]);
    expect(strided.toArray()).toEqual([3, 4, 5, 9, 10, 11, 18, 19, 20, 24, 25, 26]);
    expect(index(x, [null, 0]).shape).toEqual([1, 5, 3]);
    expect(index(x, [{}, { start: -2 }]).shape).toEqual([2, 2, 3]);
    expect(index(x, [{}, { start: 3, stop: 100 }]).shape).toEqual([2, 2, 3]);
    expect(index(x, [{}, { start: 4, stop: 2 }]).shape).toEqual([2, 0, 3]);
    expect(index(x, [1, 2, 0]).shape).toEqual([]);
    expect(index(x, [1, 2, 0]).item()).toBe(21);
  });

  it('select, narrow and slice are the one-dimension cases', () => {
    expect(select(x, 1, 2).toArray()).toEqual(index(x, [{}, 2]).toArray());
    expect(narrow(x, 1, 1, 3).toArray()).toEqual(index(x, [{}, { start: 1, stop: 4 }]).toArray());
    expect(slice(x, -1, 1).toArray()).toEqual(index(x, ['...', { start: 1 }]).toArray());
    expect(() => narrow(x, 1, 3, 3)).toThrow(RangeError);
  });

  it('rejects indices out of range, two ellipses, too many indices and non-positive steps', () => {
    expect(() => index(x, [2])).toThrow(/out of bounds/);
    expect(() => index(x, ['...', '...'])).toThrow(RangeError);
    expect(() => index(x, [0, 0, 0, 0])).toThrow(/too many/);
    expect(() => index(x, [{ step: 0 }])).toThrow(RangeError);
  });

  it('scatters the gradient back to the chosen positions', () => {
    const rng = new TorchGenerator(3);
    const t = randn(rng, [3, 5, 4], { requiresGrad: true });
    expectGradientsCorrect((a) => index(a!, [{}, -1, {}]), [t]);
    expectGradientsCorrect((a) => index(a!, ['...', { start: 1, stop: 4, step: 2 }, null]), [t]);
    expectGradientsCorrect((a) => index(a!, [{ start: 1 }, { stop: 3 }, 2]), [t]);
  });
});

describe('cat, stack, split and chunk', () => {
  it('cat joins along any dimension', () => {
    const a = iota([2, 2]);
    const b = Tensor.from([10, 11, 12, 13, 14, 15], [2, 3], f64);
    const c = cat([a, b], 1);
    expect(c.shape).toEqual([2, 5]);
    expect(c.toArray()).toEqual([0, 1, 10, 11, 12, 2, 3, 13, 14, 15]);
    expect(cat([a, a], 0).toArray()).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(() => cat([a, b], 0)).toThrow(RangeError);
  });

  it('stack adds a dimension', () => {
    const a = iota([2, 3]);
    expect(stack([a, a, a], 1).shape).toEqual([2, 3, 3]);
    expect(stack([a, a], -1).shape).toEqual([2, 3, 2]);
    expect(el(stack([a, a], 1), 1, 0, 2)).toBe(5);
  });

  it('split by size or by sections, chunk by torch’s ⌈n/chunks⌉ rule', () => {
    const x = iota([2, 7]);
    expect(split(x, 3, 1).map((t) => t.shape)).toEqual([[2, 3], [2, 3], [2, 1]]);
    expect(split(x, [2, 5], 1).map((t) => t.shape)).toEqual([[2, 2], [2, 5]]);
    expect(split(x, [2, 5], 1)[1]!.toArray()).toEqual([2, 3, 4, 5, 6, 9, 10, 11, 12, 13]);
    expect(chunk(x, 3, 1).map((t) => t.shape[1])).toEqual([3, 3, 1]);
    expect(chunk(iota([6]), 4).map((t) => t.shape[0])).toEqual([2, 2, 2]);
    expect(() => split(x, [2, 2], 1)).toThrow(RangeError);
  });

  it('has correct gradients through cat, stack and the pieces of split', () => {
    const rng = new TorchGenerator(4);
    const a = randn(rng, [2, 3, 2], { requiresGrad: true });
    const b = randn(rng, [2, 1, 2], { requiresGrad: true });
    expectGradientsCorrect((p, q) => cat([p!, q!, p!], 1), [a, b]);
    expectGradientsCorrect((p) => stack([p!, p!], 2), [a]);
    const x = randn(rng, [2, 9], { requiresGrad: true });
    expectGradientsCorrect((t) => {
      const [q, k, v] = split(t!, 3, 1);
      return cat([v!, q!, k!], 0);
    }, [x]);
  });
});
