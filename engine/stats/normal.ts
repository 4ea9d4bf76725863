/**
 * The standard normal distribution: density φ, distribution function Φ and
 * its inverse Φ⁻¹, in float64.
 */
import { erfc } from './special';

const SQRT1_2 = Math.SQRT1_2; // 1/√2
const SQRT_2PI = 2.5066282746310002; // √(2π)

/** φ(z) = e^{−z²/2} / √(2π). */
export function standardNormalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_2PI;
}

/**
 * Φ(z) = ½ erfc(−z/√2). Written with erfc rather than ½(1 + erf(z/√2)) so that
 * the lower tail keeps full relative accuracy (Φ(−10) ≈ 7.6e-24, not 0).
 */
export function standardNormalCdf(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2);
}

/** Upper tail 1 − Φ(z) = ½ erfc(z/√2), accurate for large z. */
export function standardNormalSurvival(z: number): number {
  return 0.5 * erfc(z * SQRT1_2);
}

export function normalPdf(x: number, mean: number, std: number): number {
  return standardNormalPdf((x - mean) / std) / std;
}

export function normalCdf(x: number, mean: number, std: number): number {
  return standardNormalCdf((x - mean) / std);
}

// Acklam's rational approximation of Φ⁻¹ (relative error < 1.15e-9), refined
// below by one Halley step on Φ(x) − p, which brings it to full double precision.
const A = [-39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/**
 * Φ⁻¹(p), the standard normal quantile, for p ∈ [0, 1] (±Infinity at 0 and 1).
 *
 * Central region |p − ½| ≤ ½ − 0.02425: x = q·A(q²)/B(q²) with q = p − ½.
 * Tails: x = C(r)/D(r) with r = √(−2 ln p) (lower) or the mirror image (upper).
 * Then one Halley step: with e = Φ(x) − p and u = e·√(2π)·e^{x²/2},
 *   x ← x − u / (1 + x·u/2).
 */
export function standardNormalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x: number;
  if (p < P_LOW) {
    x = tailApproximation(Math.sqrt(-2 * Math.log(p)));
  } else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
      (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
  } else {
    x = -tailApproximation(Math.sqrt(-2 * Math.log1p(-p)));
  }
  // Halley refinement. In the upper half write the residual Φ(x) − p as
  // (1 − p) − (1 − Φ(x)): 1 − p is exact there and 1 − Φ(x) keeps its relative accuracy.
  const e = p > 0.5 ? 1 - p - standardNormalSurvival(x) : standardNormalCdf(x) - p;
  const u = e * SQRT_2PI * Math.exp(0.5 * x * x);
  if (Number.isFinite(u)) x -= u / (1 + 0.5 * x * u);
  return x;
}

function tailApproximation(r: number): number {
  return (
    (((((C[0]! * r + C[1]!) * r + C[2]!) * r + C[3]!) * r + C[4]!) * r + C[5]!) /
    ((((D[0]! * r + D[1]!) * r + D[2]!) * r + D[3]!) * r + 1)
  );
}
