/** Memory layouts of n-dimensional arrays. */
import type { NumericArray } from './types';

/**
 * Reorders an array stored in Fortran (column-major, first index fastest)
 * order into C (row-major, last index fastest) order, the only layout the
 * engine uses. For shape [2, 3] the Fortran elements a00 a10 a01 a11 a02 a12
 * become a00 a01 a02 a10 a11 a12.
 */
export function fortranToC<T extends NumericArray>(source: T, shape: readonly number[]): T {
  const out = source.slice() as T;
  const rank = shape.length;
  if (rank < 2 || source.length === 0) return out;
  // Stride of each axis in the Fortran layout.
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let axis = 0; axis < rank; axis++) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  // Walk the C order with an odometer over the indices, keeping the Fortran
  // offset of the current index up to date.
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let to = 0; to < out.length; to++) {
    out[to] = source[from]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) {
        from += strides[axis]!;
        break;
      }
      from -= (shape[axis]! - 1) * strides[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}
