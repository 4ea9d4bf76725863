/**
 * Streams a tensor stored as elements of one dtype at some byte offset of a
 * file, in C order, as chunks of exact floats. Shared by every format:
 *
 *  - contiguous (safetensors, .npy, most torch tensors): the byte range
 *    [start, start + numel·itemSize) is read `maxElements` at a time;
 *  - strided (torch views: a transpose, a slice with a storage offset; .npy
 *    in Fortran order): element (i₀, …, i_{d−1}) is storage element
 *    offset + Σ iₖ·strideₖ. The span of storage the view touches,
 *    [offset, offset + Σ (shapeₖ − 1)·strideₖ], is read once and gathered.
 */
import { decodeElements, ITEM_SIZE } from '../io/elements';
import type { ElementType } from '../io/types';
import type { FloatArray } from '../tensor/dtype';
import { readRange, type RandomAccessFile } from './source';
import { DEFAULT_CHUNK_ELEMENTS } from './types';

export interface StoredTensor {
  file: RandomAccessFile;
  /** Byte offset of storage element 0 in the file. */
  base: number;
  /** Elements of storage available from `base` (reads are checked against it). */
  storageElements: number;
  dtype: ElementType;
  littleEndian: boolean;
  shape: number[];
  /** In elements; omitted means C-contiguous. */
  stride?: number[];
  /** In elements. */
  offset: number;
  /** For messages. */
  name: string;
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** C-order strides of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = s;
    s *= shape[k]!;
  }
  return out;
}

/** Whether the strides are C order (dimensions of size 1 may have any stride). */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  const c = contiguousStrides(shape);
  return shape.every((d, k) => d <= 1 || stride[k] === c[k]);
}

/** One past the largest storage element the tensor touches (0 when it is empty). */
export function storageExtent(shape: readonly number[], stride: readonly number[], offset: number): number {
  if (numelOf(shape) === 0) return 0;
  let last = offset;
  for (let k = 0; k < shape.length; k++) last += (shape[k]! - 1) * stride[k]!;
  return last + 1;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Elements as floats: float32 and the half types stay Float32Array (exact),
 * the rest widen to Float64Array. Little-endian float32/float64 bytes that
 * are aligned are viewed in place rather than copied: the bytes come from a
 * read of their own (or a file held in memory, which nothing writes to).
 */
const toFloats = (bytes: Uint8Array, count: number, dtype: ElementType, littleEndian: boolean): FloatArray => {
  if (littleEndian === HOST_IS_LITTLE_ENDIAN && (dtype === 'float32' || dtype === 'float64')) {
    const size = dtype === 'float32' ? 4 : 8;
    if (bytes.byteOffset % size === 0) return dtype === 'float32' ? new Float32Array(bytes.buffer, bytes.byteOffset, count) : new Float64Array(bytes.buffer, bytes.byteOffset, count);
  }
  const decoded = decodeElements(bytes, 0, count, dtype, littleEndian);
  return decoded instanceof Float32Array || decoded instanceof Float64Array ? decoded : new Float64Array(decoded);
};

export async function* streamTensor(t: StoredTensor, maxElements = DEFAULT_CHUNK_ELEMENTS): AsyncGenerator<FloatArray> {
  const numel = numelOf(t.shape);
  if (numel === 0) return;
  const size = ITEM_SIZE[t.dtype];
  const stride = t.stride ?? contiguousStrides(t.shape);
  const extent = storageExtent(t.shape, stride, t.offset);
  if (!Number.isSafeInteger(extent) || extent > t.storageElements) {
    throw new Error(`${t.file.name}: tensor '${t.name}' reaches storage element ${extent - 1}, but its storage holds ${t.storageElements}`);
  }
  const chunk = Math.max(1, Math.floor(maxElements));
  if (isContiguous(t.shape, stride)) {
    for (let done = 0; done < numel; done += chunk) {
      const count = Math.min(chunk, numel - done);
      const bytes = await readRange(t.file, t.base + (t.offset + done) * size, count * size, `tensor '${t.name}'`);
      yield toFloats(bytes, count, t.dtype, t.littleEndian);
    }
    return;
  }
  // A view: read the storage span it touches, then gather in C order.
  let first = t.offset;
  for (let k = 0; k < t.shape.length; k++) if (stride[k]! < 0) first += (t.shape[k]! - 1) * stride[k]!;
  const span = extent - first;
  const bytes = await readRange(t.file, t.base + first * size, span * size, `tensor '${t.name}'`);
  const storage = toFloats(bytes, span, t.dtype, t.littleEndian);
  const dims = t.shape.length;
  const index = new Array<number>(dims).fill(0);
  let at = t.offset - first;
  for (let done = 0; done < numel;) {
    const count = Math.min(chunk, numel - done);
    const out = storage instanceof Float32Array ? new Float32Array(count) : new Float64Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = storage[at]!;
      // Odometer over the indices, last dimension fastest.
      for (let k = dims - 1; k >= 0; k--) {
        if (++index[k]! < t.shape[k]!) {
          at += stride[k]!;
          break;
        }
        at -= (t.shape[k]! - 1) * stride[k]!;
        index[k] = 0;
      }
    }
    done += count;
    yield out;
  }
}
