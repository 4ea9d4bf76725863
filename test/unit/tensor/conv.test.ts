import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from '../../../engine/tensor/conv';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

// A convolution is linear in each input element, so central differences have no truncation
// error and a large step only shrinks their rounding error (u·|φ|/ε).
const LINEAR = { eps: 1e-3 };

/** Direct evaluation of conv2d's definition, the independent reference for the im2col path. */
function naiveConv2d(x: Tensor, w: Tensor, b: Tensor | null, s: number[], p: number[], d: number[], groups: number): number[] {
  const [N, C, H, W] = x.shape as number[] as [number, number, number, number];
  const [OC, Cg, KH, KW] = w.shape as number[] as [number, number, number, number];
  const OH = Math.floor((H + 2 * p[0]! - d[0]! * (KH - 1) - 1) / s[0]!) + 1;
  const OW = Math.floor((W + 2 * p[1]! - d[1]! * (KW - 1) - 1) / s[1]!) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let o = 0; o < OC; o++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    let acc = b ? b.data[o]! : 0;
    const group = Math.floor(o / (OC / groups));
    for (let c = 0; c < Cg; c++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
      const ih = i * s[0]! - p[0]! + kh * d[0]!;
      const iw = j * s[1]! - p[1]! + kw * d[1]!;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      acc += w.data[((o * Cg + c) * KH + kh) * KW + kw]! * x.data[((n * C + group * Cg + c) * H + ih) * W + iw]!;
    }
    out.push(acc);
  }
  return out;
}

describe('conv2d', () => {
  const rng = new TorchGenerator(7);
  it('matches the definition (stride, padding, dilation, groups)', () => {
    const x = randn(rng, [2, 4, 7, 6]);
    const w = randn(rng, [6, 2, 3, 2]);
    const b = randn(rng, [6]);
    const y = conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 });
    expect(y.shape).toEqual([2, 6, 4, 8]);
    expectClose(y.data, naiveConv2d(x, w, b, [2, 1], [1, 2], [1, 2], 2), 1e-13);
  });

  it('has correct gradients', () => {
    const x = randn(rng, [2, 4, 5, 4], { requiresGrad: true });
    const w = randn(rng, [4, 2, 3, 2], { requiresGrad: true });
    const b = randn(rng, [4], { requiresGrad: true });
    expectGradientsCorrect((x, w, b) => conv2d(x, w, b, { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2 }), [x, w, b], LINEAR);
    expectGradientsCorrect((x, w) => conv2d(x, w, null, { padding: 'same' }), [randn(rng, [1, 2, 4, 5], { requiresGrad: true }), randn(rng, [3, 2, 2, 3], { requiresGrad: true })], LINEAR);
  });

  it('accepts an unbatched input and rejects mismatched channels', () => {
    const w = randn(rng, [2, 3, 1, 1]);
    expect(conv2d(randn(rng, [3, 2, 2]), w).shape).toEqual([2, 2, 2]);
    expect(() => conv2d(randn(rng, [1, 4, 2, 2]), w)).toThrow(/expected input \[1, 4, 2, 2\] to have 3 channels/);
    expect(() => conv2d(randn(rng, [1, 3, 2, 2]), randn(rng, [2, 3, 3, 3]))).toThrow(/output size/);
    expect(() => conv2d(randn(rng, [1, 3, 4, 4]), w, null, { padding: 'same', stride: 2 })).toThrow(/strided/);
  });
});

describe('conv1d and the transposed convolutions', () => {
  const rng = new TorchGenerator(8);
  it('conv1d is conv2d with a height of one', () => {
    const x = randn(rng, [2, 3, 9]);
    const w = randn(rng, [4, 3, 3]);
    const y1 = conv1d(x, w, null, { stride: 2, padding: 1 });
    const y2 = conv2d(Tensor.from(x.data, [2, 3, 1, 9]), Tensor.from(w.data, [4, 3, 1, 3]), null, { stride: [1, 2], padding: [0, 1] });
    expect(y1.shape).toEqual([2, 4, 5]);
    expect(y1.toArray()).toEqual(y2.toArray());
  });

  it('conv_transpose2d is the adjoint of conv2d: <conv(x), y> = <x, convT(y)>', () => {
    const x = randn(rng, [2, 4, 7, 6]);
    const w = randn(rng, [6, 2, 3, 3]);
    const options = { stride: 2, padding: 1, dilation: 1, groups: 2 };
    const y = conv2d(x, w, null, options);
    const v = randn(rng, y.shape);
    const back = convTranspose2d(v, w, null, { ...options, outputPadding: [0, 1] });
    expect(back.shape).toEqual(x.shape);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < y.numel; i++) lhs += y.data[i]! * v.data[i]!;
    for (let i = 0; i < x.numel; i++) rhs += x.data[i]! * back.data[i]!;
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-11 * Math.abs(lhs));
  });

  it('have correct gradients', () => {
    expectGradientsCorrect((x, w, b) => conv1d(x, w, b, { padding: 'same', dilation: 2, groups: 2 }), [
      randn(rng, [2, 4, 6], { requiresGrad: true }), randn(rng, [2, 2, 3], { requiresGrad: true }), randn(rng, [2], { requiresGrad: true }),
    ], LINEAR);
    expectGradientsCorrect((x, w, b) => convTranspose2d(x, w, b, { stride: [2, 1], padding: 1, outputPadding: [1, 0], groups: 2 }), [
      randn(rng, [2, 4, 3, 3], { requiresGrad: true }), randn(rng, [4, 1, 3, 2], { requiresGrad: true }), randn(rng, [2], { requiresGrad: true }),
    ], LINEAR);
    expectGradientsCorrect((x, w) => convTranspose1d(x, w, null, { stride: 3, dilation: 2 }), [
      randn(rng, [1, 2, 4], { requiresGrad: true }), randn(rng, [2, 3, 2], { requiresGrad: true }),
    ], LINEAR);
  });
});

describe('conv2d bias: forward and gradient as plain loops, bit for bit', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: y = (conv without bias) + b per channel; ∂L/∂b = Σ_{n, i, j} g in float64, rounded once (7 channels: four side by side, then the rest)`, () => {
      const rng = new TorchGenerator(21);
      const x = randn(rng, [3, 2, 9, 8], { dtype });
      const w = randn(rng, [7, 2, 3, 3], { dtype, requiresGrad: true });
      const b = randn(rng, [7], { dtype, requiresGrad: true });
      const y = conv2d(x, w, b, { padding: 1, stride: [2, 1] });
      const plain = conv2d(x, w, null, { padding: 1, stride: [2, 1] });
      const [N, OC, OH, OW] = y.shape as [number, number, number, number];
      const round = dtype === 'float32' ? Math.fround : (v: number) => v;
      for (let i = 0; i < y.numel; i++) expect(y.data[i]).toBe(round(plain.data[i]! + b.data[Math.floor(i / (OH * OW)) % OC]!));
      const g = randn(rng, y.shape, { dtype }).data;
      y.backward(g);
      for (let o = 0; o < OC; o++) {
        let s = 0;
        for (let n = 0; n < N; n++) for (let i = 0; i < OH * OW; i++) s += g[(n * OC + o) * OH * OW + i]!;
        expect(b.grad![o]).toBe(round(s));
      }
    });
  }
});
