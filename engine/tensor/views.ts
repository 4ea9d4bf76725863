/**
 * Shape ops: view/reshape, flatten, unsqueeze, squeeze, expand, permute,
 * transpose, contiguous.
 *
 * The engine's tensors are always contiguous, so the ops that torch answers
 * with a strided view (permute, transpose, expand) copy here, and the ones
 * that only relabel the shape of contiguous storage (view, reshape, flatten,
 * squeeze, unsqueeze) share the storage as torch does. Values are moved, never
 * computed, so every result is bit-exact with torch in both dtypes.
 *
 * Gradients: a relabeling passes g through unchanged; permute's is g permuted
 * back by the inverse permutation; expand's is g summed over the expanded
 * dimensions (broadcast.ts).
 */
import { allocate, allocateUnset, numel, type FloatArray } from './dtype';
import { reduceToShape } from './broadcast';
import { opResult } from './op';
import { reshape } from './reshape';
import { formatShape, normalizeDim } from './shape';
import { STRIDED_WASM_MIN_LENGTH, stridedCopyWasm } from './stridedWasm';
import type { Tensor } from './tensor';

/** `x.view(*shape)`: as reshape (one −1 inferred); every tensor here is contiguous, so a view always exists. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return reshape(x, shape);
}

/** `torch.flatten(x, start_dim, end_dim)`: dimensions start..end merged into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const start = normalizeDim(startDim, x.ndim);
  const end = normalizeDim(endDim, x.ndim);
  if (start > end) throw new RangeError(`flatten: start_dim ${startDim} comes after end_dim ${endDim}`);
  const merged = numel(x.shape.slice(start, end + 1));
  return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

/** `x.unsqueeze(dim)`: a new dimension of size 1 at `dim` (−1 appends). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** `x.squeeze(dim)`: drops `dim` if its size is 1 (else returns x's shape unchanged); without dim, every size-1 dimension. */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  if (x.ndim === 0) {
    normalizeDim(dim, 1);
    return x;
  }
  const d = normalizeDim(dim, x.ndim);
  return x.shape[d] === 1 ? reshape(x, [...x.shape.slice(0, d), ...x.shape.slice(d + 1)]) : reshape(x, x.shape);
}

/** `x.contiguous()`: every tensor here is contiguous, so x itself (as torch returns self for a contiguous tensor). */
export function contiguous(x: Tensor): Tensor {
  return x;
}

/**
 * `x.expand(*sizes)`: size-1 dimensions repeated to `sizes` (−1 keeps a
 * size; new leading dimensions may be added). A copy here (torch: a stride-0 view).
 */
export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < x.ndim) {
    throw new RangeError(`expand: the number of sizes (${sizes.length}) must be at least the number of dimensions (${x.ndim})`);
  }
  const lead = sizes.length - x.ndim;
  const outShape = sizes.map((s, i) => {
    const own = i >= lead ? x.shape[i - lead]! : undefined;
    if (s === -1) {
      if (own === undefined) throw new RangeError(`expand: −1 is not allowed for a new leading dimension (${i})`);
      return own;
    }
    if (own !== undefined && own !== 1 && own !== s) {
      throw new RangeError(`expand: size ${own} at dimension ${i - lead} of ${formatShape(x.shape)} cannot expand to ${s}`);
    }
    return s;
  });
  const out = allocate(x.dtype, numel(outShape));
  broadcastCopy(x.data, x.shape, out, outShape);
  return opResult('ExpandBackward', out, outShape, [x], (g) => [reduceToShape(g, outShape, x.shape, x.dtype)]);
}

/** Writes `data` (of `shape`) broadcast to `outShape` into `out`. */
function broadcastCopy(data: FloatArray, shape: readonly number[], out: FloatArray, outShape: readonly number[]): void {
  const lead = outShape.length - shape.length;
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + lead] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i]!;
  }
  stridedCopy(data, 0, outShape, strides, out);
}

/**
 * out (contiguous, of `shape`) ← data read at base + Σ index_d·strides[d].
 * The innermost dimension is a plain loop; the outer ones an odometer. Large
 * copies run in WebAssembly (stridedWasm.ts), with the same result.
 */
export function stridedCopy(data: FloatArray, base: number, shape: readonly number[], strides: readonly number[], out: FloatArray): void {
  const ndim = shape.length;
  if (ndim === 0) {
    if (out.length > 0) out[0] = data[base]!;
    return;
  }
  const total = out.length;
  if (total === 0) return;
  if (total >= STRIDED_WASM_MIN_LENGTH && stridedCopyWasm(data, base, shape, strides, out)) return;
  const L = shape[ndim - 1]!;
  const s = strides[ndim - 1]!;
  const counter = new Array<number>(ndim - 1).fill(0);
  let src = base;
  for (let o = 0; o < total; o += L) {
    if (s === 1) for (let j = 0; j < L; j++) out[o + j] = data[src + j]!;
    else for (let j = 0, p = src; j < L; j++, p += s) out[o + j] = data[p]!;
    for (let d = ndim - 2; d >= 0; d--) {
      src += strides[d]!;
      if (++counter[d]! < shape[d]!) break;
      counter[d] = 0;
      src -= strides[d]! * shape[d]!;
    }
  }
}

/** Row-major strides of a contiguous shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

/** `data` of `shape` with its dimensions reordered: result dimension i is input dimension perm[i]. */
function permuteData(data: FloatArray, shape: readonly number[], perm: readonly number[], out: FloatArray): void {
  const strides = contiguousStrides(shape);
  stridedCopy(data, 0, perm.map((p) => shape[p]!), perm.map((p) => strides[p]!), out);
}

/** `x.permute(*dims)`: result dimension i is x's dimension dims[i].  ∂L/∂x = g permuted by the inverse. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) throw new RangeError(`permute: ${dims.length} dimensions given for a ${x.ndim}-D tensor`);
  const perm = dims.map((d) => normalizeDim(d, x.ndim));
  if (new Set(perm).size !== perm.length) throw new RangeError(`permute: repeated dimension in [${dims.join(', ')}]`);
  const outShape = perm.map((p) => x.shape[p]!);
  if (perm.every((p, i) => p === i)) return reshape(x, outShape);
  const out = allocateUnset(x.dtype, x.numel); // every element copied
  permuteData(x.data, x.shape, perm, out);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return opResult('PermuteBackward', out, outShape, [x], (g) => {
    const gx = allocateUnset(x.dtype, g.length);
    permuteData(g, outShape, inverse, gx);
    return [gx];
  });
}

/** `x.transpose(dim0, dim1)` (and `x.t()` for 2-D): the two dimensions swapped. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const perm = x.shape.map((_, i) => i);
  if (x.ndim === 0) {
    normalizeDim(dim0, 1);
    normalizeDim(dim1, 1);
    return x;
  }
  const a = normalizeDim(dim0, x.ndim);
  const b = normalizeDim(dim1, x.ndim);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}
