/**
 * Reductions: sum, mean and max, over all elements or along one dimension
 * (sum and mean also along several, with keepDim).
 *
 * Sums are accumulated in float64 and rounded once. torch's CPU `sum` on
 * float32 accumulates in float32 with a multi-level cascade (pairwise-like)
 * order, so float32 sums of many terms can differ from torch in the last
 * ulp or two; float64 sums agree to ~1e-15 relative.
 */
import { planBroadcast } from './broadcast';
import { allocate, numel, scratch64 } from './dtype';
import { opResult, zerosLike } from './op';
import { normalizeDim, splitAt } from './shape';
import type { Tensor } from './tensor';

/** Output shape of a reduction along `dim`. */
function reducedShape(shape: readonly number[], dim: number, keepDim: boolean): number[] {
  return keepDim ? shape.map((d, i) => (i === dim ? 1 : d)) : shape.filter((_, i) => i !== dim);
}

/**
 * Σ along `dim` scaled by `scale` (1 for sum, 1/n for mean):
 *   y[o, i] = scale · Σ_k x[o, k, i],   ∂L/∂x[o, k, i] = scale · g[o, i].
 * Without `dim`, over all elements into a 0-D tensor.
 */
function scaledSum(name: string, x: Tensor, dim: number | undefined, keepDim: boolean, mean: boolean): Tensor {
  const d = dim === undefined ? undefined : normalizeDim(dim, x.ndim);
  const { outer, size, inner } = d === undefined ? { outer: 1, size: x.numel, inner: 1 } : splitAt(x.shape, d);
  const xs = x.data;
  const acc = scratch64(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < size; k++) {
      const offset = (o * size + k) * inner;
      for (let i = 0; i < inner; i++) acc[o * inner + i] += xs[offset + i]!;
    }
  }
  if (mean) for (let j = 0; j < acc.length; j++) acc[j] /= size;
  const y = allocate(x.dtype, acc.length);
  y.set(acc);
  const shape = d === undefined ? (keepDim ? x.shape.map(() => 1) : []) : reducedShape(x.shape, d, keepDim);
  return opResult(name, y, shape, [x], (g) => {
    const gx = zerosLike(xs);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < size; k++) {
        const offset = (o * size + k) * inner;
        for (let i = 0; i < inner; i++) gx[offset + i] = mean ? g[o * inner + i]! / size : g[o * inner + i]!;
      }
    }
    return [gx];
  });
}

/** Σ x over all elements (0-D result), along `dim`, or along several dimensions (torch's `sum(dim=(…))`). */
export function sum(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  if (typeof dim === 'object') return sumOverDims('SumBackward', x, dim, keepDim, false);
  return scaledSum('SumBackward', x, dim, keepDim, false);
}

/** (1/n) Σ x over all elements, along `dim` or along several dimensions (float64 sum divided by n, rounded once). */
export function mean(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  if (typeof dim === 'object') return sumOverDims('MeanBackward', x, dim, keepDim, true);
  return scaledSum('MeanBackward', x, dim, keepDim, true);
}

/**
 * Σ (or mean) over a set of dimensions; an empty set means all of them, as
 * torch's `sum(dim=[])`. The result's elements are the sums over the
 * reduced dimensions, read through a broadcast plan of the kept shape
 * (size 1 on the reduced dimensions); ∂L/∂x is g broadcast back (÷ n for the mean).
 */
