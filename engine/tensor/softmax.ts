/**
 * Softmax and LogSoftmax over the last dimension, numerically stable by
 * subtracting the row maximum m first (which cancels in both formulas):
 *   softmax(x)ᵢ    = e^(xᵢ − m) / Σⱼ e^(xⱼ − m)
 *   logSoftmax(x)ᵢ = (xᵢ − m) − log Σⱼ e^(xⱼ − m)
 * (xᵢ − m is formed first, as torch does: it is exact for nearby values,
 * whereas m + log Σ would round at the magnitude of m.)
 * Backward (per row, g = ∂L/∂y):
 *   softmax:     ∂L/∂xᵢ = yᵢ·(gᵢ − Σⱼ gⱼyⱼ)
 *   logSoftmax:  ∂L/∂xᵢ = gᵢ − e^(yᵢ)·Σⱼ gⱼ
 * Row sums are accumulated in float64; each output is rounded once.
 */
import { scratch64, type FloatArray } from './dtype';
import { opResult, zerosLike } from './op';
import { lastDim } from './shape';
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

export function softmax(x: Tensor): Tensor {
  const xs = x.data;
  const C = lastDim(x.shape);
  const y = zerosLike(xs);
  const row = scratch64(C);
  for (let offset = 0; offset < xs.length; offset += C) {
    const m = rowMax(xs, offset, C);
    let s = 0;
    for (let j = 0; j < C; j++) {
      row[j] = Math.exp(xs[offset + j]! - m);
      s += row[j]!;
    }
    for (let j = 0; j < C; j++) y[offset + j] = row[j]! / s;
  }
  return opResult('SoftmaxBackward', y, x.shape, [x], (g) => {
    const gx = zerosLike(g);
    for (let offset = 0; offset < g.length; offset += C) {
      let dot = 0;
      for (let j = 0; j < C; j++) dot += g[offset + j]! * y[offset + j]!;
      for (let j = 0; j < C; j++) gx[offset + j] = y[offset + j]! * (g[offset + j]! - dot);
    }
    return [gx];
  });
}

export function logSoftmax(x: Tensor): Tensor {
  const xs = x.data;
  const C = lastDim(x.shape);
  const y = zerosLike(xs);
  for (let offset = 0; offset < xs.length; offset += C) {
    const m = rowMax(xs, offset, C);
    const logSum = rowLogSumShiftedExp(xs, offset, C, m);
    for (let j = 0; j < C; j++) y[offset + j] = xs[offset + j]! - m - logSum;
  }
  return opResult('LogSoftmaxBackward', y, x.shape, [x], (g) => {
    const gx = zerosLike(g);
    for (let offset = 0; offset < g.length; offset += C) {
      let total = 0;
      for (let j = 0; j < C; j++) total += g[offset + j]!;
      for (let j = 0; j < C; j++) gx[offset + j] = g[offset + j]! - Math.exp(y[offset + j]!) * total;
    }
    return [gx];
  });
}
