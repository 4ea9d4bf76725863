/**
 * The remaining ops of a transformer's forward: softmax on any dimension,
 * sums and means over several dimensions, layer norm over a trailing shape,
 * Mish, the factories and triangular masks, and scaled dot-product attention
 * (checked against its definition composed of the engine's separate ops).
 */
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { mish } from '../../../engine/tensor/activation';
import { scaledDotProductAttention } from '../../../engine/tensor/attention';
import { add, eq, maskedFill, mul } from '../../../engine/tensor/binary';
import { arange, ones, tril, triu } from '../../../engine/tensor/creation';
import { dropout } from '../../../engine/tensor/dropout';
import { layerNorm } from '../../../engine/tensor/layerNorm';
import { matmul } from '../../../engine/tensor/matmul';
import { mean, sum } from '../../../engine/tensor/reduce';
import { logSoftmax, softmax } from '../../../engine/tensor/softmax';
import { Tensor } from '../../../engine/tensor/tensor';
import { permute, transpose } from '../../../engine/tensor/views';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;

describe('softmax and log_softmax along any dimension', () => {
  it('equal the last-dimension op applied to the dimension moved last', () => {
    const rng = new TorchGenerator(20);
    const x = randn(rng, [2, 3, 4, 5]);
    for (let dim = 0; dim < 4; dim++) {
      const order = [0, 1, 2, 3].filter((d) => d !== dim).concat(dim);
      const inverse = order.map((_, i) => order.indexOf(i));
      expectClose(softmax(x, dim).data, permute(softmax(permute(x, order)), inverse).data, 1e-15);
      expectClose(logSoftmax(x, dim - 4).data, permute(logSoftmax(permute(x, order)), inverse).data, 1e-15);
    }
  });

  it('has correct gradients on an inner dimension', () => {
    const rng = new TorchGenerator(21);
    expectGradientsCorrect((x) => softmax(x!, 1), [randn(rng, [2, 3, 4], { requiresGrad: true })]);
    expectGradientsCorrect((x) => logSoftmax(x!, 0), [randn(rng, [3, 2, 2], { requiresGrad: true })]);
  });
});

describe('sum and mean over several dimensions', () => {
  const x = Tensor.from(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4], f64);

  it('reduce the listed dimensions, keeping them as size 1 on request', () => {
    const s = sum(x, [0, 2]);
    expect(s.shape).toEqual([3]);
    expect(s.toArray()).toEqual([0, 1, 2].map((j) => [0, 1].reduce((a, i) => a + [0, 1, 2, 3].reduce((b, k) => b + i * 12 + j * 4 + k, 0), 0)));
    expect(sum(x, [0, 2], true).shape).toEqual([1, 3, 1]);
    expect(mean(x, [-1, -2], true).shape).toEqual([2, 1, 1]);
    expect(mean(x, [-1, -2]).toArray()).toEqual([5.5, 17.5]);
    expect(sum(x, []).item()).toBe(276);
    expect(() => sum(x, [1, 1])).toThrow(RangeError);
  });

  it('have correct gradients', () => {
    const rng = new TorchGenerator(22);
    const t = randn(rng, [2, 3, 4], { requiresGrad: true });
    expectGradientsCorrect((a) => mean(a!, [0, 2], true), [t]);
    expectGradientsCorrect((a) => sum(a!, [1, 2]), [t]);
  });
});

