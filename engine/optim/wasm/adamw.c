/*
 * The per-element AdamW kernels of engine/optim/adam.ts (`adamKernel`: the
 * moments m, v, v_max and the denominator q) and engine/optim/apply.ts
 * (`fuseDecayAndRatio`: θ ← θ·(1 + c_decay) + (c·m)/q) in WebAssembly, built by
 * scripts/build-wasm.mjs with clang and lld into adamwWasm.ts (the module's
 * bytes, base64), for large tensors (engine/optim/adamWasm.ts).
 *
 * Every element goes through the same operations, with the same roundings in
 * the same order, as the JavaScript kernels, so the bits are equal:
 *   - float32: a float32 +, −, ×, ÷ or √ in C rounds once, exactly as
 *     Math.fround of the double result does in JavaScript (double rounding is
 *     harmless for these, float32.ts explains why);
 *   - the fused multiply-adds use the same emulations as float32.ts: fma32
 *     (exact double product, double sum, midpoint check, TwoSum) and fma64
 *     (TwoSum and Dekker's TwoProduct). WebAssembly has no scalar FMA, and the
 *     build passes -ffp-contract=off so that clang never fuses a·b + c on its
 *     own (JavaScript never does);
 *   - max is WebAssembly's f32.max / f64.max / f32x4.max: NaN if either
 *     operand is NaN and −0 < +0, the semantics of Math.max (C's fmax would
 *     drop a NaN).
 * Elements do not interact, so SIMD lanes of neighbouring elements give the
 * same bits as the scalar loop.
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing and passes them; the code keeps nothing in linear
 * memory of its own.
 */
#include <wasm_simd128.h>

/* Knuth's TwoSum: a + b − s exactly, for s = fl(a + b). */
static inline double sum_error(double a, double b, double s) {
  double bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/* Dekker's TwoProduct: a·b − p exactly, for p = fl(a·b) (no overflow or underflow). */
static inline double product_error(double a, double b, double p) {
  const double splitter = 134217729.0; /* 2^27 + 1 */
  double t = splitter * a;
  double ah = t - (t - a);
  double al = a - ah;
  t = splitter * b;
  double bh = t - (t - b);
  double bl = b - bh;
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl);
}

static inline int is_finite(double x) { return x - x == 0.0; }

/* fl32(a·b + c) with one rounding: float32.ts's fma32, step for step. */
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

