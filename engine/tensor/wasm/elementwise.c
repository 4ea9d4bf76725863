/*
 * Elementwise +, −, ×, ÷ over a broadcast plan's rows, masked_fill and its
 * gradient (engine/tensor/binary.ts), in WebAssembly SIMD, built by
 * scripts/build-wasm.mjs with -ffp-contract=off into elementwiseWasm.ts, used
 * by engine/tensor/elementwiseWasm.ts.
 *
 * A plan (engine/tensor/broadcast.ts) walks the output in `rows` rows of L
 * elements; row r reads a from offsetsA[r] and b from offsetsB[r], stepping
 * by innerA (1) and innerB (0: one value for the whole row, or 1).
 *
 *   arithmetic   out = a ∘ b, one IEEE operation in the dtype per element. JavaScript computes
 *                a ∘ b in float64 and rounds it to float32 on the store; for +, −, × and ÷ of two
 *                float32 that is the float32 operation's result (53 ≥ 2·24 + 2 bits), so the lanes
 *                of f32x4.add/sub/mul/div give the same bits.
 *   maskedFill   out = value where the mask is nonzero (≠ ±0; NaN is nonzero), else x: a select
 *   maskedZero   ∂x = +0 where the mask is nonzero, else g: a select
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing; the code keeps nothing in linear memory of its own.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define ADD 0
#define SUB 1
#define MUL 2
#define DIV 3

/* One row of out = a ∘ b, b contiguous (bStep 1) or one value (bStep 0). */
#define ARITH_ROW(T, LANES, SPLAT, VADD, VSUB, VMUL, VDIV)                                      \
  static inline void arithRow##T(int kind, const T* a, const T* b, int bStep, T* out, int L) { \
    int j = 0;                                                                                  \
    if (bStep == 0) {                                                                           \
      const T v = b[0];                                                                         \
      const v128_t vb = SPLAT(v);                                                               \
      switch (kind) {                                                                           \
        case ADD:                                                                               \
          for (; j + LANES <= L; j += LANES) wasm_v128_store(out + j, VADD(wasm_v128_load(a + j), vb)); \
          for (; j < L; j++) out[j] = a[j] + v;                                                 \
          break;                                                                                \
        case SUB:                                                                               \
          for (; j + LANES <= L; j += LANES) wasm_v128_store(out + j, VSUB(wasm_v128_load(a + j), vb)); \
          for (; j < L; j++) out[j] = a[j] - v;                                                 \
          break;                                                                                \
        case MUL:                                                                               \
          for (; j + LANES <= L; j += LANES) wasm_v128_store(out + j, VMUL(wasm_v128_load(a + j), vb)); \
          for (; j < L; j++) out[j] = a[j] * v;                                                 \
          break;                                                                                \
        default:                                                                                \
          for (; j + LANES <= L; j += LANES) wasm_v128_store(out + j, VDIV(wasm_v128_load(a + j), vb)); \
          for (; j < L; j++) out[j] = a[j] / v;                                                 \
      }                                                                                         \
      return;                                                                                   \
    }                                                                                           \
    switch (kind) {                                                                             \
      case ADD:                                                                                 \
        for (; j + LANES <= L; j += LANES) wasm_v128_store(out + j, VADD(wasm_v128_load(a + j), wasm_v128_load(b + j))); \
        for (; j < L; j++) out[j] = a[j] + b[j];                                                \
        break;                                                                                  \
      case SUB:                                                                                 \
        for (; j + LANES <= L; j += LANES) wasm_v128_store(out + j, VSUB(wasm_v128_load(a + j), wasm_v128_load(b + j))); \
        for (; j < L; j++) out[j] = a[j] - b[j];                                                \
        break;                                                                                  \
      case MUL:                                                                                 \
        for (; j + LANES <= L; j += LANES) wasm_v128_store(out + j, VMUL(wasm_v128_load(a + j), wasm_v128_load(b + j))); \
        for (; j < L; j++) out[j] = a[j] * b[j];                                                \
        break;                                                                                  \
      default:                                                                                  \
        for (; j + LANES <= L; j += LANES) wasm_v128_store(out + j, VDIV(wasm_v128_load(a + j), wasm_v128_load(b + j))); \
        for (; j < L; j++) out[j] = a[j] / b[j];                                                \
    }                                                                                           \
  }

ARITH_ROW(float, 4, wasm_f32x4_splat, wasm_f32x4_add, wasm_f32x4_sub, wasm_f32x4_mul, wasm_f32x4_div)
ARITH_ROW(double, 2, wasm_f64x2_splat, wasm_f64x2_add, wasm_f64x2_sub, wasm_f64x2_mul, wasm_f64x2_div)

#define ARITHMETIC(NAME, T)                                                                          \
  __attribute__((export_name(#NAME))) void NAME(int kind, const T* a, const T* b, T* out,             \
                                               const int32_t* offsetsA, const int32_t* offsetsB,     \
                                               int rows, int L, int innerB) {                        \
    for (int r = 0; r < rows; r++) arithRow##T(kind, a + offsetsA[r], b + offsetsB[r], innerB, out + (long)r * L, L); \
  }

ARITHMETIC(arithmetic32, float)
ARITHMETIC(arithmetic64, double)

/*
 * out = mask ≠ 0 ? value : x over the plan (x steps innerA ∈ {0, 1}, the mask innerB ∈ {0, 1});
 * with `zero` set instead ∂x = mask ≠ 0 ? +0 : g, g contiguous (x's offsets unused).
 */
#define MASKED(NAME, T, LANES, SPLAT, NE)                                                            \
  __attribute__((export_name(#NAME))) void NAME(const T* x, const T* mask, T* out,                   \
                                               const int32_t* offsetsA, const int32_t* offsetsB,     \
                                               int rows, int L, int innerA, int innerB, T value, int zero) { \
    const v128_t zeros = SPLAT(0);                                                                   \
    const v128_t fill = SPLAT(zero ? 0 : value);                                                     \
    const T filled = zero ? 0 : value;                                                               \
    for (int r = 0; r < rows; r++) {                                                                 \
      const T* xr = zero ? x + (long)r * L : x + offsetsA[r];                                        \
      int ia = zero ? 1 : innerA;                                                                    \
      const T* m = mask + offsetsB[r];                                                               \
      T* o = out + (long)r * L;                                                                      \
      int j = 0;                                                                                     \
      if (ia == 1 && innerB == 1) {                                                                  \
        for (; j + LANES <= L; j += LANES) {                                                         \
          v128_t set = NE(wasm_v128_load(m + j), zeros);                                             \
          wasm_v128_store(o + j, wasm_v128_bitselect(fill, wasm_v128_load(xr + j), set));            \
        }                                                                                            \
      }                                                                                              \
      for (; j < L; j++) o[j] = m[j * innerB] != 0 ? filled : xr[j * ia];                            \
    }                                                                                                \
  }

MASKED(masked32, float, 4, wasm_f32x4_splat, wasm_f32x4_ne)
MASKED(masked64, double, 2, wasm_f64x2_splat, wasm_f64x2_ne)
