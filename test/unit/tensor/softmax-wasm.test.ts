/**
 * Softmax along contiguous rows in WebAssembly (softmaxWasm.ts, Math.exp
 * imported) against softmax.ts's loops written out: the same bits in float32
 * and float64, forward and backward, on rows with every kind of value —
 * causal-mask rows (−∞ after the diagonal), a fully masked row (NaN, as
 * torch), ±∞ and NaN entries, ±0, subnormals, large magnitudes — at widths
 * with and without a SIMD tail; and softmax() itself above and below the
 * length where the kernels take over.
 */
import { describe, expect, it } from 'vitest';
import type { FloatArray } from '../../../engine/tensor/dtype';
import { softmax } from '../../../engine/tensor/softmax';
import { SOFTMAX_WASM_MIN_LENGTH, softmaxBackwardWasm, softmaxForwardWasm } from '../../../engine/tensor/softmaxWasm';
import { Tensor } from '../../../engine/tensor/tensor';
import { bitMismatches } from '../support/bitMismatches';

const EDGE = [0, -0, 1e-45, -1e-45, 5e-324, 1e-310, 3e38, -3e38, 1e300, -1e300, Infinity, -Infinity, NaN, 88.5, -104, 709, -745];

function values(n: number, seed: number, scale = 4): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

/** Rows of C: random, causal-masked (row r keeps r % C + 1 entries), fully masked, and edge values. */
function rows(R: number, C: number, seed: number): number[] {
  const v = values(R * C, seed);
  for (let r = 0; r < R; r++) {
    const kind = r % 5;
    for (let j = 0; j < C; j++) {
      const at = r * C + j;
      if (kind === 1 && j > r % C) v[at] = -Infinity;
      if (kind === 2 && r % 10 === 2) v[at] = -Infinity;
      if (kind === 3) v[at] = EDGE[(j + r) % EDGE.length]!;
      if (kind === 4 && j % 3 === 0) v[at] = EDGE[(j * 7 + r) % EDGE.length]!;
    }
  }
  return v;
}

/** softmax.ts's forward and backward loops (inner = 1), as they were written. */
function referenceForward(xs: FloatArray, y: FloatArray, C: number): void {
  const row = new Float64Array(C);
  for (let offset = 0; offset < xs.length; offset += C) {
    let m = -Infinity;
    for (let j = 0; j < C; j++) {
      const v = xs[offset + j]!;
      if (v > m || Number.isNaN(v)) m = v;
    }
    let s = 0;
    for (let j = 0; j < C; j++) {
      const v = xs[offset + j]!;
      const e = v === -Infinity && m !== -Infinity ? 0 : Math.exp(v - m);
      row[j] = e;
      s += e;
    }
    for (let j = 0; j < C; j++) y[offset + j] = row[j]! / s;
  }
}

function referenceBackward(g: FloatArray, y: FloatArray, gx: FloatArray, C: number): void {
  for (let offset = 0; offset < g.length; offset += C) {
    let dot = 0;
    for (let j = 0; j < C; j++) dot += g[offset + j]! * y[offset + j]!;
    for (let j = 0; j < C; j++) gx[offset + j] = y[offset + j]! * (g[offset + j]! - dot);
  }
}


describe('softmax in WebAssembly', () => {
  for (const Array_ of [Float32Array, Float64Array]) {
    const dtype = Array_ === Float32Array ? 'float32' : 'float64';
    it(`forward and backward give the loops' bits (${dtype}; 43 rows of widths 1, 3, 17, 64, 65)`, () => {
      for (const C of [1, 3, 17, 64, 65]) {
        const R = 43; // groups of four rows and a tail of three
        const x = Array_.from(rows(R, C, C));
        const want = new Array_(R * C);
        referenceForward(x, want, C);
        const y = new Array_(R * C).fill(7);
        expect(softmaxForwardWasm(x, y, C)).toBe(true);
        expect(bitMismatches(y, want), `C = ${C}`).toEqual([]);
        const g = Array_.from(values(R * C, 100 + C, 3).map((v, i) => (i % 11 === 0 ? EDGE[i % EDGE.length]! : v)));
        const gxWant = new Array_(R * C);
        referenceBackward(g, want, gxWant, C);
        const gx = new Array_(R * C).fill(7);
        expect(softmaxBackwardWasm(g, want, gx, C)).toBe(true);
        expect(bitMismatches(gx, gxWant), `C = ${C}`).toEqual([]);
      }
    });

    it(`softmax() on [B, H, T, T] causal scores, above and below SOFTMAX_WASM_MIN_LENGTH (${dtype})`, () => {
      for (const T of [4, 16, 64]) {
        const shape = [2, 3, T, T];
        const n = 2 * 3 * T * T;
        const data = values(n, T);
        for (let i = 0; i < n; i++) if (i % T > Math.floor(i / T) % T) data[i] = -Infinity;
        const x = Tensor.from(data, shape, { dtype, requiresGrad: true });
        const y = softmax(x, -1);
        const want = new Array_(n);
        referenceForward(x.data, want, T);
        expect(bitMismatches(y.data, want), `T = ${T}, ${n >= SOFTMAX_WASM_MIN_LENGTH ? 'from' : 'below'} the WebAssembly length`).toEqual([]);
        const g = Array_.from(values(n, 7 * T));
        y.backward(g);
        const gxWant = new Array_(n);
        referenceBackward(g, want, gxWant, T);
        expect(bitMismatches(x.grad!, gxWant)).toEqual([]);
      }
    });
  }

  it('declines mixed dtypes and a length that is not whole rows, writing nothing', () => {
    const y = new Float32Array(64).fill(7);
    expect(softmaxForwardWasm(new Float64Array(64), y, 8)).toBe(false);
    expect(softmaxForwardWasm(new Float32Array(64), y, 7)).toBe(false);
    expect(softmaxBackwardWasm(new Float32Array(64), new Float64Array(64), y, 8)).toBe(false);
    expect(Array.from(y).every((v) => v === 7)).toBe(true);
  });
});
