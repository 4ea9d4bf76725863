/*
 * The per-element AdamW kernels of engine/optim/adam.ts (`adamKernel`: the
 * moments m, v, v_max and the denominator q) and engine/optim/apply.ts
 * (`fuseDecayAndRatio`: θ ← θ·(1 + c_decay) + (c·m)/q) in WebAssembly, built by
 * scripts/build-wasm.mjs with clang and lld into adamwWasm.ts (the module's
 * bytes, base64), for all but the smallest tensors (engine/optim/adamWasm.ts).
 * A traced step's sums (adam.ts's adamSums, apply.ts's applyAdamWTraced)
 * come from the same calls, in double, when the caller passes an output area.
 *
 * Every element goes through the same operations, with the same roundings in
 * the same order, as the JavaScript kernels, so the bits are equal:
 *   - float32: a float32 +, −, ×, ÷ or √ in C rounds once, exactly as
 *     Math.fround of the double result does in JavaScript (double rounding is
 *     harmless for these, float32.ts explains why);
 *   - the fused multiply-adds use the same emulations as numeric/fma.ts: fma32
 *     (exact double product, double sum, midpoint check, TwoSum; four lanes
 *     at a time in numeric/wasm/fma32.h) and fma64
 *     (TwoSum and Dekker's TwoProduct). WebAssembly has no scalar FMA, and the
 *     build passes -ffp-contract=off so that clang never fuses a·b + c on its
 *     own (JavaScript never does);
 *   - max is WebAssembly's f32.max / f64.max / f32x4.max: NaN if either
 *     operand is NaN and −0 < +0, the semantics of Math.max (C's fmax would
 *     drop a NaN).
 * Elements do not interact, so SIMD lanes of neighbouring elements give the
 * same bits as the scalar loop.
 *
 * The sums are not bit-equal to JavaScript's: they are accumulated in
 * f64x2 lanes (and, for float32, in two such pairs), then added together,
 * an order other than the JavaScript loop's one-element-at-a-time sum, so
 * a sum may differ from it in the last bits (all of these sums add terms
 * of one sign, so both are within n·2^-53 of the exact sum, relatively, and
 * in practice far closer). Each term is computed with the same double
 * operations as in JavaScript, and min and max are the same.
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing and passes them; the code keeps nothing in linear
 * memory of its own.
 */
#include "../../numeric/wasm/fma32.h"

#define INFINITY_D __builtin_inf()

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

/* fl64(a·b + c) as float32.ts's fma64. */
static inline double fma64(double a, double b, double c) {
  double p = a * b;
  double s = p + c;
  double absP = p < 0.0 ? -p : p;
  if (!is_finite(s) || absP > 0x1p995) return s;
  return s + (sum_error(p, c, s) + product_error(a, b, p));
}

/*
 * The running sums of a traced Adam step (adam.ts's adamSums), in double,
 * over the new m and the denominator q = √v̂ + ε, with r = q − ε (= √v̂, exact
 * in double) and k = 1/q (the step scale):
 *   acc[0] Σm²   acc[1] Σr   acc[2] Σr²   acc[3] min q   acc[4] max q
 *   acc[5] Σk    acc[6] Σk²  acc[7] Σ(m·k)²
 * Added to what acc holds (a tensor in several chunks continues its sums).
 * min and max skip a NaN q, as JavaScript's `if (q < qMin) qMin = q` does:
 * f64x2.pmin(a, b) is b < a ? b : a, and pmax(a, b) is a < b ? b : a.
 */
typedef struct {
  v128_t mSq, rSum, rSq, qMin, qMax, kSum, kSq, mkSq;
} AdamSums2;

static inline void adam_sums2_init(AdamSums2* s) {
  s->mSq = s->rSum = s->rSq = s->kSum = s->kSq = s->mkSq = wasm_f64x2_splat(0.0);
  s->qMin = wasm_f64x2_splat(INFINITY_D);
  s->qMax = wasm_f64x2_splat(-INFINITY_D);
}

