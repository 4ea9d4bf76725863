/** Shape utilities shared by the ops. */

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Resolves a possibly negative dimension index (−1 is the last), as torch does. */
export function normalizeDim(dim: number, ndim: number): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(d) || d < 0 || d >= ndim) {
    throw new RangeError(`dimension ${dim} out of range for a ${ndim}-D tensor`);
  }
  return d;
}

/** Size of the last dimension (1 for a 0-D tensor). */
export function lastDim(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1]!;
}

/**
 * Splits a shape around `dim` into [outer, size, inner] so that element
 * (o, k, i) sits at offset (o·size + k)·inner + i in row-major storage.
 */
export function splitAt(shape: readonly number[], dim: number): { outer: number; size: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i]!;
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, size: shape[dim]!, inner };
}
