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

/**
 * C[m×n] = A[m×k] · B[k×n]  (i-k-j order: row i of C accumulates rows of B).
 *
 * Four rows of B are folded into the accumulator per pass, evaluated left
 * to right — ((c + a₀b₀) + a₁b₁) + … — so each entry is still summed in the
 * order p = 0, 1, …, k − 1, with a quarter of the accumulator traffic.
 */
export function gemmNN(a: FloatArray, b: FloatArray, m: number, k: number, n: number, c: FloatArray): void {
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const aOffset = i * k;
    let p = 0;
    for (; p + 3 < k; p += 4) {
      const a0 = a[aOffset + p]!;
      const a1 = a[aOffset + p + 1]!;
      const a2 = a[aOffset + p + 2]!;
      const a3 = a[aOffset + p + 3]!;
      const b0 = p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) row[j] = row[j]! + a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
    }
    for (; p < k; p++) {
      const ap = a[aOffset + p]!;
      const bOffset = p * n;
      for (let j = 0; j < n; j++) row[j] += ap * b[bOffset + j]!;
    }
    c.set(row, i * n);
  }
}

/**
 * C[m×n] = A[m×k] · B[n×k]ᵀ  (each entry a dot product of two contiguous rows).
 * `bias` (length n), when given, is added to every row before rounding.
 *
 * Four output columns are computed together: four independent accumulators
 * hide the latency of the floating-point adds and share each load of A,
 * while every entry is still summed in the plain order p = 0, 1, …, k − 1.
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
    const cOffset = i * n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = bias === null ? 0 : bias[j]!;
      let s1 = bias === null ? 0 : bias[j + 1]!;
      let s2 = bias === null ? 0 : bias[j + 2]!;
      let s3 = bias === null ? 0 : bias[j + 3]!;
      for (let p = 0; p < k; p++) {
        const ap = a[aOffset + p]!;
        s0 += ap * b[b0 + p]!;
        s1 += ap * b[b1 + p]!;
        s2 += ap * b[b2 + p]!;
        s3 += ap * b[b3 + p]!;
      }
      c[cOffset + j] = s0;
      c[cOffset + j + 1] = s1;
      c[cOffset + j + 2] = s2;
      c[cOffset + j + 3] = s3;
    }
    for (; j < n; j++) {
      const bOffset = j * k;
      let sum = bias === null ? 0 : bias[j]!;
      for (let p = 0; p < k; p++) sum += a[aOffset + p]! * b[bOffset + p]!;
      c[cOffset + j] = sum;
    }
  }
}

/**
 * C[m×n] = A[k×m]ᵀ · B[k×n]  (sum over r of the outer product of row r of A
 * and row r of B), four values of r per pass in summation order, as gemmNN.
 */
export function gemmTN(a: FloatArray, b: FloatArray, m: number, k: number, n: number, c: FloatArray): void {
  const acc = new Float64Array(m * n);
  let r = 0;
  for (; r + 3 < k; r += 4) {
    const a0Offset = r * m;
    const b0 = r * n;
    const b1 = b0 + n;
    const b2 = b1 + n;
    const b3 = b2 + n;
    for (let i = 0; i < m; i++) {
      const a0 = a[a0Offset + i]!;
      const a1 = a[a0Offset + m + i]!;
      const a2 = a[a0Offset + 2 * m + i]!;
      const a3 = a[a0Offset + 3 * m + i]!;
      const cOffset = i * n;
      for (let j = 0; j < n; j++) {
        acc[cOffset + j] = acc[cOffset + j]! + a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
      }
    }
  }
  for (; r < k; r++) {
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
