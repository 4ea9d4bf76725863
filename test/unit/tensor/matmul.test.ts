import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { linear, matmul } from '../../../engine/tensor/matmul';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';
import { gemmBuild } from '../../../engine/tensor/gemmWasm';
import { gemmReference } from '../support/gemmReference';

/** The multiply-add of products large enough for the WebAssembly kernel (engine/tensor/gemm.ts's header). */
const largeMadd = () => (gemmBuild() === 'fused' ? 'fused' : 'separate');

const f64 = { dtype: 'float64' } as const;

const identity = (x: number) => x;

/**
 * Textbook triple loop C[i][j] = Σ_p A[i][p]·B[p][j], p = 0, 1, …, k − 1,
 * each product and sum rounded by `fl`: float64 arithmetic by default,
 * float32 arithmetic with fl = Math.fround.
 */
function referenceMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, fl: (x: number) => number = identity): number[] {
  const c: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = fl(s + fl(a[i * k + p]! * b[p * n + j]!));
      c.push(s);
    }
  }
  return c;
}

/** Xᵀ of a row-major [rows, cols] matrix. */
function referenceTranspose(x: ArrayLike<number>, rows: number, cols: number): number[] {
  const t: number[] = [];
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) t.push(x[i * cols + j]!);
  return t;
}

describe('matmul', () => {
  it('multiplies a hand-computed 2×3 by 3×2 example', () => {
    const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], f64);
    const b = Tensor.from([7, 8, 9, 10, 11, 12], [3, 2], f64);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 2]);
    expect(c.toArray()).toEqual([58, 64, 139, 154]);
  });

  it('agrees with the triple loop on random matrices', () => {
    const rng = new TorchGenerator(1);
    const a = randn(rng, [7, 5]);
    const b = randn(rng, [5, 9]);
    expectClose(matmul(a, b).data, referenceMatmul(a.data, b.data, 7, 5, 9), 1e-14);
  });

  it('multiplies float32 matrices in float32 arithmetic (every product and sum rounded to float32)', () => {
    const rng = new TorchGenerator(2);
    const a = randn(rng, [4, 6], { dtype: 'float32' });
    const b = randn(rng, [6, 3], { dtype: 'float32' });
    const expected = referenceMatmul(a.data, b.data, 4, 6, 3, Math.fround);
    expect(Array.from(matmul(a, b).data)).toEqual(expected);
  });

  it('sums every entry in the order p = 0, 1, …, k − 1 for any shape (blocked and remainder paths)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (m, k, n, seed) => {
        const rng = new TorchGenerator(seed);
        const a = randn(rng, [m, k], { requiresGrad: true });
        const b = randn(rng, [k, n], { requiresGrad: true });
        const c = matmul(a, b);
        // Bit-identical to the sequential float64 triple loop, not merely close.
        expect(Array.from(c.data)).toEqual(referenceMatmul(a.data, b.data, m, k, n));
        const g = randn(rng, [m, n]);
        c.backward(g);
        // ∂L/∂A = G·Bᵀ and ∂L/∂B = Aᵀ·G, with the transposes written out.
        const bT = referenceTranspose(b.data, k, n);
        const aT = referenceTranspose(a.data, m, k);
        expect(Array.from(a.grad!)).toEqual(referenceMatmul(g.data, bT, m, n, k));
        expect(Array.from(b.grad!)).toEqual(referenceMatmul(aT, g.data, k, m, n));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps that order across the cache blocks of the packed kernel (k > 256, m > 64, n > 128), in float32 and float64', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const rng = new TorchGenerator(dtype === 'float32' ? 11 : 12);
      const [m, k, n] = [70, 517, 133];
      const a = randn(rng, [m, k], { dtype, requiresGrad: true });
      const b = randn(rng, [k, n], { dtype, requiresGrad: true });
      const c = matmul(a, b);
      const ref = (x: Float32Array | Float64Array, y: ArrayLike<number>, m: number, k: number, n: number) => gemmReference(x, k, 1, y, n, 1, m, k, n, null, largeMadd());
      const typed = (x: number[]) => (dtype === 'float32' ? Float32Array.from(x) : Float64Array.from(x));
      expect(Array.from(c.data)).toEqual(ref(a.data as Float32Array, b.data, m, k, n));
      const g = randn(rng, [m, n], { dtype });
      c.backward(g);
      expect(Array.from(a.grad!)).toEqual(ref(g.data as Float32Array, referenceTranspose(b.data, k, n), m, n, k));
      expect(Array.from(b.grad!)).toEqual(ref(typed(referenceTranspose(a.data, m, k)), g.data, k, m, n));
    }
  });

  it('rejects mismatched inner dimensions', () => {
    expect(() => matmul(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]))).toThrow(RangeError);
  });

  it('has correct gradients', () => {
    const rng = new TorchGenerator(3);
    expectGradientsCorrect(matmul, [randn(rng, [4, 3], { requiresGrad: true }), randn(rng, [3, 5], { requiresGrad: true })]);
  });
});