/* fl64(a·b + c) as float32.ts's fma64. */
static inline double fma64(double a, double b, double c) {
  double p = a * b;
  double s = p + c;
  double absP = p < 0.0 ? -p : p;
  if (!is_finite(s) || absP > 0x1p995) return s;
  return s + (sum_error(p, c, s) + product_error(a, b, p));
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
 * fma32 of four lanes. The common case, in two f64x2 halves: the exact
 * product, the double sum s and r = fl32(s), right unless s is a float32
 * midpoint (fma32's case: then the TwoSum error decides). Lanes at a
 * midpoint, and lanes whose r is below 2^-125 (near or in float32's
 * subnormal range, where is_midpoint does not apply), make all four go
 * through the scalar fma32 again. A lane that overflows to ±∞ or is NaN
 * keeps r, as fma32 does.
 */
static inline v128_t fma32x4(v128_t a, v128_t b, v128_t c) {
  v128_t s_lo = wasm_f64x2_add(wasm_f64x2_mul(low_f64(a), low_f64(b)), low_f64(c));
  v128_t s_hi = wasm_f64x2_add(wasm_f64x2_mul(high_f64(a), high_f64(b)), high_f64(c));
  v128_t r = to_f32x4(s_lo, s_hi);
  v128_t tiny = wasm_f32x4_lt(wasm_f32x4_abs(r), wasm_f32x4_splat(0x1p-125f));
  v128_t check = wasm_v128_or(wasm_v128_or(is_midpoint(s_lo), is_midpoint(s_hi)), tiny);
  if (__builtin_expect(wasm_v128_any_true(check), 0)) {
    return wasm_f32x4_make(fma32(wasm_f32x4_extract_lane(a, 0), wasm_f32x4_extract_lane(b, 0), wasm_f32x4_extract_lane(c, 0)),
                           fma32(wasm_f32x4_extract_lane(a, 1), wasm_f32x4_extract_lane(b, 1), wasm_f32x4_extract_lane(c, 1)),
                           fma32(wasm_f32x4_extract_lane(a, 2), wasm_f32x4_extract_lane(b, 2), wasm_f32x4_extract_lane(c, 2)),
                           fma32(wasm_f32x4_extract_lane(a, 3), wasm_f32x4_extract_lane(b, 3), wasm_f32x4_extract_lane(c, 3)));
  }
  return r;
}

/*
 * One Adam step for n float32 elements, in place (adam.ts's adamKernel):
 *   m ← fma32(1−β1, g, fl(m·β1))
 *   v ← fma32(fl((1−β2)·g), g, fl(v·β2));  amsgrad: v_max ← max(v_max, v), v̂ from v_max
 *   q ← fl(fl(fl(√v̂) / √(1−β2^t)) + ε)
 * vMax is 0 without amsgrad. The scalars are already rounded to float32.
 */
__attribute__((export_name("adam32"))) void adam32(const float* g, float* m, float* v, float* vMax, float* denom, int n,
                                                     float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                                                     float root, float epsilon) {
  v128_t beta1_4 = wasm_f32x4_splat(beta1), oneMinusBeta1_4 = wasm_f32x4_splat(oneMinusBeta1);
  v128_t beta2_4 = wasm_f32x4_splat(beta2), oneMinusBeta2_4 = wasm_f32x4_splat(oneMinusBeta2);
  v128_t root4 = wasm_f32x4_splat(root), epsilon4 = wasm_f32x4_splat(epsilon);
  int i = 0;
  /* Four elements per step: the float32 operations in f32x4 lanes (one rounding each, as scalar), the FMAs by fma32x4. */
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i);
    wasm_v128_store(m + i, fma32x4(oneMinusBeta1_4, gi, wasm_f32x4_mul(wasm_v128_load(m + i), beta1_4)));
    v128_t vi = fma32x4(wasm_f32x4_mul(oneMinusBeta2_4, gi), gi, wasm_f32x4_mul(wasm_v128_load(v + i), beta2_4));
    wasm_v128_store(v + i, vi);
    if (vMax) {
      vi = wasm_f32x4_max(wasm_v128_load(vMax + i), vi);
      wasm_v128_store(vMax + i, vi);
    }
    wasm_v128_store(denom + i, wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(vi), root4), epsilon4));
  }
  for (; i < n; i++) {
    float gi = g[i];
    m[i] = fma32(oneMinusBeta1, gi, m[i] * beta1);
    float vi = fma32(oneMinusBeta2 * gi, gi, v[i] * beta2);
    v[i] = vi;
    if (vMax) vi = vMax[i] = __builtin_wasm_max_f32(vMax[i], vi);
    denom[i] = __builtin_sqrtf(vi) / root + epsilon;
  }
}

/*
 * fma64 of two lanes, without branches: both of fma64's results are
 * computed and the lane picks s where fma64 returns it (s not finite, or
 * |p| > 2^995 where TwoProduct's splitting could overflow); the other
 * result may then be ±∞ or NaN, and is dropped.
 */
static inline v128_t fma64x2(v128_t a, v128_t b, v128_t c) {
  const v128_t splitter = wasm_f64x2_splat(134217729.0);
  v128_t p = wasm_f64x2_mul(a, b);
  v128_t s = wasm_f64x2_add(p, c);
  /* TwoSum(p, c) */
  v128_t bb = wasm_f64x2_sub(s, p);
  v128_t sum_err = wasm_f64x2_add(wasm_f64x2_sub(p, wasm_f64x2_sub(s, bb)), wasm_f64x2_sub(c, bb));
  /* TwoProduct(a, b) */
  v128_t t = wasm_f64x2_mul(splitter, a);
  v128_t ah = wasm_f64x2_sub(t, wasm_f64x2_sub(t, a));
  v128_t al = wasm_f64x2_sub(a, ah);
  t = wasm_f64x2_mul(splitter, b);
  v128_t bh = wasm_f64x2_sub(t, wasm_f64x2_sub(t, b));
  v128_t bl = wasm_f64x2_sub(b, bh);
  v128_t prod_err = wasm_f64x2_sub(wasm_f64x2_mul(al, bl),
                                   wasm_f64x2_sub(wasm_f64x2_sub(wasm_f64x2_sub(p, wasm_f64x2_mul(ah, bh)), wasm_f64x2_mul(al, bh)), wasm_f64x2_mul(ah, bl)));
  v128_t fused = wasm_f64x2_add(s, wasm_f64x2_add(sum_err, prod_err));
  v128_t finite = wasm_f64x2_eq(wasm_f64x2_sub(s, s), wasm_f64x2_splat(0.0));
  v128_t small = wasm_f64x2_le(wasm_f64x2_abs(p), wasm_f64x2_splat(0x1p995));
  return wasm_v128_bitselect(fused, s, wasm_v128_and(finite, small));
}

