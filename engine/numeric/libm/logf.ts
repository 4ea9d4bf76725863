/**
 * The float natural logarithm of glibc 2.36 on x86_64 as it runs on a CPU
 * with FMA and AVX2 (`logf` is an IFUNC that picks `__logf_fma`: the generic
 * algorithm, from Arm's optimized-routines, compiled with fused multiply-adds).
 * Not always correctly rounded, so we do its arithmetic, in double with its
 * fused operations fused (fma64Exact), as read off libm.so.6's machine code:
 *
 *   x = 2^k · z, z in [0x3f330000, 2·0x3f330000) as float bits (≈ [0.7, 1.4)),
 *     exact (integer arithmetic on the bits); the interval is cut in 16, i the
 *     piece z lies in, c_i a point near its middle;
 *   log x = log1p(z/c_i − 1) + log c_i + k·ln 2,
 *   r = fma(z, 1/c_i, −1) (|r| < 1/32), y0 = fma(k, ln 2, log c_i),
 *   log1p(r) ≈ r + A2·r² + A1·r³ + A0·r⁴, evaluated as
 *     fma(r², fma(A0, r², fma(A1, r, A2)), r + y0),
 *   logf(x) = fl32(that).
 *
 * Special arguments: logf(1) = +0, logf(±0) = −∞, logf(+∞) = +∞, negative or
 * NaN → NaN; a subnormal x is scaled by 2^23 first.
 */
import { productError } from '../exact';
import { fma64Exact } from '../fma';
import { doubleFromBits, floatBits, floatFromBits } from './bits';

/**
 * {1/c_i, log c_i}: the bits of libm.so.6's `__logf_data.tab`, read with gdb.
 * The c_i are not the pieces' midpoints but points chosen by a search (so that
 * the double nearest log c_i is unusually close to it), so they cannot be
 * derived from a formula; c = 1 for the piece that holds 1.
 */
const TABLE: readonly (readonly [bigint, bigint])[] = [
  [0x3ff661ec79f8f3ben, 0xbfd57bf7808caaden],
  [0x3ff571ed4aaf883dn, 0xbfd2bef0a7c06ddbn],
  [0x3ff49539f0f010b0n, 0xbfd01eae7f513a67n],
  [0x3ff3c995b0b80385n, 0xbfcb31d8a68224e9n],
  [0x3ff30d190c8864a5n, 0xbfc6574f0ac07758n],
  [0x3ff25e227b0b8ea0n, 0xbfc1aa2bc79c8100n],
  [0x3ff1bb4a4a1a343fn, 0xbfba4e76ce8c0e5en],
  [0x3ff12358f08ae5ban, 0xbfb1973c5a611cccn],
  [0x3ff0953f419900a7n, 0xbfa252f438e10c1en],
  [0x3ff0000000000000n, 0x0000000000000000n],
  [0x3fee608cfd9a47acn, 0x3faaa5aa5df25984n],
  [0x3feca4b31f026aa0n, 0x3fbc5e53aa362eb4n],
  [0x3feb2036576afce6n, 0x3fc526e57720db08n],
  [0x3fe9c2d163a1aa2dn, 0x3fcbc2860d224770n],
  [0x3fe886e6037841edn, 0x3fd1058bc8a07ee1n],
  [0x3fe767dcf5534862n, 0x3fd4043057b6ee09n],
];
const INV_C = TABLE.map(([invc]) => doubleFromBits(invc));
const LOG_C = TABLE.map(([, logc]) => doubleFromBits(logc));
/** ln 2 rounded to double and the polynomial's coefficients (A2 ≈ −1/2, A1 ≈ 1/3, A0 ≈ −1/4): `__logf_data.ln2`, `.poly`. */
const LN2 = doubleFromBits(0x3fe62e42fefa39efn);
const A0 = doubleFromBits(0xbfd00ea348b88334n);
const A1 = doubleFromBits(0x3fd5575b0be00b6an);
const A2 = doubleFromBits(0xbfdffffef20a4123n);
/** The float bits where the reduced range [OFF, 2·OFF) starts (≈ 0.6992). */
const OFF = 0x3f330000;

/**
 * The fast path's rounding check: its value is within 2^-43 (relative) of the
 * library's (the unfused k·ln 2 + log c is off by at most an ulp of a number
 * ≥ 0.38 when k ≠ 0, and exact when k = 0; the unfused polynomial by a few
 * ulps of r²), so where v·(1 ± 2^-36) round to the same float, so does the
 * library's value.
 */
const SLACK = 2 ** -36;

/**
 * glibc 2.36's logf(x) on an FMA machine, x a float32 value.
 *
 * Fast path: r = fl((p − 1) + (z/c − p)), p = fl(z·(1/c)), is the library's
 * fma(z, 1/c, −1) exactly (p − 1 is exact by Sterbenz's lemma, p being within
 * 1/32 of 1, and the product's error is exact from TwoProduct); the rest is
 * evaluated without fusing and checked against the float rounding (SLACK).
 */
export function logf(x: number): number {
  const ix = floatBits(x);
  if (ix === 0x3f800000 || ix - 0x00800000 >>> 0 >= 0x7f800000 - 0x00800000) return logfExact(x);
  const tmp = (ix - OFF) | 0;
  const i = (tmp >>> 19) & 15;
  const k = tmp >> 23;
  const z = floatFromBits(ix - (tmp & 0xff800000));
  const invc = INV_C[i]!;
  const p = z * invc;
  const r = p - 1 + productError(z, invc, p);
  const y0 = k * LN2 + LOG_C[i]!;
  const r2 = r * r;
  const v = r2 * (A0 * r2 + (A1 * r + A2)) + (r + y0);
  const lo = Math.fround(v * (1 - SLACK));
  return lo === Math.fround(v * (1 + SLACK)) ? lo : logfExact(x);
}

/** glibc 2.36's logf step by step, every fused multiply-add fused: the reference the fast path falls back to. */
export function logfExact(x: number): number {
  let ix = floatBits(x);
  if (ix === 0x3f800000) return 0;
  if (ix - 0x00800000 >>> 0 >= 0x7f800000 - 0x00800000) {
    if ((ix & 0x7fffffff) === 0) return -Infinity;
    if (ix === 0x7f800000) return x;
    if ((ix & 0x80000000) !== 0 || (ix & 0x7fffffff) > 0x7f800000) return Number.NaN;
    ix = floatBits(Math.fround(x * 2 ** 23)) - (23 << 23); // subnormal: normalize
  }
  const tmp = (ix - OFF) | 0;
  const i = (tmp >>> 19) & 15;
  const k = tmp >> 23; // arithmetic shift
  const z = floatFromBits(ix - (tmp & 0xff800000));
  const r = fma64Exact(z, INV_C[i]!, -1);
  const y0 = fma64Exact(k, LN2, LOG_C[i]!);
  const r2 = r * r;
  let y = fma64Exact(A1, r, A2);
  y = fma64Exact(A0, r2, y);
  return Math.fround(fma64Exact(r2, y, r + y0));
}
