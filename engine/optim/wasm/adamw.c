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
 *   - max is WebAssembly's f32.max / f64.max: NaN if either operand is NaN and
 *     −0 < +0, the semantics of Math.max (C's fmax would drop a NaN).
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
  for (int i = 0; i < n; i++) {
    float gi = g[i];
    m[i] = fma32(oneMinusBeta1, gi, m[i] * beta1);
    float vi = fma32(oneMinusBeta2 * gi, gi, v[i] * beta2);
    v[i] = vi;
    if (vMax) vi = vMax[i] = __builtin_wasm_max_f32(vMax[i], vi);
    denom[i] = __builtin_sqrtf(vi) / root + epsilon;
  }
}

/* adam32 for float64 elements: every rounding to double, fma64 for the fused multiply-adds. */
__attribute__((export_name("adam64"))) void adam64(const double* g, double* m, double* v, double* vMax, double* denom, int n,
                                                     double beta1, double oneMinusBeta1, double beta2, double oneMinusBeta2,
                                                     double root, double epsilon) {
  for (int i = 0; i < n; i++) {
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
