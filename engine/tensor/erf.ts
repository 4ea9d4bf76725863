/**
 * The error function erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt and its complement
 * erfc(x) = 1 − erf(x), to float64 accuracy (≲ 1e-15 relative), for the
 * exact GELU: GELU(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)).
 *
 * Method: W. J. Cody, "Rational Chebyshev approximations for the error
 * function", Math. Comp. 23 (1969) 631–637, with the coefficient sets of his
 * later SPECFUN routine CALERF for IEEE double precision:
 *   |x| ≤ 0.5:       erf(x)  = x · R₁(x²)                 (R₁ = P/Q, degree 4/4)
 *   0.5 < |x| ≤ 4:   erfc(x) = e^(−x²) · R₂(|x|)          (degree 8/8)
 *   |x| > 4:         erfc(x) = e^(−x²)/|x| · (1/√π + R₃(1/x²)/x²)   (degree 5/5)
 * and erf(−x) = −erf(x), erfc(−x) = 2 − erfc(x).
 *
 * e^(−x²) loses accuracy when x² is large because x² itself is rounded, so
 * it is evaluated as e^(−s²)·e^(−(x−s)(x+s)) with s = x truncated to a
 * multiple of 1/16 (s² is then exact).
 */

// Coefficients are listed from the highest power down to the constant term for Horner evaluation.
const SMALL_NUMERATOR = [
  1.85777706184603153e-1, 3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3,
];
const SMALL_DENOMINATOR = [1, 2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];

const MEDIUM_NUMERATOR = [
  2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2,
  8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3,
];
const MEDIUM_DENOMINATOR = [
  1, 1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3,
  4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3,
];

const LARGE_NUMERATOR = [
  1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
  6.58749161529837803e-4,
];
const LARGE_DENOMINATOR = [1, 2.56852019228982242e0, 1.87295284992346725e0, 5.27905102951428412e-1, 6.05183413124413191e-2,
  2.33520497626869185e-3];

const INV_SQRT_PI = 0.56418958354775628695;
/** Beyond this, erfc(x) underflows to 0 in float64. */
const ERFC_UNDERFLOW = 26.543;

// Horner's rule written out for each fixed degree (the same operations in the
// same order as a loop over the coefficients, so the same bits): GELU calls
// erf once per element, and the loop over an array was most of its cost.

/** x·P(t)/Q(t) of the small region (t = x²), rounded as (x·P)/Q. */
function smallRegion(x: number, t: number): number {
  const n = SMALL_NUMERATOR;
  const d = SMALL_DENOMINATOR;
  const p = (((n[0]! * t + n[1]!) * t + n[2]!) * t + n[3]!) * t + n[4]!;
  const q = (((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + d[4]!;
  return (x * p) / q;
}

/** P(x)/Q(x) of the medium region. */
function mediumRatio(x: number): number {
  const n = MEDIUM_NUMERATOR;
  const d = MEDIUM_DENOMINATOR;
  const p = (((((((n[0]! * x + n[1]!) * x + n[2]!) * x + n[3]!) * x + n[4]!) * x + n[5]!) * x + n[6]!) * x + n[7]!) * x + n[8]!;
  const q = (((((((d[0]! * x + d[1]!) * x + d[2]!) * x + d[3]!) * x + d[4]!) * x + d[5]!) * x + d[6]!) * x + d[7]!) * x + d[8]!;
  return p / q;
}

/** z·P(z)/Q(z) of the large region, rounded as (z·P)/Q. */
function largeRegion(z: number): number {
  const n = LARGE_NUMERATOR;
  const d = LARGE_DENOMINATOR;
  const p = ((((n[0]! * z + n[1]!) * z + n[2]!) * z + n[3]!) * z + n[4]!) * z + n[5]!;
  const q = ((((d[0]! * z + d[1]!) * z + d[2]!) * z + d[3]!) * z + d[4]!) * z + d[5]!;
  return (z * p) / q;
}

/**
 * e^(−s²) for s = k/16, k = 0 … 16·ERFC_UNDERFLOW: the first factor of
 * expMinusSquare, looked up instead of computed (the same call on the same
 * argument, so the same bits; it saves one of erf's two exponentials).
 */
const EXP_MINUS_SQUARE_SIXTEENTHS = Float64Array.from({ length: Math.ceil(ERFC_UNDERFLOW * 16) + 1 }, (_, k) => {
  const s = k / 16;
  return Math.exp(-s * s);
});

/** e^(−x²) for 0 ≤ x ≤ ERFC_UNDERFLOW, without the rounding error of forming x² directly. */
function expMinusSquare(x: number): number {
  const k = Math.trunc(x * 16);
  const s = k / 16;
  return EXP_MINUS_SQUARE_SIXTEENTHS[k]! * Math.exp(-(x - s) * (x + s));
}

/** erfc(x) for x > 0.5 (the two tail regions). */
function erfcPositiveTail(x: number): number {
  if (x > ERFC_UNDERFLOW) return 0;
  if (x <= 4) return expMinusSquare(x) * mediumRatio(x);
  const z = 1 / (x * x);
  const r = largeRegion(z);
  return (expMinusSquare(x) / x) * (INV_SQRT_PI - r);
}

export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 0.5) {
    const t = x * x;
    return smallRegion(x, t);
  }
  if (Number.isNaN(x)) return NaN;
  const value = 1 - erfcPositiveTail(ax);
  return x < 0 ? -value : value;
}

export function erfc(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 0.5) return 1 - erf(x);
  if (Number.isNaN(x)) return NaN;
  const tail = erfcPositiveTail(ax);
  return x < 0 ? 2 - tail : tail;
}
