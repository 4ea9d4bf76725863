/**
 * Thin QR factorization by Householder reflections (Golub & Van Loan, §5.2),
 * in float64: A = Q·R for an m×k matrix with m ≥ k, Q m×k with orthonormal
 * columns, R k×k upper triangular. Only Q and the diagonal of R are returned,
 * which is what orthogonal_ needs.
 *
 * Internally the matrices are stored column by column, so that every inner
 * loop (a reflector applied to one column) runs over contiguous memory.
 */

export interface ThinQr {
  /** m×k, row-major. */
  q: Float64Array;
  /** The diagonal of R (k entries). */
  rDiagonal: Float64Array;
}

/**
 * For column j the reflector H_j = I − 2vvᵀ/(vᵀv), v = x − α e₁ with
 * α = −sign(x₁)‖x‖ (the sign that avoids cancellation), maps the sub-column
 * x = A[j:, j] to α e₁, so R_jj = α. Q = H₀H₁···H_{k−1} applied to the first k
 * columns of the identity.
 *
 * @param a m×k, row-major (not modified)
 */
export function thinQr(a: Float64Array, m: number, k: number): ThinQr {
  if (m < k) throw new RangeError(`thinQr needs rows >= cols, got ${m}×${k}`);
  const r = toColumnMajor(a, m, k);
  const reflectors = new Float64Array(m * k); // column j holds v_j in rows j..m−1
  const reflectorNorm2 = new Float64Array(k);
  const rDiagonal = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const col = j * m;
    let norm2 = 0;
    for (let i = j; i < m; i++) norm2 += r[col + i]! * r[col + i]!;
    const x0 = r[col + j]!;
    const alpha = (x0 < 0 ? 1 : -1) * Math.sqrt(norm2);
    rDiagonal[j] = norm2 === 0 ? 0 : alpha;
    let vNorm2 = 0;
    for (let i = j; i < m; i++) {
      const v = i === j ? x0 - alpha : r[col + i]!;
      reflectors[col + i] = v;
      vNorm2 += v * v;
    }
    reflectorNorm2[j] = vNorm2;
    if (vNorm2 > 0) applyReflector(r, reflectors, m, k, j, vNorm2, j); // else x is already α e₁: H_j = I
  }
  // Accumulate Q = H₀ ··· H_{k−1} [I_k; 0], applying the reflectors from the last.
  const q = new Float64Array(m * k);
  for (let j = 0; j < k; j++) q[j * m + j] = 1;
  for (let j = k - 1; j >= 0; j--) {
    // Columns < j of the partial product are still e_c, which H_j (acting on rows ≥ j) leaves alone.
    if (reflectorNorm2[j]! > 0) applyReflector(q, reflectors, m, k, j, reflectorNorm2[j]!, j);
  }
  return { q: toRowMajor(q, m, k), rDiagonal };
}

/** Columns c ≥ firstColumn of M (column-major): M[j:, c] ← M[j:, c] − 2 v (vᵀ M[j:, c]) / (vᵀv). */
function applyReflector(
  matrix: Float64Array,
  reflectors: Float64Array,
  m: number,
  k: number,
  j: number,
  vNorm2: number,
  firstColumn: number,
): void {
  const v = j * m;
  for (let c = firstColumn; c < k; c++) {
    const col = c * m;
    let dot = 0;
    for (let i = j; i < m; i++) dot += reflectors[v + i]! * matrix[col + i]!;
    const factor = (2 * dot) / vNorm2;
    if (factor === 0) continue;
    for (let i = j; i < m; i++) matrix[col + i] = matrix[col + i]! - factor * reflectors[v + i]!;
  }
}

function toColumnMajor(a: Float64Array, m: number, k: number): Float64Array {
  const out = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) out[c * m + i] = a[i * k + c]!;
  return out;
}

function toRowMajor(a: Float64Array, m: number, k: number): Float64Array {
  const out = new Float64Array(m * k);
  for (let c = 0; c < k; c++) for (let i = 0; i < m; i++) out[i * k + c] = a[c * m + i]!;
  return out;
}
