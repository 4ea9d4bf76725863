/**
 * Dense matrix-product kernels on row-major typed arrays, shared by `matmul`
 * and `linear` and their backward passes.
 *
 * Every dot product is accumulated in float64 and rounded once when stored.
 * torch hands float32 matmuls to BLAS (MKL/OpenBLAS), which accumulates in
 * float32 in a blocked, FMA-based order that depends on the library and the
 * CPU, so no fixed order reproduces it bit for bit; the float64 accumulation
 * gives the correctly rounded result up to one final rounding, which is within
 * torch's own run-to-run tolerance (a few ulp of the largest term).
 *
 * Loop orders are chosen so the innermost loop walks contiguous memory.
 */
import type { FloatArray } from './dtype';

/** C[m×n] = A[m×k] · B[k×n]  (i-k-j order: row i of C accumulates rows of B). */
export function gemmNN(a: FloatArray, b: FloatArray, m: number, k: number, n: number, c: FloatArray): void {
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const aOffset = i * k;
    for (let p = 0; p < k; p++) {
      const aip = a[aOffset + p]!;
      const bOffset = p * n;
      for (let j = 0; j < n; j++) row[j] += aip * b[bOffset + j]!;
    }
    c.set(row, i * n);
  }
}

/**
 * C[m×n] = A[m×k] · B[n×k]ᵀ  (each entry a dot product of two contiguous rows).
 * `bias` (length n), when given, is added to every row before rounding.
 */
export function gemmNT(
  a: FloatArray,
  b: FloatArray,
  m: number,
  k: number,
  n: number,
  c: FloatArray,
  bias: FloatArray | null = null,
): void {
  for (let i = 0; i < m; i++) {
    const aOffset = i * k;
    for (let j = 0; j < n; j++) {
      const bOffset = j * k;
      let sum = bias === null ? 0 : bias[j]!;
      for (let p = 0; p < k; p++) sum += a[aOffset + p]! * b[bOffset + p]!;
      c[i * n + j] = sum;
    }
  }
}

/** C[m×n] = A[k×m]ᵀ · B[k×n]  (sum of outer products of row r of A and row r of B). */
export function gemmTN(a: FloatArray, b: FloatArray, m: number, k: number, n: number, c: FloatArray): void {
  const acc = new Float64Array(m * n);
  for (let r = 0; r < k; r++) {
    const aOffset = r * m;
    const bOffset = r * n;
    for (let i = 0; i < m; i++) {
      const ari = a[aOffset + i]!;
      const cOffset = i * n;
      for (let j = 0; j < n; j++) acc[cOffset + j] += ari * b[bOffset + j]!;
    }
  }
  c.set(acc);
}
