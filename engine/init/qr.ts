/**
 * Thin QR factorization by Householder reflections (Golub & Van Loan, §5.2),
 * in float64: A = Q·R for an m×k matrix with m ≥ k, Q m×k with orthonormal
 * columns, R k×k upper triangular. Only Q and the diagonal of R are returned,
 * which is what orthogonal_ needs.
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
 */
export function thinQr(a: Float64Array, m: number, k: number): ThinQr {
  if (m < k) throw new RangeError(`thinQr needs rows >= cols, got ${m}×${k}`);
  const r = Float64Array.from(a);
  const reflectors = new Float64Array(m * k); // column j holds v_j in rows j..m−1
  const rDiagonal = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let norm2 = 0;
    for (let i = j; i < m; i++) norm2 += r[i * k + j]! ** 2;
    const x0 = r[j * k + j]!;
    const alpha = (x0 < 0 ? 1 : -1) * Math.sqrt(norm2);
    rDiagonal[j] = norm2 === 0 ? 0 : alpha;
    let vNorm2 = 0;
    for (let i = j; i < m; i++) {
      const v = i === j ? x0 - alpha : r[i * k + j]!;
      reflectors[i * k + j] = v;
      vNorm2 += v * v;
    }
    if (vNorm2 === 0) continue; // x is already α e₁ (or zero): H_j = I
    applyReflector(r, reflectors, m, k, j, vNorm2, j);
  }
  // Accumulate Q = H₀ ··· H_{k−1} [I_k; 0], applying the reflectors from the last.
  const q = new Float64Array(m * k);
  for (let j = 0; j < k; j++) q[j * k + j] = 1;
  for (let j = k - 1; j >= 0; j--) {
    let vNorm2 = 0;
    for (let i = j; i < m; i++) vNorm2 += reflectors[i * k + j]! ** 2;
    if (vNorm2 > 0) applyReflector(q, reflectors, m, k, j, vNorm2, 0);
  }
  return { q, rDiagonal };
}

/** M[j:, c] ← M[j:, c] − 2 v (vᵀ M[j:, c]) / (vᵀv) for columns c ≥ firstColumn. */
function applyReflector(
  matrix: Float64Array,
  reflectors: Float64Array,
  m: number,
  k: number,
  j: number,
  vNorm2: number,
  firstColumn: number,
): void {
  for (let c = firstColumn; c < k; c++) {
    let dot = 0;
    for (let i = j; i < m; i++) dot += reflectors[i * k + j]! * matrix[i * k + c]!;
    const factor = (2 * dot) / vNorm2;
    if (factor === 0) continue;
    for (let i = j; i < m; i++) matrix[i * k + c] = matrix[i * k + c]! - factor * reflectors[i * k + j]!;
  }
}
