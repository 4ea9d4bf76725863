/**
 * Softmax and LogSoftmax along any dimension (the last by default, as the
 * modules' dim=-1; a slice along `dim` is read with the stride of the
 * dimensions after it), numerically stable by
 * subtracting the row maximum m first (which cancels in both formulas):
 *   softmax(x)ᵢ    = e^(xᵢ − m) / Σⱼ e^(xⱼ − m)
 *   logSoftmax(x)ᵢ = (xᵢ − m) − log Σⱼ e^(xⱼ − m)
 * (xᵢ − m is formed first, as torch does: it is exact for nearby values,
 * whereas m + log Σ would round at the magnitude of m.)
 * Backward (per row, g = ∂L/∂y):
 *   softmax:     ∂L/∂xᵢ = yᵢ·(gᵢ − Σⱼ gⱼyⱼ)
 *   logSoftmax:  ∂L/∂xᵢ = gᵢ − e^(yᵢ)·Σⱼ gⱼ
 * Row sums are accumulated in float64; each output is rounded once. Softmax
 * along contiguous rows of a large input runs in WebAssembly (softmaxWasm.ts,
 * with Math.exp imported): the same operations, the same bits.
 */
import { allocateUnset, dtypeOf, scratch64, type FloatArray } from './dtype';
import { opResult, zerosLike } from './op';
import { normalizeDim, splitAt } from './shape';
import { SOFTMAX_WASM_MIN_LENGTH, softmaxBackwardWasm, softmaxForwardWasm } from './softmaxWasm';
import type { Tensor } from './tensor';

export function rowMax(xs: FloatArray, offset: number, length: number): number {
  let m = -Infinity;
  for (let j = 0; j < length; j++) {
    const v = xs[offset + j]!;
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/** log Σⱼ e^(xⱼ − m) of one row, given its maximum m. */
export function rowLogSumShiftedExp(xs: FloatArray, offset: number, length: number, m: number): number {
  let s = 0;
  for (let j = 0; j < length; j++) s += Math.exp(xs[offset + j]! - m);
  return Math.log(s);
}

/** Element offsets of the slices along `dim`: slice (o, i) starts at o·size·inner + i and steps by inner. */
function slices(x: Tensor, dim: number): { outer: number; size: number; inner: number } {
  return x.ndim === 0 ? { outer: 1, size: 1, inner: 1 } : splitAt(x.shape, normalizeDim(dim, x.ndim));
}

/** softmax along `dim` (default the last, −1). */
export function softmax(x: Tensor, dim = -1): Tensor {
  const xs = x.data;
  const { outer, size: C, inner } = slices(x, dim);
  // Every element of y and of ∂L/∂x is written below.
  const y = allocateUnset(dtypeOf(xs), xs.length);
  // Contiguous rows (the last dimension) of a large input go to the WebAssembly kernels: the same bits.
  const useWasm = inner === 1 && xs.length >= SOFTMAX_WASM_MIN_LENGTH;
  if (!(useWasm && softmaxForwardWasm(xs, y, C))) softmaxForward(xs, y, scratch64(C), outer, C, inner);
  return opResult('SoftmaxBackward', y, x.shape, [x], (g) => {
    const gx = allocateUnset(dtypeOf(g), g.length);
    if (!(useWasm && softmaxBackwardWasm(g, y, gx, C))) softmaxBackward(g, y, gx, outer, C, inner);
    return [gx];
  });
}

// The kernels are functions of their own, on arrays only (no closure), which V8 compiles to tighter loops.

/** y = softmax of every slice (o, i) along the dimension; `row` is a float64 scratch of C values. */
function softmaxForward(xs: FloatArray, y: FloatArray, row: Float64Array, outer: number, C: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const offset = o * C * inner + i;
      const m = stridedMax(xs, offset, C, inner);
      let s = 0;
      for (let j = 0, p = offset; j < C; j++, p += inner) {
        const v = xs[p]!;
        // A masked entry (−∞, as masked_fill leaves a causal mask's) has e^(−∞ − m) = 0 exactly for
        // any finite m: skipping the exponential gives the same bits. m = −∞ (a fully masked row)
        // takes the exponential, whose NaN torch gives too.
        const e = v === -Infinity && m !== -Infinity ? 0 : Math.exp(v - m);
        row[j] = e;
        s += e;
      }
      for (let j = 0, p = offset; j < C; j++, p += inner) y[p] = row[j]! / s;
    }
  }
}

/** ∂L/∂x = y·(g − Σ g·y) per slice. */
function softmaxBackward(g: FloatArray, y: FloatArray, gx: FloatArray, outer: number, C: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const offset = o * C * inner + i;
      let dot = 0;
      for (let j = 0, p = offset; j < C; j++, p += inner) dot += g[p]! * y[p]!;
      for (let j = 0, p = offset; j < C; j++, p += inner) gx[p] = y[p]! * (g[p]! - dot);
    }
  }
}

/** log-softmax along `dim` (default the last, −1). */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const xs = x.data;
  const { outer, size: C, inner } = slices(x, dim);
  const y = zerosLike(xs);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const offset = o * C * inner + i;
      const m = stridedMax(xs, offset, C, inner);
      let s = 0;
      for (let j = 0, p = offset; j < C; j++, p += inner) s += Math.exp(xs[p]! - m);
      const logSum = Math.log(s);
      for (let j = 0, p = offset; j < C; j++, p += inner) y[p] = xs[p]! - m - logSum;
    }
  }
  return opResult('LogSoftmaxBackward', y, x.shape, [x], (g) => {
    const gx = zerosLike(g);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const offset = o * C * inner + i;
        let total = 0;
        for (let j = 0, p = offset; j < C; j++, p += inner) total += g[p]!;
        for (let j = 0, p = offset; j < C; j++, p += inner) gx[p] = g[p]! - Math.exp(y[p]!) * total;
      }
    }
    return [gx];
  });
}

/** The maximum of `length` elements from `offset` in steps of `stride` (NaN wins, as torch). */
function stridedMax(xs: FloatArray, offset: number, length: number, stride: number): number {
  let m = -Infinity;
  for (let j = 0, p = offset; j < length; j++, p += stride) {
    const v = xs[p]!;
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}
