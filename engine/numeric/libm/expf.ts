/**
 * The float exponential of glibc 2.36 on x86_64 as it runs on a CPU with FMA
 * and AVX2: `expf` is an IFUNC that picks `__expf_fma`, the generic algorithm
 * (from Arm's optimized-routines) compiled with -mfma -mavx2, so the compiler
 * fused its multiply-adds. Its result is not always the correctly rounded
 * e^x (it is within 0.502 ulp), so to give the bits torch's erfinv gets we do
 * exactly its arithmetic, in double, with the fused operations fused
 * (fma64Exact), as read off the machine code of libm.so.6:
 *
 *   x·32/ln2 = k + r, k = round-to-nearest-even(x·32/ln2) (one fused
 *     multiply-add onto 1.5·2^52 does the rounding), r = fma(x, 32/ln2, −k)
 *     in [−1/2, 1/2];
 *   e^x = 2^(k/32) · 2^(r/32), 2^(k/32) = 2^⌊k/32⌋ · T[k mod 32],
 *   2^(r/32) ≈ (C0·r + C1)·r² + (C2·r + 1)          (three fused multiply-adds),
 *   expf(x) = fl32(fl64(that · 2^(k/32))).
 *
 * The arguments that leave the main path: |x| ≥ 88 (or NaN): −∞ → 0, ±∞/NaN →
 * x + x, x > 88.72… overflows to +∞, x < −103.97… underflows to +0, and
 * x < −103.28… gives the smallest subnormal (2^-149), as the library's
 * overflow/underflow helpers compute them.
 */
import { productError } from '../exact';
import { fma64Exact } from '../fma';
import { doubleFromBits, floatBits, floatFromBits } from './bits';

/**
 * 32/ln 2 and the polynomial's coefficients C0 ≈ ln³2/(6·32³), C1 ≈ ln²2/(2·32²),
 * C2 ≈ ln 2/32 (a minimax fit, so not the Taylor values): the bits in
 * libm.so.6's `__exp2f_data` (`invln2_scaled`, `poly_scaled`), read with gdb.
 */
const INV_LN2_N = doubleFromBits(0x40471547652b82fen);
const C0 = doubleFromBits(0x3ebc6af84b912394n);
const C1 = doubleFromBits(0x3f2ebfce50fac4f3n);
const C2 = doubleFromBits(0x3f962e42ff0c52d6n);
/** 1.5·2^52: adding it rounds a double below 2^51 in magnitude to an integer (its ulp is 1). */
const SHIFT = 1.5 * 2 ** 52;

/**
 * T[i] = 2^(i/32) rounded to the nearest double, i = 0…31. The library's table
 * holds these values (less i·2^47 in their bit patterns, which its integer
 * arithmetic adds back); they are computed here exactly: the double nearest
 * to 2^(i/32) is m·2^-52 with m the integer nearest to 2^(52 + i/32), i.e. the
 * largest m with m^32 ≤ 2^(1664 + i), plus one if (m + ½)^32 < 2^(1664 + i)
 * ((2m + 1)^32 < 2^(1696 + i); no tie: 2^(i/32) is irrational for 0 < i < 32).
 */
export const EXP2_TABLE: readonly number[] = Array.from({ length: 32 }, (_, i) => {
  const target = 1n << BigInt(1664 + i);
  let lo = 1n << 52n;
  let hi = 1n << 53n; // lo^32 ≤ target < hi^32
  while (hi - lo > 1n) {
    const mid = (lo + hi) >> 1n;
    if (mid ** 32n <= target) lo = mid;
    else hi = mid;
  }
  const m = (2n * lo + 1n) ** 32n < target << 32n ? lo + 1n : lo;
  return Number(m) * 2 ** -52;
});

const OVERFLOW_BOUND = floatFromBits(0x42b17217); // 0x1.62e42ep6: above it e^x > FLT_MAX
const UNDERFLOW_BOUND = floatFromBits(0xc2cff1b4); // −0x1.9fe368p6: below it e^x < 2^-150
const MAY_UNDERFLOW_BOUND = floatFromBits(0xc2ce8ecf); // −0x1.9d1d9ep6: below it e^x < 2^-149
const TOP12_88 = 0x42b; // the top 12 bits of 88.0f

/**
 * The fast path's rounding check: its value is within 2^-50 (relative) of the
 * library's (below), so where v·(1 ± 2^-36) round to the same float, so does
 * the library's value; elsewhere (a few in 10^4) we do the library's exact steps.
 */
const SLACK = 2 ** -36;
/** 0.5 − 2^-30: below it p's rounding to an integer is that of x·32/ln2 itself (|p − x·32/ln2| < 2^-40). */
const NOT_NEAR_HALF = 0.5 - 2 ** -30;

/**
 * glibc 2.36's expf(x) on an FMA machine, x a float32 value.
 *
 * Fast path: p = fl(x·32/ln2), k = round(p), r = fl((p − k) + (x·32/ln2 − p)) is
 * the library's r exactly (p − k is exact, the product's error exact from
 * Dekker's TwoProduct, and one rounding); the polynomial is evaluated without
 * fusing, which moves the double result by a few units in its last place, far
 * less than the float rounding cares about except near a float midpoint,
 * which SLACK detects.
 */
export function expf(x: number): number {
  if (!(Math.abs(x) < 88)) return expfExact(x); // ≥ 88 or NaN: the library's special cases
  const p = INV_LN2_N * x;
  const kd = p + SHIFT - SHIFT;
  const d = p - kd;
  if (Math.abs(d) > NOT_NEAR_HALF) return expfExact(x);
  const r = d + productError(INV_LN2_N, x, p);
  const k = kd | 0;
  const s = EXP2_TABLE[k & 31]! * 2 ** (k >> 5);
  const r2 = r * r;
  const v = ((C0 * r + C1) * r2 + (C2 * r + 1)) * s;
  const lo = Math.fround(v * (1 - SLACK));
  return lo === Math.fround(v * (1 + SLACK)) ? lo : expfExact(x);
}

/** glibc 2.36's expf step by step, every fused multiply-add fused: the reference the fast path falls back to. */
export function expfExact(x: number): number {
  const bits = floatBits(x);
  if (((bits >>> 20) & 0x7ff) >= TOP12_88) {
    if (bits === 0xff800000) return 0;
    if (((bits >>> 20) & 0x7ff) >= 0x7f8) return Math.fround(x + x);
    if (x > OVERFLOW_BOUND) return Infinity;
    if (x < UNDERFLOW_BOUND) return 0;
    // 0x1.4p-75f squared, rounded to float: the smallest subnormal.
    if (x < MAY_UNDERFLOW_BOUND) return Math.fround(1.25 * 2 ** -75 * (1.25 * 2 ** -75));
  }
  const kd = fma64Exact(INV_LN2_N, x, SHIFT) - SHIFT;
  const r = fma64Exact(INV_LN2_N, x, -kd);
  const i = ((kd % 32) + 32) % 32;
  const s = EXP2_TABLE[i]! * 2 ** ((kd - i) / 32);
  const z = fma64Exact(C0, r, C1);
  const r2 = r * r;
  let y = fma64Exact(C2, r, 1);
  y = fma64Exact(z, r2, y);
  return Math.fround(y * s);
}