describe('layer norm over a trailing shape', () => {
  it('normalizes over the last k dimensions as one row of their product', () => {
    const rng = new TorchGenerator(23);
    const x = randn(rng, [2, 3, 4]);
    const w = randn(rng, [3, 4]);
    const b = randn(rng, [3, 4]);
    const flat = layerNorm(Tensor.from(x.data, [2, 12], f64), 12, Tensor.from(w.data, [12], f64), Tensor.from(b.data, [12], f64));
    const shaped = layerNorm(x, [3, 4], w, b);
    expect(shaped.shape).toEqual([2, 3, 4]);
    expectClose(shaped.data, flat.data, 0);
    expect(() => layerNorm(x, [4, 3])).toThrow(RangeError);
    expect(() => layerNorm(x, [3, 4], Tensor.zeros([12], f64))).toThrow(RangeError);
  });

  it('has correct gradients for input, weight and bias', () => {
    const rng = new TorchGenerator(24);
    expectGradientsCorrect((a, w, b) => layerNorm(a!, [2, 3], w!, b!), [
      randn(rng, [2, 2, 3], { requiresGrad: true }),
      randn(rng, [2, 3], { requiresGrad: true }),
      randn(rng, [2, 3], { requiresGrad: true }),
    ]);
  });
});

describe('Mish', () => {
  it('is x·tanh(log(1 + eˣ)), finite at large |x|, with correct gradients', () => {
    const x = Tensor.from([-30, -1, 0, 0.5, 3, 50], [6], f64);
    expectClose(mish(x).data, Array.from(x.data, (v) => v * Math.tanh(Math.log1p(Math.exp(v)))), 1e-15);
    expect(mish(Tensor.from([1000], [1], f64)).item()).toBe(1000);
    const rng = new TorchGenerator(25);
    expectGradientsCorrect((a) => mish(a!), [randn(rng, [10], { requiresGrad: true, scale: 3 })]);
  });
});

describe('factories and triangular masks', () => {
  it('arange counts ⌈(end − start)/step⌉ values', () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25, f64).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(() => arange(0, 3, -1)).toThrow(RangeError);
  });

  it('tril/triu keep the (off-)diagonal triangles of the last two dimensions', () => {
    const m = tril(ones([3, 4]));
    expect(m.toArray()).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0]);
    expect(tril(ones([2, 2, 3]), -1).toArray()).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(triu(ones([3, 3]), 1).toArray()).toEqual([0, 1, 1, 0, 0, 1, 0, 0, 0]);
    const rng = new TorchGenerator(26);
    expectGradientsCorrect((a) => tril(a!, 1), [randn(rng, [2, 3, 3], { requiresGrad: true })]);
  });
});

/** Attention by its definition, composed of the engine's separate ops. */
function attentionByDefinition(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null): Tensor {
  const E = q.shape[q.ndim - 1]!;
  let scores = mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(E));
  if (bias) scores = add(scores, bias);
  return matmul(softmax(scores, -1), v);
}

