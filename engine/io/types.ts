/**
 * What the binary readers return: an n-dimensional array in C (row-major)
 * order, with the element type it had in the file.
 */

/** Element types the NPY and safetensors readers understand. */
export type ElementType =
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool';

/**
 * Storage of a loaded array. Half-precision floats (float16, bfloat16) are
 * widened to Float32Array; 64-bit integers become Int32Array when every value
 * fits in int32 and Float64Array otherwise (see `elements.ts`); booleans are a
 * Uint8Array of 0 and 1.
 */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

export interface LoadedArray {
  /** Dimensions, outermost first; `[]` for a 0-D (scalar) array. */
  shape: number[];
  /** The element type in the file (float16 data is stored widened, see NumericArray). */
  dtype: ElementType;
  /** Elements in C order, `numel(shape)` of them. */
  data: NumericArray;
}