function sumOverDims(name: string, x: Tensor, dims: readonly number[], keepDim: boolean, mean: boolean): Tensor {
  const reduced = new Set(dims.length === 0 ? x.shape.map((_, i) => i) : dims.map((d) => normalizeDim(d, Math.max(x.ndim, 1))));
  if (reduced.size !== (dims.length === 0 ? x.ndim : dims.length)) throw new RangeError(`${name}: a dimension appears twice in [${dims.join(', ')}]`);
  const kept = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  let count = 1;
  for (const d of reduced) count *= x.shape[d] ?? 1;
  const { inner, innerB, offsetsB } = planBroadcast(x.shape, x.shape, kept);
  const xs = x.data;
  const acc = scratch64(numel(kept));
  for (let r = 0, o = 0; r < offsetsB.length; r++, o += inner) {
    const ob = offsetsB[r]!;
    if (innerB === 0) {
      let s = 0;
      for (let j = 0; j < inner; j++) s += xs[o + j]!;
      acc[ob] += s;
    } else {
      for (let j = 0; j < inner; j++) acc[ob + j] += xs[o + j]!;
    }
  }
  if (mean) for (let j = 0; j < acc.length; j++) acc[j] /= count;
  const y = allocate(x.dtype, acc.length);
  y.set(acc);
  const shape = keepDim ? kept : x.shape.filter((_, i) => !reduced.has(i));
  return opResult(name, y, shape, [x], (g) => {
    const gx = zerosLike(xs);
    for (let r = 0, o = 0; r < offsetsB.length; r++, o += inner) {
      const ob = offsetsB[r]!;
      for (let j = 0; j < inner; j++) gx[o + j] = mean ? g[ob + j * innerB]! / count : g[ob + j * innerB]!;
    }
    return [gx];
  });
}

/**
 * max over all elements (0-D result). As torch's `max()`/`amax()`, the
 * gradient is shared equally among tied maxima: ∂L/∂x_i = g/t for each of
 * the t positions holding the maximum. NaN propagates as the maximum.
 */
export function max(x: Tensor): Tensor {
  const xs = x.data;
  if (xs.length === 0) throw new RangeError('max(): empty tensor');
  let best = xs[0]!;
  for (let i = 1; i < xs.length; i++) {
    const v = xs[i]!;
    if (v > best || Number.isNaN(v)) best = v;
    if (Number.isNaN(best)) break;
  }
  const y = allocate(x.dtype, 1);
  y[0] = best;
  return opResult('MaxBackward', y, [], [x], (g) => {
    const gx = zerosLike(xs);
    const bestIsNaN = Number.isNaN(best);
    let ties = 0;
    for (let i = 0; i < xs.length; i++) if (xs[i] === best || (bestIsNaN && Number.isNaN(xs[i]!))) ties++;
    const share = g[0]! / ties;
    for (let i = 0; i < xs.length; i++) if (xs[i] === best || (bestIsNaN && Number.isNaN(xs[i]!))) gx[i] = share;
    return [gx];
  });
}

/**
 * max along `dim`, as `torch.max(x, dim)`: the values and the index of the
 * first maximum in each slice. The gradient flows to that index only.
 */
export function maxAlongDim(x: Tensor, dim: number, keepDim = false): { values: Tensor; indices: Int32Array } {
  const d = normalizeDim(dim, x.ndim);
  const { outer, size, inner } = splitAt(x.shape, d);
  if (size === 0) throw new RangeError('maxAlongDim(): empty dimension');
  const xs = x.data;
  const values = allocate(x.dtype, outer * inner);
  const indices = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let bestK = 0;
      let best = xs[o * size * inner + i]!;
      for (let k = 1; k < size && !Number.isNaN(best); k++) {
        const v = xs[(o * size + k) * inner + i]!;
        if (v > best || Number.isNaN(v)) {
          best = v;
          bestK = k;
        }
      }
      values[o * inner + i] = best;
      indices[o * inner + i] = bestK;
    }
  }
  const result = opResult('MaxBackward', values, reducedShape(x.shape, d, keepDim), [x], (g) => {
    const gx = zerosLike(xs);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) gx[(o * size + indices[o * inner + i]!) * inner + i] = g[o * inner + i]!;
    }
    return [gx];
  });
  return { values: result, indices };
}

/** The index of the first maximum along `dim` of each slice (no gradient), as `torch.argmax`. */
export function argmax(x: Tensor, dim: number): Int32Array {
  return maxAlongDim(x, dim).indices;
}
