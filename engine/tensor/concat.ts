/**
 * Joining and splitting along a dimension: `cat`, `stack`, `split`, `chunk`.
 *
 * With x viewed as [outer, size, inner] around the dimension (shape.ts's
 * splitAt), each input of `cat` fills a contiguous block of size_i·inner
 * elements in every one of the outer rows of the result; the gradient of
 * input i is that block of g. `split` and `chunk` are narrows (indexing.ts).
 * Values are copied, never computed: bit-exact with torch.
 */
import { allocate } from './dtype';
import { narrow } from './indexing';
import { commonDtype, opResult } from './op';
import { formatShape, normalizeDim, splitAt } from './shape';
import type { Tensor } from './tensor';
import { unsqueeze } from './views';

/** `torch.cat(tensors, dim)`: shapes equal except along `dim`. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('cat: expected a non-empty list of tensors');
  const dtype = commonDtype('cat', ...tensors);
  const first = tensors[0]!;
  if (first.ndim === 0) throw new RangeError('cat: zero-dimensional tensors cannot be concatenated');
  const d = normalizeDim(dim, first.ndim);
  let total = 0;
  for (const t of tensors) {
    const compatible = t.ndim === first.ndim && t.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!compatible) {
      throw new RangeError(`cat: sizes of tensors must match except in dimension ${d}: ${formatShape(first.shape)} and ${formatShape(t.shape)}`);
    }
    total += t.shape[d]!;
  }
  const outShape = first.shape.map((s, i) => (i === d ? total : s));
  const { outer, inner } = splitAt(first.shape, d);
  const rowLength = total * inner;
  const out = allocate(dtype, outer * rowLength);
  const blockStarts: number[] = [];
  let start = 0;
  for (const t of tensors) {
    const block = t.shape[d]! * inner;
    blockStarts.push(start);
    const td = t.data;
    for (let o = 0; o < outer; o++) out.set(td.subarray(o * block, (o + 1) * block), o * rowLength + start);
    start += block;
  }
  return opResult('CatBackward', out, outShape, tensors, (g) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      const block = t.shape[d]! * inner;
      const gt = allocate(dtype, outer * block);
      for (let o = 0; o < outer; o++) gt.set(g.subarray(o * rowLength + blockStarts[i]!, o * rowLength + blockStarts[i]! + block), o * block);
      return gt;
    }),
  );
}

/** `torch.stack(tensors, dim)`: equal shapes joined along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack: expected a non-empty list of tensors');
  const first = tensors[0]!;
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => s !== first.shape[i])) {
      throw new RangeError(`stack: expects each tensor to be equal size, but got ${formatShape(first.shape)} and ${formatShape(t.shape)}`);
    }
  }
  const d = normalizeDim(dim, first.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/**
 * `x.split(split_size_or_sections, dim)`: pieces of `splitSize` along dim
 * (the last one shorter if it does not divide), or of the listed sizes
 * (which must add up to the dimension).
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSizeOrSections === 'number') {
    const s = splitSizeOrSections;
    if (!Number.isInteger(s) || s < 0 || (s === 0 && size !== 0)) throw new RangeError(`split: split_size must be a positive integer, got ${s}`);
    sizes = [];
    for (let start = 0; start < size; start += s) sizes.push(Math.min(s, size - start));
    if (size === 0) sizes.push(0);
  } else {
    sizes = [...splitSizeOrSections];
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sum !== size) {
      throw new RangeError(`split: sizes [${sizes.join(', ')}] must sum to ${size} (dimension ${d} of ${formatShape(x.shape)})`);
    }
  }
  const pieces: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    pieces.push(narrow(x, d, start, s));
    start += s;
  }
  return pieces;
}

/** `x.chunk(chunks, dim)`: pieces of ⌈size/chunks⌉ (torch's rule, so fewer than `chunks` pieces may come back). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  return split(x, Math.max(1, Math.ceil(size / chunks)), d);
}
