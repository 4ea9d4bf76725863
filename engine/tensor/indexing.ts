/**
 * Basic indexing, as Python's `x[...]` on a torch tensor: integers (select a
 * position and drop the dimension; negative counts from the end), slices
 * `start:stop:step` (positive steps, bounds clamped as Python's), `None`
 * (a new dimension of size 1) and one `...` (as many full slices as needed).
 * `select`, `narrow` and `slice` are the one-dimension cases.
 *
 * The result is a copy (torch: a strided view) of the chosen elements, so
 * values are bit-exact with torch. ∂L/∂x is g written back at the chosen
 * positions and 0 elsewhere (each position is chosen at most once).
 */
import { allocate, allocateUnset, numel, type FloatArray } from './dtype';
import { opResult } from './op';
import { formatShape, normalizeDim } from './shape';
import type { Tensor } from './tensor';
import { STRIDED_WASM_MIN_LENGTH, stridedScatterWasm } from './stridedWasm';
import { contiguousStrides, stridedCopy } from './views';

/** A Python slice `start:stop:step`; an absent or null bound is the slice's default. */
export interface Slice {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

/** One entry of `x[a, b, …]`: an integer, a slice, `null` for None, or `'...'` for Ellipsis. */
export type IndexEntry = number | Slice | null | '...';

/** Python's slice bounds on a dimension of `size`: first index, step and count. */
function resolveSlice(s: Slice, size: number, dim: number): { start: number; step: number; length: number } {
  const step = s.step ?? 1;
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`index: slice step must be a positive integer (dimension ${dim}), got ${step}`);
  const clamp = (v: number | null | undefined, fallback: number): number => {
    if (v === null || v === undefined) return fallback;
    if (!Number.isInteger(v)) throw new RangeError(`index: slice bound ${v} is not an integer (dimension ${dim})`);
    const w = v < 0 ? v + size : v;
    return Math.min(Math.max(w, 0), size);
  };
  const start = clamp(s.start, 0);
  const stop = clamp(s.stop, size);
  return { start, step, length: stop > start ? Math.ceil((stop - start) / step) : 0 };
}

/** An integer index on a dimension of `size`, negative from the end; out of range throws as torch's IndexError. */
function resolveInteger(i: number, size: number, dim: number): number {
  if (!Number.isInteger(i)) throw new RangeError(`index: ${i} is not an integer index (dimension ${dim})`);
  const w = i < 0 ? i + size : i;
  if (w < 0 || w >= size) throw new RangeError(`index ${i} is out of bounds for dimension ${dim} with size ${size}`);
  return w;
}

/** The elements of x at base + Σ index_d·strides[d] for the result's shape, with the gradient scattered back. */
function gather(name: string, x: Tensor, base: number, shape: readonly number[], strides: readonly number[]): Tensor {
  const out = allocateUnset(x.dtype, numel(shape)); // every element copied
  stridedCopy(x.data, base, shape, strides, out);
  return opResult(name, out, shape, [x], (g) => {
    const gx = allocate(x.dtype, x.numel);
    stridedScatter(g, gx, base, shape, strides);
    return [gx];
  }, (g, target) => stridedScatterAdd(g, target, base, shape, strides));
}

/**
 * target[base + Σ index_d·strides[d]] += values: the gradient of a gather added into a full one. Slices
 * with positive steps and integers never reach one position twice, so each element is one addition,
 * the one the full-size gradient's addition made there.
 */
function stridedScatterAdd(values: FloatArray, target: FloatArray, base: number, shape: readonly number[], strides: readonly number[]): void {
  const ndim = shape.length;
  if (ndim === 0) {
    if (values.length > 0) target[base] += values[0]!;
    return;
  }
  const total = values.length;
  if (total === 0) return;
  if (total >= STRIDED_WASM_MIN_LENGTH && stridedScatterWasm(values, target, base, shape, strides, true)) return;
  const L = shape[ndim - 1]!;
  const s = strides[ndim - 1]!;
  const counter = new Array<number>(ndim - 1).fill(0);
  let dst = base;
  for (let o = 0; o < total; o += L) {
    for (let j = 0, p = dst; j < L; j++, p += s) target[p] += values[o + j]!;
    for (let d = ndim - 2; d >= 0; d--) {
      dst += strides[d]!;
      if (++counter[d]! < shape[d]!) break;
      counter[d] = 0;
      dst -= strides[d]! * shape[d]!;
    }
  }
}

