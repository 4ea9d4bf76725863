/*
 * ReLU forward and backward (engine/tensor/activation.ts) in WebAssembly
 * SIMD, built by scripts/build-wasm.mjs with clang and lld into reluWasm.ts
 * (the module's bytes, base64), used by engine/tensor/reluWasm.ts.
 *
 * ReLU computes nothing: it keeps or zeroes each value, so the results are
 * the JavaScript loops' bit for bit, decided on the bit patterns as there,
 * four float32 or two float64 lanes at a time:
 *   forward   y = x  if x ≥ +0 (sign bit clear) or x is NaN (it propagates, as in torch), else +0
 *             (so −0 → +0 and −∞ → +0, as max(x, 0) in torch)
 *   backward  ∂x = g where y > 0 (y's bits are positive, not +0, up to +∞, not NaN), else +0
 * A NaN is a value whose magnitude bits exceed those of +∞.
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing and passes them; the code keeps nothing in linear
 * memory of its own.
 */
#include <stdint.h>
#include <wasm_simd128.h>

__attribute__((export_name("relu32"))) void relu32(const float* x, float* y, int n) {
  const v128_t magnitude = wasm_i32x4_splat(0x7fffffff), infinity = wasm_i32x4_splat(0x7f800000), zero = wasm_i32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t b = wasm_v128_load(x + i);
    v128_t keep = wasm_v128_or(wasm_i32x4_ge(b, zero), wasm_i32x4_gt(wasm_v128_and(b, magnitude), infinity));
    wasm_v128_store(y + i, wasm_v128_and(b, keep));
  }
  const int32_t* xb = (const int32_t*)x;
  int32_t* yb = (int32_t*)y;
  for (; i < n; i++) {
    int32_t b = xb[i];
    yb[i] = (b >= 0 || (b & 0x7fffffff) > 0x7f800000) ? b : 0;
  }
}

__attribute__((export_name("reluBackward32"))) void reluBackward32(const float* y, const float* g, float* gx, int n) {
  const v128_t infinity = wasm_i32x4_splat(0x7f800000), zero = wasm_i32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t c = wasm_v128_load(y + i);
    v128_t positive = wasm_v128_and(wasm_i32x4_gt(c, zero), wasm_i32x4_le(c, infinity));
    wasm_v128_store(gx + i, wasm_v128_and(wasm_v128_load(g + i), positive));
  }
  const int32_t* yb = (const int32_t*)y;
  const int32_t* gb = (const int32_t*)g;
  int32_t* gxb = (int32_t*)gx;
  for (; i < n; i++) gxb[i] = (yb[i] > 0 && yb[i] <= 0x7f800000) ? gb[i] : 0;
}

__attribute__((export_name("relu64"))) void relu64(const double* x, double* y, int n) {
  const v128_t magnitude = wasm_i64x2_splat(0x7fffffffffffffffLL), infinity = wasm_i64x2_splat(0x7ff0000000000000LL), zero = wasm_i64x2_splat(0);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    v128_t b = wasm_v128_load(x + i);
    v128_t keep = wasm_v128_or(wasm_i64x2_ge(b, zero), wasm_i64x2_gt(wasm_v128_and(b, magnitude), infinity));
    wasm_v128_store(y + i, wasm_v128_and(b, keep));
  }
  const int64_t* xb = (const int64_t*)x;
  int64_t* yb = (int64_t*)y;
  for (; i < n; i++) {
    int64_t b = xb[i];
    yb[i] = (b >= 0 || (b & 0x7fffffffffffffffLL) > 0x7ff0000000000000LL) ? b : 0;
  }
}

__attribute__((export_name("reluBackward64"))) void reluBackward64(const double* y, const double* g, double* gx, int n) {
  const v128_t infinity = wasm_i64x2_splat(0x7ff0000000000000LL), zero = wasm_i64x2_splat(0);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    v128_t c = wasm_v128_load(y + i);
    v128_t positive = wasm_v128_and(wasm_i64x2_gt(c, zero), wasm_i64x2_le(c, infinity));
    wasm_v128_store(gx + i, wasm_v128_and(wasm_v128_load(g + i), positive));
  }
  const int64_t* yb = (const int64_t*)y;
  const int64_t* gb = (const int64_t*)g;
  int64_t* gxb = (int64_t*)gx;
  for (; i < n; i++) gxb[i] = (yb[i] > 0 && yb[i] <= 0x7ff0000000000000LL) ? gb[i] : 0;
}