/* Two elements' m and q, in double, into the lane accumulators. */
static inline void adam_sums2_add(AdamSums2* s, v128_t m, v128_t q, v128_t epsilon) {
  v128_t r = wasm_f64x2_sub(q, epsilon);
  v128_t k = wasm_f64x2_div(wasm_f64x2_splat(1.0), q);
  v128_t mk = wasm_f64x2_mul(m, k);
  s->mSq = wasm_f64x2_add(s->mSq, wasm_f64x2_mul(m, m));
  s->rSum = wasm_f64x2_add(s->rSum, r);
  s->rSq = wasm_f64x2_add(s->rSq, wasm_f64x2_mul(r, r));
  s->kSum = wasm_f64x2_add(s->kSum, k);
  s->kSq = wasm_f64x2_add(s->kSq, wasm_f64x2_mul(k, k));
  s->mkSq = wasm_f64x2_add(s->mkSq, wasm_f64x2_mul(mk, mk));
  s->qMin = wasm_f64x2_pmin(s->qMin, q);
  s->qMax = wasm_f64x2_pmax(s->qMax, q);
}

/* One element's m and q into scalar accumulators, laid out as acc. */
static inline void adam_sums1_add(double* t, double m, double q, double epsilon) {
  double r = q - epsilon, k = 1.0 / q, mk = m * k;
  t[0] += m * m;
  t[1] += r;
  t[2] += r * r;
  if (q < t[3]) t[3] = q;
  if (q > t[4]) t[4] = q;
  t[5] += k;
  t[6] += k * k;
  t[7] += mk * mk;
}

/* The lanes of s added to (min / max with) the scalar totals t. */
static inline void adam_sums2_fold(const AdamSums2* s, double* t) {
  t[0] += wasm_f64x2_extract_lane(s->mSq, 0) + wasm_f64x2_extract_lane(s->mSq, 1);
  t[1] += wasm_f64x2_extract_lane(s->rSum, 0) + wasm_f64x2_extract_lane(s->rSum, 1);
  t[2] += wasm_f64x2_extract_lane(s->rSq, 0) + wasm_f64x2_extract_lane(s->rSq, 1);
  t[5] += wasm_f64x2_extract_lane(s->kSum, 0) + wasm_f64x2_extract_lane(s->kSum, 1);
  t[6] += wasm_f64x2_extract_lane(s->kSq, 0) + wasm_f64x2_extract_lane(s->kSq, 1);
  t[7] += wasm_f64x2_extract_lane(s->mkSq, 0) + wasm_f64x2_extract_lane(s->mkSq, 1);
  for (int lane = 0; lane < 2; lane++) {
    double lo = lane ? wasm_f64x2_extract_lane(s->qMin, 1) : wasm_f64x2_extract_lane(s->qMin, 0);
    double hi = lane ? wasm_f64x2_extract_lane(s->qMax, 1) : wasm_f64x2_extract_lane(s->qMax, 0);
    if (lo < t[3]) t[3] = lo;
    if (hi > t[4]) t[4] = hi;
  }
}

/* adamSums over n float32 elements: four per step, in two f64x2 halves with their own accumulators. */
static void adam_sums32(const float* m, const float* q, int n, double epsilon, double* acc) {
  v128_t epsilon2 = wasm_f64x2_splat(epsilon);
  AdamSums2 lo, hi;
  adam_sums2_init(&lo);
  adam_sums2_init(&hi);
  double t[8] = {0, 0, 0, INFINITY_D, -INFINITY_D, 0, 0, 0};
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t mi = wasm_v128_load(m + i), qi = wasm_v128_load(q + i);
    adam_sums2_add(&lo, low_f64(mi), low_f64(qi), epsilon2);
    adam_sums2_add(&hi, high_f64(mi), high_f64(qi), epsilon2);
  }
  adam_sums2_fold(&lo, t);
  adam_sums2_fold(&hi, t);
  for (; i < n; i++) adam_sums1_add(t, m[i], q[i], epsilon);
  for (int j = 0; j < 8; j++) {
    if (j == 3) { if (t[3] < acc[3]) acc[3] = t[3]; }
    else if (j == 4) { if (t[4] > acc[4]) acc[4] = t[4]; }
    else acc[j] += t[j];
  }
}

