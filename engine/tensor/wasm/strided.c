/*
 * Strided copies (engine/tensor/views.ts's stridedCopy, indexing.ts's scatters)
 * and a matrix's column sums (matmul.ts's bias gradient) in WebAssembly SIMD,
 * built by scripts/build-wasm.mjs into stridedWasm.ts, used by
 * engine/tensor/stridedWasm.ts.
 *
 * A strided operand is described by a geometry of int32s in linear memory:
 *   ndim, shape[0..ndim), strides[0..ndim)
 * (1 ≤ ndim ≤ 16, strides in elements, each ≥ 0), and element p of the contiguous side,
 * p = Σ index_d·Π_{e>d} shape[e], sits at Σ index_d·strides[d] on the strided
 * side. The innermost dimension is a run; a unit-stride run moves four float32
 * or two float64 lanes at a time.
 *
 *   gather       out[p] = src[Σ index_d·strides[d]]            (moves values: bit-exact)
 *   scatter      target[Σ index_d·strides[d]] = values[p]      (moves values: bit-exact)
 *   scatterAdd   target[Σ index_d·strides[d]] += values[p]     (one IEEE addition in the dtype per
 *                element, as JavaScript's target[i] += v rounded to the array's dtype: for float32,
 *                the float64 sum of two float32 rounded to float32 is the float32 sum, since
 *                53 ≥ 2·24 + 2)
 *   columnSums   acc[j] = ((0 + g[0][j]) + g[1][j]) + … in float64, rows in order, two columns per
 *                f64x2 lane pair: each column's additions are the scalar loop's, in its order.
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing; the code keeps nothing in linear memory of its own.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define MAX_DIMS 16

/* The odometer over the outer dimensions: the offset of each run's first element on the strided side. */
#define STRIDED_LOOP(RUN)                                                          \
  int ndim = geometry[0];                                                          \
  const int32_t* shape = geometry + 1;                                             \
  const int32_t* strides = geometry + 1 + ndim;                                    \
  int L = shape[ndim - 1], s = strides[ndim - 1];                                  \
  int total = 1;                                                                   \
  for (int d = 0; d < ndim; d++) total *= shape[d];                                \
  if (total == 0) return;                                                          \
  int counter[MAX_DIMS] = {0};                                                     \
  int at = 0;                                                                      \
  for (int o = 0; o < total; o += L) {                                             \
    RUN;                                                                           \
    for (int d = ndim - 2; d >= 0; d--) {                                          \
      at += strides[d];                                                            \
      if (++counter[d] < shape[d]) break;                                          \
      counter[d] = 0;                                                              \
      at -= strides[d] * shape[d];                                                 \
    }                                                                              \
  }

/* dst[0..L) = src[0, s, 2s, …) */
static inline void gatherRun32(const float* src, float* dst, int L, int s) {
  int j = 0;
  if (s == 1) {
    for (; j + 4 <= L; j += 4) wasm_v128_store(dst + j, wasm_v128_load(src + j));
    for (; j < L; j++) dst[j] = src[j];
  } else {
    for (; j < L; j++) dst[j] = src[j * s];
  }
}

static inline void gatherRun64(const double* src, double* dst, int L, int s) {
  int j = 0;
  if (s == 1) {
    for (; j + 2 <= L; j += 2) wasm_v128_store(dst + j, wasm_v128_load(src + j));
    for (; j < L; j++) dst[j] = src[j];
  } else {
    for (; j < L; j++) dst[j] = src[j * s];
  }
}

/* dst[0, s, 2s, …) = src[0..L) */
static inline void scatterRun32(const float* src, float* dst, int L, int s) {
  int j = 0;
  if (s == 1) {
    for (; j + 4 <= L; j += 4) wasm_v128_store(dst + j, wasm_v128_load(src + j));
    for (; j < L; j++) dst[j] = src[j];
  } else {
    for (; j < L; j++) dst[j * s] = src[j];
  }
}

static inline void scatterRun64(const double* src, double* dst, int L, int s) {
  int j = 0;
  if (s == 1) {
    for (; j + 2 <= L; j += 2) wasm_v128_store(dst + j, wasm_v128_load(src + j));
    for (; j < L; j++) dst[j] = src[j];
  } else {
    for (; j < L; j++) dst[j * s] = src[j];
  }
}

/* dst[0, s, 2s, …) += src[0..L) */
static inline void scatterAddRun32(const float* src, float* dst, int L, int s) {
  int j = 0;
  if (s == 1) {
    for (; j + 4 <= L; j += 4) wasm_v128_store(dst + j, wasm_f32x4_add(wasm_v128_load(dst + j), wasm_v128_load(src + j)));
    for (; j < L; j++) dst[j] = dst[j] + src[j];
  } else {
    for (; j < L; j++) dst[j * s] = dst[j * s] + src[j];
  }
}

