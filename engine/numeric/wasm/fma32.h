/*
 * fl32(a·b + c) with one rounding, for float32 a, b, c, in WebAssembly (which
 * has no FMA instruction): engine/numeric/fma.ts's fma32, step for step, and
 * four lanes at a time. Shared by the kernels that must give torch's fused
 * bits (engine/optim/wasm/adamw.c, engine/random/wasm/normal.c).
 *
 * Why the common case needs no error term: a·b of two floats is exact in a
 * double (24 + 24 ≤ 53 bits), so s = fl64(a·b + c) is the exact sum rounded
 * once. Rounding s to float32 then gives the correctly rounded float32 of the
 * exact sum unless s is exactly a float32 midpoint: every float32 midpoint
 * (25 significant bits) is a double, so a midpoint strictly between the exact
 * sum and s would be a double nearer to the exact sum than s is. Only when s
 * is a midpoint does the sign of the TwoSum error decide.
 */
#ifndef WEIGHTSCOPE_FMA32_H
#define WEIGHTSCOPE_FMA32_H

#include <wasm_simd128.h>

/* Knuth's TwoSum: a + b − s exactly, for s = fl(a + b). */
static inline double sum_error(double a, double b, double s) {
  double bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

static inline int is_finite(double x) { return x - x == 0.0; }

/* fl32(a·b + c) with one rounding: fma.ts's fma32, step for step. */
static inline float fma32(float a, float b, float c) {
  double p = (double)a * (double)b; /* exact */
  double s = p + (double)c;
  float r = (float)s;
  if ((double)r == s || !is_finite(r)) return r;
  double t = 2.0 * s - (double)r;
  if ((double)(float)t != t) return r; /* not a midpoint */
  double err = sum_error(p, (double)c, s);
  if (err == 0.0) return r;
  /* r and t are neighbouring float32 values, both finite: max / min of distinct numbers. */
  return (float)(err > 0.0 ? (r > t ? r : t) : (r < t ? r : t));
}

/* The float64 values of lanes 0, 1 and of lanes 2, 3 of a float32 vector (exact). */
static inline v128_t low_f64(v128_t x) { return wasm_f64x2_promote_low_f32x4(x); }
static inline v128_t high_f64(v128_t x) { return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3)); }

/* Round two doubles in each of lo and hi to float32 and join them: lanes lo0, lo1, hi0, hi1. */
static inline v128_t to_f32x4(v128_t lo, v128_t hi) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/*
 * All-ones in the lanes (of two) where the double s lies exactly halfway
 * between two float32 values of s's binade: its 52-bit mantissa ends in
 * 1 followed by 28 zeros (the bit of half a float32 ulp, 24 places down,
 * and nothing below it). An s that is a float32 itself ends in 29 zeros and
 * is not flagged. Only for s in the normal float32 range: below it the
 * float32 grid is fixed (fma32x4 sends such lanes to the scalar fma32).
 */
static inline v128_t is_midpoint(v128_t s) {
  const v128_t low29 = wasm_i64x2_splat(0x1FFFFFFF), half = wasm_i64x2_splat(0x10000000);
  return wasm_i64x2_eq(wasm_v128_and(s, low29), half);
}

/*
 * For the lanes of an f64x2 s = fl64(p + c) that are float32 midpoints and
 * inexact: s moved one double ulp towards the exact sum p + c (the sign of
 * the TwoSum error, compared with the sign of s, says which way), which is
 * what rounding to odd does there (Boldo and Melquiond). The moved s lies
 * strictly between the midpoint and the next double in the exact sum's
 * direction, so rounding it to float32 gives the correctly rounded exact
 * sum. A midpoint that is exact (error 0) stays: float32 rounding then
 * breaks the true tie to even, as the fused instruction does.
 */
static inline v128_t to_odd_at_midpoints(v128_t p, v128_t c, v128_t s) {
  v128_t bb = wasm_f64x2_sub(s, p);
  v128_t err = wasm_f64x2_add(wasm_f64x2_sub(p, wasm_f64x2_sub(s, bb)), wasm_f64x2_sub(c, bb));
  v128_t inexact = wasm_f64x2_ne(err, wasm_f64x2_splat(0.0));
  /* +1 (away from zero) when err has the sign of s, else −1. */
  v128_t step = wasm_v128_or(wasm_i64x2_shr(wasm_v128_xor(err, s), 63), wasm_i64x2_splat(1));
  return wasm_i64x2_add(s, wasm_v128_and(step, wasm_v128_and(inexact, is_midpoint(s))));
}

/*
 * fma32 of four lanes, in two f64x2 halves: the exact product, the double
 * sum s and r = fl32(s), right unless s is a float32 midpoint. When a lane
 * is at a midpoint, its s is rounded to odd first (to_odd_at_midpoints: the
 * TwoSum error decides, as in fma32). Lanes whose r is below 2^-125 (near
 * or in float32's subnormal range, where is_midpoint does not apply) make
 * all four go through the scalar fma32 again. A lane that overflows to ±∞
 * or is NaN keeps r, as fma32 does.
 */
static inline v128_t fma32x4(v128_t a, v128_t b, v128_t c) {
  v128_t p_lo = wasm_f64x2_mul(low_f64(a), low_f64(b)), c_lo = low_f64(c);
  v128_t p_hi = wasm_f64x2_mul(high_f64(a), high_f64(b)), c_hi = high_f64(c);
  v128_t s_lo = wasm_f64x2_add(p_lo, c_lo);
  v128_t s_hi = wasm_f64x2_add(p_hi, c_hi);
  v128_t r = to_f32x4(s_lo, s_hi);
  v128_t tiny = wasm_f32x4_lt(wasm_f32x4_abs(r), wasm_f32x4_splat(0x1p-125f));
  v128_t check = wasm_v128_or(wasm_v128_or(is_midpoint(s_lo), is_midpoint(s_hi)), tiny);
  if (__builtin_expect(wasm_v128_any_true(check), 0)) {
    if (wasm_v128_any_true(tiny)) {
      return wasm_f32x4_make(fma32(wasm_f32x4_extract_lane(a, 0), wasm_f32x4_extract_lane(b, 0), wasm_f32x4_extract_lane(c, 0)),
                             fma32(wasm_f32x4_extract_lane(a, 1), wasm_f32x4_extract_lane(b, 1), wasm_f32x4_extract_lane(c, 1)),
                             fma32(wasm_f32x4_extract_lane(a, 2), wasm_f32x4_extract_lane(b, 2), wasm_f32x4_extract_lane(c, 2)),
                             fma32(wasm_f32x4_extract_lane(a, 3), wasm_f32x4_extract_lane(b, 3), wasm_f32x4_extract_lane(c, 3)));
    }
    return to_f32x4(to_odd_at_midpoints(p_lo, c_lo, s_lo), to_odd_at_midpoints(p_hi, c_hi, s_hi));
  }
  return r;
}

/*
 * fl32(a·b + c) for four lanes where the caller has shown that a·b + c is
 * exact in double (its bits span at most 53 places: a short product, an
 * addend on a nearby grid): then s = a·b + c exactly and rounding s to
 * float32 is the single rounding, midpoints included (ties to even).
 */
static inline v128_t fma32x4_exact_sum(v128_t a, v128_t b, v128_t c) {
  v128_t s_lo = wasm_f64x2_add(wasm_f64x2_mul(low_f64(a), low_f64(b)), low_f64(c));
  v128_t s_hi = wasm_f64x2_add(wasm_f64x2_mul(high_f64(a), high_f64(b)), high_f64(c));
  return to_f32x4(s_lo, s_hi);
}

#endif