/* adamSums over n float64 elements, two per step. */
static void adam_sums64(const double* m, const double* q, int n, double epsilon, double* acc) {
  v128_t epsilon2 = wasm_f64x2_splat(epsilon);
  AdamSums2 s;
  adam_sums2_init(&s);
  double t[8] = {0, 0, 0, INFINITY_D, -INFINITY_D, 0, 0, 0};
  int i = 0;
  for (; i + 2 <= n; i += 2) adam_sums2_add(&s, wasm_v128_load(m + i), wasm_v128_load(q + i), epsilon2);
  adam_sums2_fold(&s, t);
  for (; i < n; i++) adam_sums1_add(t, m[i], q[i], epsilon);
  for (int j = 0; j < 8; j++) {
    if (j == 3) { if (t[3] < acc[3]) acc[3] = t[3]; }
    else if (j == 4) { if (t[4] > acc[4]) acc[4] = t[4]; }
    else acc[j] += t[j];
  }
}

/*
 * One Adam step for n float32 elements, in place (adam.ts's adamKernel):
 *   m ← fma32(1−β1, g, fl(m·β1))
 *   v ← fma32(fl((1−β2)·g), g, fl(v·β2));  amsgrad: v_max ← max(v_max, v), v̂ from v_max
 *   q ← fl(fl(fl(√v̂) / √(1−β2^t)) + ε)
 * vMax is 0 without amsgrad. The scalars are already rounded to float32.
 * With sums ≠ 0 (a traced step), adam_sums32 then adds the step's sums to
 * it, while m and q are still in the cache.
 */
__attribute__((export_name("adam32"))) void adam32(const float* g, float* m, float* v, float* vMax, float* denom, int n,
                                                     float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                                                     float root, float epsilon, double* sums) {
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
  if (sums) adam_sums32(m, denom, n, epsilon, sums);
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
                                                     double root, double epsilon, double* sums) {
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
  if (sums) adam_sums64(m, denom, n, epsilon, sums);
}

/*
 * AdamW's θ update for n float32 elements, in place (apply.ts's fuseDecayAndRatio):
 *   θ ← fl(fl(θ·keep) + fl(fl(c·numer) / denom)),  keep = 1 + c_decay
 * Four elements per f32x4 instruction: lanes are separate elements, each
 * operation rounds once per lane, as the scalar code does.
 * With squares ≠ 0 (a traced step, apply.ts's applyAdamWTraced), the same
 * update also adds Σθ_before² to squares[0] and ΣΔθ² to squares[1], in
 * double, Δθ = θ_after − θ_before (exact in double).
 */