static inline void scatterAddRun64(const double* src, double* dst, int L, int s) {
  int j = 0;
  if (s == 1) {
    for (; j + 2 <= L; j += 2) wasm_v128_store(dst + j, wasm_f64x2_add(wasm_v128_load(dst + j), wasm_v128_load(src + j)));
    for (; j < L; j++) dst[j] = dst[j] + src[j];
  } else {
    for (; j < L; j++) dst[j * s] = dst[j * s] + src[j];
  }
}

__attribute__((export_name("gather32"))) void gather32(const float* src, const int32_t* geometry, float* out) {
  STRIDED_LOOP(gatherRun32(src + at, out + o, L, s))
}

__attribute__((export_name("gather64"))) void gather64(const double* src, const int32_t* geometry, double* out) {
  STRIDED_LOOP(gatherRun64(src + at, out + o, L, s))
}

__attribute__((export_name("scatter32"))) void scatter32(const float* values, const int32_t* geometry, float* target) {
  STRIDED_LOOP(scatterRun32(values + o, target + at, L, s))
}

__attribute__((export_name("scatter64"))) void scatter64(const double* values, const int32_t* geometry, double* target) {
  STRIDED_LOOP(scatterRun64(values + o, target + at, L, s))
}

__attribute__((export_name("scatterAdd32"))) void scatterAdd32(const float* values, const int32_t* geometry, float* target) {
  STRIDED_LOOP(scatterAddRun32(values + o, target + at, L, s))
}

__attribute__((export_name("scatterAdd64"))) void scatterAdd64(const double* values, const int32_t* geometry, double* target) {
  STRIDED_LOOP(scatterAddRun64(values + o, target + at, L, s))
}

/*
 * acc[j] = Σ_r g[r·cols + j] in float64, r = 0, 1, … in order. Sixteen columns at a time in eight
 * f64x2 accumulators, so that each row's 64 bytes (float32) are read once per block; then pairs, then
 * one column.
 */
#define COLUMN_SUMS(NAME, BITS, T, LOAD2)                                                               \
  __attribute__((export_name(NAME))) void columnSums##BITS(const T* g, int rows, int cols, double* acc) { \
    int j = 0;                                                                                       \
    for (; j + 16 <= cols; j += 16) {                                                                \
      v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0; \
      const T* p = g + j;                                                                            \
      for (int r = 0; r < rows; r++, p += cols) {                                                    \
        s0 = wasm_f64x2_add(s0, LOAD2(p));                                                           \
        s1 = wasm_f64x2_add(s1, LOAD2(p + 2));                                                       \
        s2 = wasm_f64x2_add(s2, LOAD2(p + 4));                                                       \
        s3 = wasm_f64x2_add(s3, LOAD2(p + 6));                                                       \
        s4 = wasm_f64x2_add(s4, LOAD2(p + 8));                                                       \
        s5 = wasm_f64x2_add(s5, LOAD2(p + 10));                                                      \
        s6 = wasm_f64x2_add(s6, LOAD2(p + 12));                                                      \
        s7 = wasm_f64x2_add(s7, LOAD2(p + 14));                                                      \
      }                                                                                              \
      wasm_v128_store(acc + j, s0);                                                                  \
      wasm_v128_store(acc + j + 2, s1);                                                              \
      wasm_v128_store(acc + j + 4, s2);                                                              \
      wasm_v128_store(acc + j + 6, s3);                                                              \
      wasm_v128_store(acc + j + 8, s4);                                                              \
      wasm_v128_store(acc + j + 10, s5);                                                             \
      wasm_v128_store(acc + j + 12, s6);                                                             \
      wasm_v128_store(acc + j + 14, s7);                                                             \
    }                                                                                                \
    for (; j + 2 <= cols; j += 2) {                                                                  \
      v128_t s = wasm_f64x2_splat(0.0);                                                              \
      const T* p = g + j;                                                                            \
      for (int r = 0; r < rows; r++, p += cols) s = wasm_f64x2_add(s, LOAD2(p));                     \
      wasm_v128_store(acc + j, s);                                                                   \
    }                                                                                                \
    for (; j < cols; j++) {                                                                          \
      double s = 0.0;                                                                                \
      const T* p = g + j;                                                                            \
      for (int r = 0; r < rows; r++, p += cols) s = s + (double)*p;                                  \
      acc[j] = s;                                                                                    \
    }                                                                                                \
  }

/* Two float32 widened to float64 (exactly), or two float64. */
#define LOAD2_32(p) wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p))
#define LOAD2_64(p) wasm_v128_load(p)

COLUMN_SUMS("columnSums32", 32, float, LOAD2_32)
COLUMN_SUMS("columnSums64", 64, double, LOAD2_64)
