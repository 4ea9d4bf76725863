/**
 * Decoding a run of fixed-size elements from raw bytes, shared by the NPY and
 * safetensors readers. Callers check beforehand that the bytes are there.
 */
import { bfloat16BitsToNumber, float16BitsToNumber } from './half';
import type { ElementType, NumericArray } from './types';

export const ITEM_SIZE: Readonly<Record<ElementType, number>> = {
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1,
};

/** Typed arrays whose elements are read as they are stored (no widening). */
const DIRECT = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
} as const;

type DirectType = keyof typeof DIRECT;

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `count` elements of `type` starting at `bytes[offset]`, as a fresh array
 * (never a view on `bytes`, so the file's buffer can be dropped).
 */
export function decodeElements(bytes: Uint8Array, offset: number, count: number, type: ElementType, littleEndian: boolean): NumericArray {
  const size = ITEM_SIZE[type];
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * size);
  switch (type) {
    case 'float16':
    case 'bfloat16': {
      const widen = type === 'float16' ? float16BitsToNumber : bfloat16BitsToNumber;
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = widen(view.getUint16(2 * i, littleEndian));
      return out;
    }
    case 'int64':
    case 'uint64':
      return decode64(view, count, type === 'int64', littleEndian);
    case 'bool': {
      // numpy and torch store True as 1, but any non-zero byte reads as True.
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) === 0 ? 0 : 1;
      return out;
    }
    default:
      return decodeDirect(bytes, offset, count, type, littleEndian, view);
  }
}

function decodeDirect(bytes: Uint8Array, offset: number, count: number, type: DirectType, littleEndian: boolean, view: DataView): NumericArray {
  const Ctor = DIRECT[type] as new (source: ArrayBuffer | number) => NumericArray;
  const size = ITEM_SIZE[type];
  if (size === 1 || littleEndian === HOST_IS_LITTLE_ENDIAN) {
    // Same byte order as the host: copy the bytes (the copy is also aligned,
    // which a typed-array view into the file might not be). Copied with `set`,
    // not `slice`: a Node Buffer's slice is a view into its shared pool.
    const copy = new Uint8Array(count * size);
    copy.set(bytes.subarray(offset, offset + count * size));
    return new Ctor(copy.buffer);
  }
  const out = new Ctor(count);
  const read = READERS[type];
  for (let i = 0; i < count; i++) out[i] = read(view, i * size, littleEndian);
  return out;
}

const READERS: Record<DirectType, (view: DataView, at: number, littleEndian: boolean) => number> = {
  float32: (v, at, le) => v.getFloat32(at, le),
  float64: (v, at, le) => v.getFloat64(at, le),
  int8: (v, at) => v.getInt8(at),
  int16: (v, at, le) => v.getInt16(at, le),
  int32: (v, at, le) => v.getInt32(at, le),
  uint8: (v, at) => v.getUint8(at),
  uint16: (v, at, le) => v.getUint16(at, le),
  uint32: (v, at, le) => v.getUint32(at, le),
};

/**
 * 64-bit integers. JavaScript has no 64-bit integer typed array that the rest
 * of the engine understands, so: an Int32Array when every value fits in int32
 * (the common case — class labels, counts), else a Float64Array, where values
 * beyond ±2⁵³ are rounded to the nearest double.
 */
function decode64(view: DataView, count: number, signed: boolean, littleEndian: boolean): Int32Array | Float64Array {
  const values = new Float64Array(count);
  let fitsInt32 = true;
  for (let i = 0; i < count; i++) {
    const lowAt = littleEndian ? 8 * i : 8 * i + 4;
    const highAt = littleEndian ? 8 * i + 4 : 8 * i;
    const low = view.getUint32(lowAt, littleEndian);
    const high = signed ? view.getInt32(highAt, littleEndian) : view.getUint32(highAt, littleEndian);
    // high · 2³² is exact, so the sum is rounded once, to the nearest double.
    const value = high * 4294967296 + low;
    values[i] = value;
    if (value < -2147483648 || value > 2147483647) fitsInt32 = false;
  }
  return fitsInt32 ? Int32Array.from(values) : values;
}

/** Arrays the writers accept: float32, float64 and int32. */
export type WritableArray = Float32Array | Float64Array | Int32Array;

/** The elements of `array` as little-endian bytes (both writers' byte order). */
export function encodeLittleEndian(array: WritableArray): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(array.buffer.slice(array.byteOffset, array.byteOffset + array.byteLength));
  const out = new Uint8Array(array.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < array.length; i++) {
    if (array instanceof Float32Array) view.setFloat32(4 * i, array[i]!, true);
    else if (array instanceof Float64Array) view.setFloat64(8 * i, array[i]!, true);
    else view.setInt32(4 * i, array[i]!, true);
  }
  return out;
}