__attribute__((export_name("adamw32"))) void adamw32(float* theta, const float* numer, const float* denom, int n, float keep, float c,
                                                       double* squares) {
  v128_t keep4 = wasm_f32x4_splat(keep), c4 = wasm_f32x4_splat(c);
  int i = 0;
  if (!squares) {
    for (; i + 4 <= n; i += 4) {
      v128_t decayed = wasm_f32x4_mul(wasm_v128_load(theta + i), keep4);
      v128_t ratio = wasm_f32x4_div(wasm_f32x4_mul(c4, wasm_v128_load(numer + i)), wasm_v128_load(denom + i));
      wasm_v128_store(theta + i, wasm_f32x4_add(decayed, ratio));
    }
    for (; i < n; i++) theta[i] = theta[i] * keep + (c * numer[i]) / denom[i];
    return;
  }
  v128_t thetaSq = wasm_f64x2_splat(0.0), updateSq = wasm_f64x2_splat(0.0);
  for (; i + 4 <= n; i += 4) {
    v128_t t = wasm_v128_load(theta + i);
    v128_t ratio = wasm_f32x4_div(wasm_f32x4_mul(c4, wasm_v128_load(numer + i)), wasm_v128_load(denom + i));
    v128_t next = wasm_f32x4_add(wasm_f32x4_mul(t, keep4), ratio);
    wasm_v128_store(theta + i, next);
    v128_t tLo = low_f64(t), tHi = high_f64(t);
    v128_t uLo = wasm_f64x2_sub(low_f64(next), tLo), uHi = wasm_f64x2_sub(high_f64(next), tHi);
    thetaSq = wasm_f64x2_add(thetaSq, wasm_f64x2_add(wasm_f64x2_mul(tLo, tLo), wasm_f64x2_mul(tHi, tHi)));
    updateSq = wasm_f64x2_add(updateSq, wasm_f64x2_add(wasm_f64x2_mul(uLo, uLo), wasm_f64x2_mul(uHi, uHi)));
  }
  double tSq = wasm_f64x2_extract_lane(thetaSq, 0) + wasm_f64x2_extract_lane(thetaSq, 1);
  double uSq = wasm_f64x2_extract_lane(updateSq, 0) + wasm_f64x2_extract_lane(updateSq, 1);
  for (; i < n; i++) {
    float t = theta[i];
    float next = t * keep + (c * numer[i]) / denom[i];
    theta[i] = next;
    double u = (double)next - (double)t;
    tSq += (double)t * (double)t;
    uSq += u * u;
  }
  squares[0] += tSq;
  squares[1] += uSq;
}

/* adamw32 for float64 elements, two per f64x2 instruction. */
__attribute__((export_name("adamw64"))) void adamw64(double* theta, const double* numer, const double* denom, int n, double keep, double c,
                                                       double* squares) {
  v128_t keep2 = wasm_f64x2_splat(keep), c2 = wasm_f64x2_splat(c);
  int i = 0;
  if (!squares) {
    for (; i + 2 <= n; i += 2) {
      v128_t decayed = wasm_f64x2_mul(wasm_v128_load(theta + i), keep2);
      v128_t ratio = wasm_f64x2_div(wasm_f64x2_mul(c2, wasm_v128_load(numer + i)), wasm_v128_load(denom + i));
      wasm_v128_store(theta + i, wasm_f64x2_add(decayed, ratio));
    }
    for (; i < n; i++) theta[i] = theta[i] * keep + (c * numer[i]) / denom[i];
    return;
  }
  v128_t thetaSq = wasm_f64x2_splat(0.0), updateSq = wasm_f64x2_splat(0.0);
  for (; i + 2 <= n; i += 2) {
    v128_t t = wasm_v128_load(theta + i);
    v128_t ratio = wasm_f64x2_div(wasm_f64x2_mul(c2, wasm_v128_load(numer + i)), wasm_v128_load(denom + i));
    v128_t next = wasm_f64x2_add(wasm_f64x2_mul(t, keep2), ratio);
    wasm_v128_store(theta + i, next);
    v128_t u = wasm_f64x2_sub(next, t);
    thetaSq = wasm_f64x2_add(thetaSq, wasm_f64x2_mul(t, t));
    updateSq = wasm_f64x2_add(updateSq, wasm_f64x2_mul(u, u));
  }
  double tSq = wasm_f64x2_extract_lane(thetaSq, 0) + wasm_f64x2_extract_lane(thetaSq, 1);
  double uSq = wasm_f64x2_extract_lane(updateSq, 0) + wasm_f64x2_extract_lane(updateSq, 1);
  for (; i < n; i++) {
    double t = theta[i];
    double next = t * keep + (c * numer[i]) / denom[i];
    theta[i] = next;
    double u = next - t;
    tSq += t * t;
    uSq += u * u;
  }
  squares[0] += tSq;
  squares[1] += uSq;
}