/** target[base + Σ index_d·strides[d]] = values (contiguous, of `shape`): stridedCopy's inverse. */
function stridedScatter(values: FloatArray, target: FloatArray, base: number, shape: readonly number[], strides: readonly number[]): void {
  const ndim = shape.length;
  if (ndim === 0) {
    if (values.length > 0) target[base] = values[0]!;
    return;
  }
  const total = values.length;
  if (total === 0) return;
  if (total >= STRIDED_WASM_MIN_LENGTH && stridedScatterWasm(values, target, base, shape, strides, false)) return;
  const L = shape[ndim - 1]!;
  const s = strides[ndim - 1]!;
  const counter = new Array<number>(ndim - 1).fill(0);
  let dst = base;
  for (let o = 0; o < total; o += L) {
    for (let j = 0, p = dst; j < L; j++, p += s) target[p] = values[o + j]!;
    for (let d = ndim - 2; d >= 0; d--) {
      dst += strides[d]!;
      if (++counter[d]! < shape[d]!) break;
      counter[d] = 0;
      dst -= strides[d]! * shape[d]!;
    }
  }
}

/**
 * `x[entries…]` with Python's basic-indexing rules (see the module comment).
 * Example: x[:, -1, :] is index(x, [{}, -1, {}]); x[..., :T] is index(x, ['...', { stop: T }]).
 */
export function index(x: Tensor, entries: readonly IndexEntry[]): Tensor {
  const ellipses = entries.filter((e) => e === '...').length;
  if (ellipses > 1) throw new RangeError('index: an index can only have a single ellipsis (...)');
  const consuming = entries.filter((e) => e !== null && e !== '...').length;
  if (consuming > x.ndim) throw new RangeError(`index: too many indices for a ${x.ndim}-D tensor: ${consuming} given`);
  const expanded: IndexEntry[] = [];
  for (const e of entries) {
    if (e === '...') for (let k = 0; k < x.ndim - consuming; k++) expanded.push({});
    else expanded.push(e);
  }
  const xStrides = contiguousStrides(x.shape);
  const shape: number[] = [];
  const strides: number[] = [];
  let base = 0;
  let dim = 0;
  for (const e of expanded) {
    if (e === null) {
      shape.push(1);
      strides.push(0);
    } else if (typeof e === 'number') {
      base += resolveInteger(e, x.shape[dim]!, dim) * xStrides[dim]!;
      dim++;
    } else if (typeof e === 'object') {
      const { start, step, length } = resolveSlice(e, x.shape[dim]!, dim);
      base += start * xStrides[dim]!;
      shape.push(length);
      strides.push(step * xStrides[dim]!);
      dim++;
    }
  }
  for (; dim < x.ndim; dim++) {
    shape.push(x.shape[dim]!);
    strides.push(xStrides[dim]!);
  }
  return gather('IndexBackward', x, base, shape, strides);
}

/** `x.select(dim, i)` = x[…, i, …]: the dimension is dropped. */
export function select(x: Tensor, dim: number, i: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const entries: IndexEntry[] = x.shape.slice(0, d).map(() => ({}));
  entries.push(i);
  return index(x, entries);
}

/** `x.narrow(dim, start, length)` = x[…, start:start+length, …]; start may be negative, the range must fit. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new RangeError(`narrow: start ${start} + length ${length} exceeds dimension ${d} of ${formatShape(x.shape)}`);
  }
  return slice(x, d, s, s + length);
}

/** x[…, start:stop:step, …] along `dim` (Python's bounds). */
export function slice(x: Tensor, dim: number, start: number | null = null, stop: number | null = null, step = 1): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const entries: IndexEntry[] = x.shape.slice(0, d).map(() => ({}));
  entries.push({ start, stop, step });
  return index(x, entries);
}