describe('scaled dot-product attention', () => {
  const rng = new TorchGenerator(27);
  const q = randn(rng, [2, 3, 5, 4], { requiresGrad: true });
  const k = randn(rng, [2, 3, 6, 4], { requiresGrad: true });
  const v = randn(rng, [2, 3, 6, 7], { requiresGrad: true });

  it('equals softmax(Q·Kᵀ/√E)·V', () => {
    const out = scaledDotProductAttention(q, k, v);
    expect(out.shape).toEqual([2, 3, 5, 7]);
    expectClose(out.data, attentionByDefinition(q, k, v, null).data, 1e-14);
  });

  it('is_causal masks the keys after each query, as masked_fill of a tril mask does', () => {
    const qs = randn(rng, [2, 2, 5, 4]);
    const ks = randn(rng, [2, 2, 5, 4]);
    const vs = randn(rng, [2, 2, 5, 3]);
    const causal = tril(ones([5, 5], f64));
    const E = 4;
    const att = maskedFill(mul(matmul(qs, transpose(ks, -2, -1)), 1 / Math.sqrt(E)), eq(causal, 0), -Infinity);
    const expected = matmul(softmax(att, -1), vs);
    expectClose(scaledDotProductAttention(qs, ks, vs, { isCausal: true }).data, expected.data, 1e-14);
    // A boolean mask with the same triangle gives the same result.
    expectClose(scaledDotProductAttention(qs, ks, vs, { attnMask: causal, attnMaskBoolean: true }).data, expected.data, 1e-14);
  });

  it('adds a float mask broadcast over the batch', () => {
    const bias = randn(rng, [1, 3, 5, 6], { requiresGrad: true });
    expectClose(scaledDotProductAttention(q, k, v, { attnMask: bias }).data, attentionByDefinition(q, k, v, bias).data, 1e-14);
  });

  it('has correct gradients for Q, K, V and a float mask, causal or not', () => {
    const g = new TorchGenerator(28);
    const qs = randn(g, [2, 4, 3], { requiresGrad: true });
    const ks = randn(g, [2, 4, 3], { requiresGrad: true });
    const vs = randn(g, [2, 4, 2], { requiresGrad: true });
    const bias = randn(g, [4, 4], { requiresGrad: true });
    expectGradientsCorrect((a, b, c) => scaledDotProductAttention(a!, b!, c!), [qs, ks, vs]);
    expectGradientsCorrect((a, b, c) => scaledDotProductAttention(a!, b!, c!, { isCausal: true, scale: 0.3 }), [qs, ks, vs]);
    expectGradientsCorrect((a, b, c, m) => scaledDotProductAttention(a!, b!, c!, { attnMask: m! }), [qs, ks, vs, bias]);
  });

  it('drops attention weights as dropout does with the same random stream, and differentiates through them', () => {
    const qs = randn(rng, [1, 2, 4, 3]);
    const ks = randn(rng, [1, 2, 4, 3]);
    const vs = randn(rng, [1, 2, 4, 2]);
    const out = scaledDotProductAttention(qs, ks, vs, { dropoutP: 0.3, rng: new TorchGenerator(9) });
    const scores = mul(matmul(qs, transpose(ks, -2, -1)), 1 / Math.sqrt(3));
    const expected = matmul(dropout(softmax(scores, -1), 0.3, true, new TorchGenerator(9)), vs);
    expectClose(out.data, expected.data, 1e-14);
    const g = new TorchGenerator(30);
    expectGradientsCorrect(
      (a, b, c) => scaledDotProductAttention(a!, b!, c!, { dropoutP: 0.4, rng: new TorchGenerator(31) }),
      [randn(g, [2, 3, 2], { requiresGrad: true }), randn(g, [2, 3, 2], { requiresGrad: true }), randn(g, [2, 3, 2], { requiresGrad: true })],
    );
  });

  it('rejects inconsistent shapes, a mask with is_causal, and dropout without a generator', () => {
    expect(() => scaledDotProductAttention(q, k, q)).toThrow(RangeError);
    expect(() => scaledDotProductAttention(q, k, v, { isCausal: true, attnMask: Tensor.zeros([5, 6], f64) })).toThrow(RangeError);
    expect(() => scaledDotProductAttention(q, k, v, { dropoutP: 0.1 })).toThrow(/rng/);
    expect(() => scaledDotProductAttention(q, k, v, { attnMask: Tensor.zeros([4, 2, 3, 5, 6], f64) })).toThrow(/does not broadcast/);
    expect(() => scaledDotProductAttention(q, k, v, { attnMask: Tensor.zeros([5, 5], f64) })).toThrow(/do not broadcast/);
  });
});

describe('dropout on tensors of any rank', () => {
  it('draws one mask element per element in storage order, whatever the shape, and keeps the shape', () => {
    const x = Tensor.from(Array.from({ length: 120 }, (_, i) => i + 1), [2, 3, 4, 5], f64);
    const y = dropout(x, 0.5, true, new TorchGenerator(40));
    const flat = dropout(Tensor.from(x.data, [120], f64), 0.5, true, new TorchGenerator(40));
    expect(y.shape).toEqual([2, 3, 4, 5]);
    expect(y.toArray()).toEqual(flat.toArray());
    expect(y.toArray().filter((v) => v === 0).length).toBeGreaterThan(30);
    expect(dropout(x, 0.5, false, new TorchGenerator(40))).toBe(x);
  });
});
