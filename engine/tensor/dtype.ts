/**
 * Floating-point storage types. `float32` is the default, as in torch
 * (`torch.get_default_dtype()`); `float64` is there for gradient checks and
 * for golden comparisons that need ≤ 1e-12 relative agreement.
 */
export type DType = 'float32' | 'float64';

export type FloatArray = Float32Array | Float64Array;

/** A zeroed array (reused from the previous training step inside a BufferArena's run: arena.ts). */
export { allocate, allocateUnset, scratch64 } from './arena';

export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float32Array ? 'float32' : 'float64';
}

/** Number of elements of a tensor with this shape (1 for a scalar `[]`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * The minimal view of a dense, contiguous, row-major tensor that
 * initializers, optimizers and statistics work on. The autograd `Tensor`
 * implements it, and so does a plain `{ shape, data }` record, so those
 * modules never need the autograd machinery.
 */
export interface DenseTensor {
  readonly shape: readonly number[];
  readonly data: FloatArray;
}