/*
 * adam32 for float64 elements: every rounding to double, fma64 for the
 * fused multiply-adds; two elements per f64x2 instruction.
 */
__attribute__((export_name("adam64"))) void adam64(const double* g, double* m, double* v, double* vMax, double* denom, int n,
                                                     double beta1, double oneMinusBeta1, double beta2, double oneMinusBeta2,
                                                     double root, double epsilon) {
  v128_t beta1_2 = wasm_f64x2_splat(beta1), oneMinusBeta1_2 = wasm_f64x2_splat(oneMinusBeta1);
  v128_t beta2_2 = wasm_f64x2_splat(beta2), oneMinusBeta2_2 = wasm_f64x2_splat(oneMinusBeta2);
  v128_t root2 = wasm_f64x2_splat(root), epsilon2 = wasm_f64x2_splat(epsilon);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    v128_t gi = wasm_v128_load(g + i);
    wasm_v128_store(m + i, fma64x2(oneMinusBeta1_2, gi, wasm_f64x2_mul(wasm_v128_load(m + i), beta1_2)));
    v128_t vi = fma64x2(wasm_f64x2_mul(oneMinusBeta2_2, gi), gi, wasm_f64x2_mul(wasm_v128_load(v + i), beta2_2));
    wasm_v128_store(v + i, vi);
    if (vMax) {
      vi = wasm_f64x2_max(wasm_v128_load(vMax + i), vi);
      wasm_v128_store(vMax + i, vi);
    }
    wasm_v128_store(denom + i, wasm_f64x2_add(wasm_f64x2_div(wasm_f64x2_sqrt(vi), root2), epsilon2));
  }
  for (; i < n; i++) {
    double gi = g[i];
    m[i] = fma64(oneMinusBeta1, gi, m[i] * beta1);
    double vi = fma64(oneMinusBeta2 * gi, gi, v[i] * beta2);
    v[i] = vi;
    if (vMax) vi = vMax[i] = __builtin_wasm_max_f64(vMax[i], vi);
    denom[i] = __builtin_sqrt(vi) / root + epsilon;
  }
}

/*
 * AdamW's θ update for n float32 elements, in place (apply.ts's fuseDecayAndRatio):
 *   θ ← fl(fl(θ·keep) + fl(fl(c·numer) / denom)),  keep = 1 + c_decay
 * Four elements per f32x4 instruction: lanes are separate elements, each
 * operation rounds once per lane, as the scalar code does.
 */
__attribute__((export_name("adamw32"))) void adamw32(float* theta, const float* numer, const float* denom, int n, float keep, float c) {
  v128_t keep4 = wasm_f32x4_splat(keep), c4 = wasm_f32x4_splat(c);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t decayed = wasm_f32x4_mul(wasm_v128_load(theta + i), keep4);
    v128_t ratio = wasm_f32x4_div(wasm_f32x4_mul(c4, wasm_v128_load(numer + i)), wasm_v128_load(denom + i));
    wasm_v128_store(theta + i, wasm_f32x4_add(decayed, ratio));
  }
  for (; i < n; i++) theta[i] = theta[i] * keep + (c * numer[i]) / denom[i];
}

/* adamw32 for float64 elements, two per f64x2 instruction. */
__attribute__((export_name("adamw64"))) void adamw64(double* theta, const double* numer, const double* denom, int n, double keep, double c) {
  v128_t keep2 = wasm_f64x2_splat(keep), c2 = wasm_f64x2_splat(c);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    v128_t decayed = wasm_f64x2_mul(wasm_v128_load(theta + i), keep2);
    v128_t ratio = wasm_f64x2_div(wasm_f64x2_mul(c2, wasm_v128_load(numer + i)), wasm_v128_load(denom + i));
    wasm_v128_store(theta + i, wasm_f64x2_add(decayed, ratio));
  }
  for (; i < n; i++) theta[i] = theta[i] * keep + (c * numer[i]) / denom[i];
}