describe('linear', () => {
  it('computes x·Wᵀ + b with torch weight layout [out, in] (hand-computed)', () => {
    const x = Tensor.from([1, 2], [1, 2], f64);
    const w = Tensor.from([1, 0, 0, 1, 1, 1], [3, 2], f64); // 3 outputs, 2 inputs
    const b = Tensor.from([0.5, -0.5, 0], [3], f64);
    const y = linear(x, w, b);
    expect(y.shape).toEqual([1, 3]);
    expect(y.toArray()).toEqual([1.5, 1.5, 3]);
  });

  it('accepts a 1-D input and any leading dimensions', () => {
    const w = Tensor.from([1, 2, 3, 4], [2, 2], f64);
    expect(linear(Tensor.from([1, 1], [2], f64), w).toArray()).toEqual([3, 7]);
    expect(linear(Tensor.ones([2, 3, 2], f64), w).shape).toEqual([2, 3, 2]);
  });

  it('starts every sum at the bias and keeps the order p = 0, 1, … across cache blocks (float32, 300 inputs)', () => {
    const rng = new TorchGenerator(13);
    const [rows, inputs, outputs] = [9, 300, 135];
    const x = randn(rng, [rows, inputs], { dtype: 'float32' });
    const w = randn(rng, [outputs, inputs], { dtype: 'float32' });
    const b = randn(rng, [outputs], { dtype: 'float32' });
    const y = linear(x, w, b);
    // x·Wᵀ: A(i, p) = x[i·inputs + p], B(p, o) = w[o·inputs + p].
    expect(Array.from(y.data)).toEqual(gemmReference(x.data as Float32Array, inputs, 1, w.data, 1, inputs, rows, inputs, outputs, b.data, largeMadd()));
  });

  it('rejects a weight or bias of the wrong shape', () => {
    expect(() => linear(Tensor.zeros([1, 3]), Tensor.zeros([2, 2]))).toThrow(RangeError);
    expect(() => linear(Tensor.zeros([1, 2]), Tensor.zeros([2, 2]), Tensor.zeros([3]))).toThrow(RangeError);
  });

  it('starts each float32 sum at the bias', () => {
    const rng = new TorchGenerator(4);
    const x = randn(rng, [3, 4], { dtype: 'float32' });
    const w = randn(rng, [2, 4], { dtype: 'float32' });
    const b = randn(rng, [2], { dtype: 'float32' });
    const y = linear(x, w, b);
    for (let i = 0; i < 3; i++) {
      for (let o = 0; o < 2; o++) {
        let s = b.data[o]!;
        for (let p = 0; p < 4; p++) s = Math.fround(s + Math.fround(x.data[i * 4 + p]! * w.data[o * 4 + p]!));
        expect(y.data[i * 2 + o]).toBe(s);
      }
    }
  });

  it('sums the bias gradient over rows in order, in float64, rounded once (row counts around the 4-row unrolling)', () => {
    for (const rows of [1, 3, 4, 7, 9]) {
      const rng = new TorchGenerator(20 + rows);
      const x = randn(rng, [rows, 3], { dtype: 'float32' });
      const w = randn(rng, [5, 3], { dtype: 'float32' });
      const b = randn(rng, [5], { dtype: 'float32', requiresGrad: true });
      const y = linear(x, w, b);
      const g = randn(rng, [rows, 5], { dtype: 'float32', scale: 1e3 });
      y.backward(g);
      for (let j = 0; j < 5; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += g.data[r * 5 + j]!;
        expect(b.grad![j], `rows ${rows}, column ${j}`).toBe(Math.fround(s));
      }
    }
  });

  it('has correct gradients with and without bias, for 2-D and 3-D inputs', () => {
    const rng = new TorchGenerator(5);
    const x = randn(rng, [4, 3], { requiresGrad: true });
    const w = randn(rng, [2, 3], { requiresGrad: true });
    const b = randn(rng, [2], { requiresGrad: true });
    expectGradientsCorrect(linear, [x, w, b]);
    expectGradientsCorrect((xx, ww) => linear(xx, ww), [x, w]);
    expectGradientsCorrect(linear, [randn(rng, [2, 3, 3], { requiresGrad: true }), w, b]);
  });
});
