/**
 * The float32 logarithm and sine/cosine torch 1.13's AVX2 `normal_` kernel
 * uses (ATen's avx_mathfun.h: the Cephes single-precision algorithms, eight
 * lanes at a time), one lane at a time with float32 rounding after every
 * operation, so that the results are those bits.
 *
 * The compiler fuses `y·x + c` pairs into FMA instructions when it builds that
 * kernel for AVX2 (GCC contracts vector multiply-adds by default); `fma32`
 * reproduces the single rounding where it does.
 *
 * log(x), x > 0: write x = m·2^e with m in [√½, √2), t = m − 1, then
 *   log x = t − t²/2 + t³·P(t) + e·ln 2,
 * P a degree-8 polynomial and ln 2 split in two parts (q2 + q1) for accuracy.
 * sin/cos(x): reduce by j = round-to-even-octant of x·4/π, x' = x − j·π/4 in
 * three parts (DP1..DP3), then a degree-7 odd polynomial for sin and degree-8
 * even for cos on [−π/4, π/4], swapped and signed by the octant.
 */
import { fma32 } from '../numeric/fma';

const f = Math.fround;

const SQRTHF = f(0.707106781186547524);
const LOG_P0 = f(7.0376836292e-2);
const LOG_P1 = f(-1.151461031e-1);
const LOG_P2 = f(1.167699874e-1);
const LOG_P3 = f(-1.2420140846e-1);
const LOG_P4 = f(1.4249322787e-1);
const LOG_P5 = f(-1.6668057665e-1);
const LOG_P6 = f(2.0000714765e-1);
const LOG_P7 = f(-2.4999993993e-1);
const LOG_P8 = f(3.3333331174e-1);
const LOG_Q1 = f(-2.12194440e-4);
const LOG_Q2 = f(0.693359375);
const MIN_NORM_POS = 1.1754943508222875e-38; // 2^-126

const DP1 = f(-0.78515625);
const DP2 = f(-2.4187564849853515625e-4);
const DP3 = f(-3.77489497744594108e-8);
const SIN_P0 = f(-1.9515295891e-4);
const SIN_P1 = f(8.3321608736e-3);
const SIN_P2 = f(-1.6666654611e-1);
const COS_P0 = f(2.443315711809948e-5);
const COS_P1 = f(-1.388731625493765e-3);
const COS_P2 = f(4.166664568298827e-2);
const FOPI = f(1.27323954473516);

// One float32 and its bits, for the exponent/mantissa split (a typed-array view is much faster than a DataView).
const floatBits = new Float32Array(1);
const wordBits = new Int32Array(floatBits.buffer);

/** log256_ps on one lane: x a positive normal float (torch feeds it 1 − u, u in [0, 1)). */
export function logf(x: number): number {
  if (!(x > 0)) return Number.NaN; // the kernel ORs in an all-ones mask: NaN (never reached from 1 − u)
  if (x < MIN_NORM_POS) x = MIN_NORM_POS;
  floatBits[0] = x;
  const word = wordBits[0]!;
  let e = (word >>> 23) - 0x7f + 1; // a small integer: exact in float32
  wordBits[0] = (word & ~0x7f800000) | 0x3f000000;
  let m = floatBits[0]!; // mantissa in [0.5, 1)
  let t: number;
  if (m < SQRTHF) {
    e = e - 1;
    t = f(f(m - 1) + m);
  } else {
    t = f(m - 1);
  }
  const z = f(t * t);
  // Horner's rule, one fused multiply-add per coefficient (written out: this runs once per pair of normals).
  let y = fma32(LOG_P0, t, LOG_P1);
  y = fma32(y, t, LOG_P2);
  y = fma32(y, t, LOG_P3);
  y = fma32(y, t, LOG_P4);
  y = fma32(y, t, LOG_P5);
  y = fma32(y, t, LOG_P6);
  y = fma32(y, t, LOG_P7);
  y = fma32(y, t, LOG_P8);
  y = f(y * t);
  y = fma32(y, z, f(e * LOG_Q1));
  y = fma32(-z, 0.5, y);
  m = f(t + y);
  return fma32(e, LOG_Q2, m);
}

/** sincos256_ps's results for the last `sincosf` call. */
export const sincosOut = { sin: 0, cos: 0 };

/** sincos256_ps on one lane, x ≥ 0 (torch feeds it 2π·u): sets sincosOut. */
export function sincosf(x: number): void {
  const negative = x < 0;
  const ax = Math.abs(x);
  let j = f(ax * FOPI) | 0; // truncation (cvttps), x ≥ 0 and small
  j = (j + 1) & ~1;
  const yj = f(j);
  const sinSwap = (j & 4) !== 0;
  const polySin = (j & 2) === 0; // sin uses the sine polynomial when the octant pair is even
  let r = fma32(yj, DP1, ax);
  r = fma32(yj, DP2, r);
  r = fma32(yj, DP3, r);
  const cosSwap = ((j - 2) & 4) === 0;

  const z = f(r * r);
  let c = fma32(COS_P0, z, COS_P1);
  c = fma32(c, z, COS_P2);
  c = f(c * z);
  c = fma32(c, z, -0.5 * z);
  c = f(c + 1);

  let s = fma32(SIN_P0, z, SIN_P1);
  s = fma32(s, z, SIN_P2);
  s = f(s * z);
  s = fma32(s, r, r);

  const sinValue = polySin ? s : c;
  const cosValue = polySin ? c : s;
  sincosOut.sin = negative !== sinSwap ? -sinValue : sinValue;
  sincosOut.cos = cosSwap ? -cosValue : cosValue;
}
