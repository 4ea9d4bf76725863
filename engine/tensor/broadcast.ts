/**
 * NumPy/torch broadcasting, planned once per op so that the kernels are plain
 * loops over rows.
 *
 * Two shapes broadcast when, aligned at their last dimension, each pair of
 * sizes is equal or one of them is 1 (a missing leading dimension counts as
 * 1); the result takes the larger size of each pair. An operand is read with
 * stride 0 along the dimensions it is broadcast over.
 *
 * A plan walks the output as rows: adjacent dimensions along which both
 * operands advance alike are merged, the innermost merged dimension is the
 * row (length `inner`, operand strides `innerA`, `innerB` ∈ {0, 1}), and the
 * offsets of each row's first element in either operand are listed once, so
 * the kernels need no per-element index arithmetic and no callbacks.
 *
 * The gradient of a broadcast operand is the upstream gradient summed over
 * the dimensions it was broadcast along (`reduceToShape`), accumulated in
 * float64 and rounded once (torch sums float32 in float32, so float32 sums
 * can differ from torch's in the last bits).
 */
import { scratch64, type DType, type FloatArray } from './dtype';
import { fromFloat64 } from './op';
import { formatShape, shapesEqual } from './shape';

/** The broadcast shape of `a` and `b`; throws torch's complaint when they do not broadcast. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const ndim = Math.max(a.length, b.length);
  const out = new Array<number>(ndim);
  for (let i = 0; i < ndim; i++) {
    const da = i < ndim - a.length ? 1 : a[i - (ndim - a.length)]!;
    const db = i < ndim - b.length ? 1 : b[i - (ndim - b.length)]!;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast ` +
          `(size ${da} vs ${db} at dimension ${i} of the result)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

export interface BroadcastPlan {
  /** Elements per row (the innermost merged dimension). */
  readonly inner: number;
  /** Stride of operand a (b) along a row: 1, or 0 when it is broadcast along it. */
  readonly innerA: number;
  readonly innerB: number;
  /** Offset of row r's first element in a (b); row r of the output starts at r·inner. */
  readonly offsetsA: Int32Array;
  readonly offsetsB: Int32Array;
}

/** Row-major strides of `shape` aligned to `outShape`, 0 where the operand is broadcast. */
function alignedStrides(outShape: readonly number[], shape: readonly number[]): number[] {
  const ndim = outShape.length;
  const strides = new Array<number>(ndim).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const outDim = i + ndim - shape.length;
    strides[outDim] = shape[i] === 1 && outShape[outDim] !== 1 ? 0 : stride;
    stride *= shape[i]!;
  }
  return strides;
}

/**
 * How to read `aShape` and `bShape` (each broadcastable to `outShape`) while
 * writing `outShape` in row-major order.
 */
export function planBroadcast(outShape: readonly number[], aShape: readonly number[], bShape: readonly number[]): BroadcastPlan {
  const sa = alignedStrides(outShape, aShape);
  const sb = alignedStrides(outShape, bShape);
  // Merge dimensions from the innermost outwards: dimension i joins the block
  // after it when both operands' strides continue it (stride_i = stride_next · size_next).
  const sizes: number[] = [];
  const stridesA: number[] = [];
  const stridesB: number[] = [];
  for (let i = outShape.length - 1; i >= 0; i--) {
    const size = outShape[i]!;
    if (size === 1) continue;
    const last = sizes.length - 1;
    if (last >= 0 && sa[i] === stridesA[last]! * sizes[last]! && sb[i] === stridesB[last]! * sizes[last]!) {
      sizes[last] = sizes[last]! * size;
      continue;
    }
    sizes.push(size);
    stridesA.push(sa[i]!);
    stridesB.push(sb[i]!);
  }
  const total = outShape.reduce((p, d) => p * d, 1);
  if (sizes.length === 0) {
    return { inner: 1, innerA: 0, innerB: 0, offsetsA: new Int32Array(total), offsetsB: new Int32Array(total) };
  }
  // sizes[0] is the innermost block: the row. A merged stride is 0 or that of the innermost dimension.
  const inner = sizes[0]!;
  const rows = inner === 0 ? 0 : total / inner;
  const offsetsA = new Int32Array(rows);
  const offsetsB = new Int32Array(rows);
  const outer = sizes.length - 1;
  const counter = new Array<number>(outer).fill(0);
  let offA = 0;
  let offB = 0;
  for (let r = 0; r < rows; r++) {
    offsetsA[r] = offA;
    offsetsB[r] = offB;
    // Odometer over the outer blocks, innermost (index 1) fastest.
    for (let d = 1; d <= outer; d++) {
      counter[d - 1]!++;
      offA += stridesA[d]!;
      offB += stridesB[d]!;
      if (counter[d - 1]! < sizes[d]!) break;
      counter[d - 1] = 0;
      offA -= stridesA[d]! * sizes[d]!;
      offB -= stridesB[d]! * sizes[d]!;
    }
  }
  return { inner, innerA: stridesA[0]! === 0 ? 0 : 1, innerB: stridesB[0]! === 0 ? 0 : 1, offsetsA, offsetsB };
}

/**
 * Σ of `g` (laid out as `outShape`) over the dimensions along which `shape`
 * was broadcast to `outShape`: the gradient of a broadcast operand. Returns
 * `g` itself when nothing was broadcast.
 */
export function reduceToShape(g: FloatArray, outShape: readonly number[], shape: readonly number[], dtype: DType): FloatArray {
  if (shapesEqual(outShape, shape) || g.length === shape.reduce((p, d) => p * d, 1)) return g;
  const { inner, innerB, offsetsB } = planBroadcast(outShape, outShape, shape);
  const acc = scratch64(shape.reduce((p, d) => p * d, 1));
  for (let r = 0, o = 0; r < offsetsB.length; r++, o += inner) {
    const ob = offsetsB[r]!;
    if (innerB === 0) {
      let s = 0;
      for (let j = 0; j < inner; j++) s += g[o + j]!;
      acc[ob] += s;
    } else {
      for (let j = 0; j < inner; j++) acc[ob + j] += g[o + j]!;
    }
  }
  return fromFloat64(acc, dtype);
}
