/**
 * Error-free transformations of doubles: the rounding error of a sum or a
 * product, itself exactly representable, so that x ∘ y = fl(x ∘ y) + error.
 * Each returns only the error (no tuple, nothing allocated in hot loops).
 */

/** Knuth's TwoSum: a + b − s exactly, for s = fl(a + b). */
export function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/** Veltkamp's splitter 2^27 + 1: splits a double into two 26-bit halves. */
const SPLITTER = 134217729;

/** Dekker's TwoProduct: a·b − p exactly, for p = fl(a·b) (no overflow or underflow). */
export function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl);
}
