/*
 * im2col and col2im (engine/tensor/im2col.ts) in WebAssembly SIMD, built by
 * scripts/build-wasm.mjs with clang and lld into im2colWasm.ts (the module's
 * bytes, base64), used by engine/tensor/im2colWasm.ts:
 *
 *   im2col: cols[(c·KH + kh)·KW + kw, oh·OW + ow] = x[c, oh·sH − pT + kh·dH, ow·sW − pL + kw·dW]
 *           (0 where the index falls into the padding)
 *   col2im: x[c, ih, iw] += cols[…] for every (kh, kw, oh, ow) that reads (ih, iw),
 *           in the order (c, kh, kw, oh, ow).
 *
 * The loops are im2col.ts's: one kernel offset (c, kh, kw) at a time, over the
 * range of output rows and columns whose input lies inside the image. With a
 * column stride of 1 a row of the window is a contiguous run of the input:
 * im2col copies it (memory.copy), col2im adds it four float32 or two float64
 * lanes at a time. im2col only moves values; col2im's lanes are different
 * elements of x, each still receiving its additions one at a time in the
 * JavaScript loop's order, each rounded to the dtype (a float32 sum of two
 * floats rounded once, as JavaScript's double sum stored to a Float32Array),
 * so both give the JavaScript loops' bits.
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing and passes them; the code keeps nothing in linear
 * memory of its own.
 */
#include <wasm_simd128.h>

/* The window's geometry, as WindowGeometry in im2col.ts (one sample). */
struct geometry {
  int C, H, W, KH, KW, strideH, strideW, padTop, padLeft, dilationH, dilationW, OH, OW;
};

static int ceil_div(int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
static int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* [lo, hi) of output positions o < out whose input o·stride − pad + offset lies in [0, size). */
static void valid_range(int out, int stride, int pad, int offset, int size, int* lo, int* hi) {
  int l = ceil_div(pad - offset, stride);
  int h = floor_div(size - 1 + pad - offset, stride) + 1;
  if (l < 0) l = 0;
  if (h > out) h = out;
  *lo = l;
  *hi = h > l ? h : l;
}

#define IM2COL(NAME, T)                                                                                             \
  static void NAME(const T* x, const struct geometry* g, T* cols) {                                                 \
    const int plane = g->H * g->W, OW = g->OW, OH = g->OH;                                                          \
    int row = 0;                                                                                                    \
    for (int c = 0; c < g->C; c++) {                                                                                \
      const T* channel = x + (long)c * plane;                                                                       \
      for (int kh = 0; kh < g->KH; kh++) {                                                                          \
        int ohLo, ohHi;                                                                                             \
        valid_range(OH, g->strideH, g->padTop, kh * g->dilationH, g->H, &ohLo, &ohHi);                              \
        for (int kw = 0; kw < g->KW; kw++, row++) {                                                                 \
          int owLo, owHi;                                                                                           \
          valid_range(OW, g->strideW, g->padLeft, kw * g->dilationW, g->W, &owLo, &owHi);                           \
          T* out = cols + (long)row * OH * OW;                                                                      \
          const int shift = kw * g->dilationW - g->padLeft;                                                         \
          for (int oh = 0; oh < OH; oh++, out += OW) {                                                              \
            if (oh < ohLo || oh >= ohHi) {                                                                          \
              __builtin_memset(out, 0, OW * sizeof(T));                                                             \
              continue;                                                                                             \
            }                                                                                                       \
            const T* src = channel + (long)(oh * g->strideH - g->padTop + kh * g->dilationH) * g->W + shift;        \
            if (owLo > 0) __builtin_memset(out, 0, owLo * sizeof(T));                                               \
            if (g->strideW == 1) {                                                                                  \
              if (owHi > owLo) __builtin_memcpy(out + owLo, src + owLo, (owHi - owLo) * sizeof(T));                 \
            } else {                                                                                                \
              for (int ow = owLo; ow < owHi; ow++) out[ow] = src[(long)ow * g->strideW];                            \
            }                                                                                                       \
            if (owHi < OW) __builtin_memset(out + owHi, 0, (OW - owHi) * sizeof(T));                                \
          }                                                                                                         \
        }                                                                                                           \
      }                                                                                                             \
    }                                                                                                               \
  }

IM2COL(im2col32_, float)
IM2COL(im2col64_, double)

/* dst[0..n) += src[0..n), element by element (lanes are different elements). */
static void add_run32(float* dst, const float* src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; i++) dst[i] += src[i];
}

static void add_run64(double* dst, const double* src, int n) {
  int i = 0;
  for (; i + 2 <= n; i += 2) wasm_v128_store(dst + i, wasm_f64x2_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; i++) dst[i] += src[i];
}

#define COL2IM(NAME, T, ADD_RUN)                                                                                    \
  static void NAME(const T* cols, const struct geometry* g, T* x) {                                                 \
    const int plane = g->H * g->W, OW = g->OW, OH = g->OH;                                                          \
    int row = 0;                                                                                                    \
    for (int c = 0; c < g->C; c++) {                                                                                \
      T* channel = x + (long)c * plane;                                                                             \
      for (int kh = 0; kh < g->KH; kh++) {                                                                          \
        int ohLo, ohHi;                                                                                             \
        valid_range(OH, g->strideH, g->padTop, kh * g->dilationH, g->H, &ohLo, &ohHi);                              \
        for (int kw = 0; kw < g->KW; kw++, row++) {                                                                 \
          int owLo, owHi;                                                                                           \
          valid_range(OW, g->strideW, g->padLeft, kw * g->dilationW, g->W, &owLo, &owHi);                           \
          const T* in = cols + (long)row * OH * OW;                                                                 \
          const int shift = kw * g->dilationW - g->padLeft;                                                         \
          for (int oh = ohLo; oh < ohHi; oh++) {                                                                    \
            const T* src = in + (long)oh * OW;                                                                      \
            T* dst = channel + (long)(oh * g->strideH - g->padTop + kh * g->dilationH) * g->W + shift;              \
            if (g->strideW == 1) {                                                                                  \
              ADD_RUN(dst + owLo, src + owLo, owHi - owLo);                                                         \
            } else {                                                                                                \
              for (int ow = owLo; ow < owHi; ow++) dst[(long)ow * g->strideW] += src[ow];                           \
            }                                                                                                       \
          }                                                                                                         \
        }                                                                                                           \
      }                                                                                                             \
    }                                                                                                               \
  }

COL2IM(col2im32_, float, add_run32)
COL2IM(col2im64_, double, add_run64)

/*
 * The exports: g points to the 13 ints of the geometry, x to `samples` samples of C·H·W values,
 * cols to as many blocks of C·KH·KW·OH·OW values, sample by sample.
 */
#define SAMPLES(T, g) long xs = (long)(g)->C * (g)->H * (g)->W, cs = (long)(g)->C * (g)->KH * (g)->KW * (g)->OH * (g)->OW

__attribute__((export_name("im2col32"))) void im2col32(const float* x, const struct geometry* g, float* cols, int samples) {
  SAMPLES(float, g);
  for (int n = 0; n < samples; n++) im2col32_(x + n * xs, g, cols + n * cs);
}

__attribute__((export_name("im2col64"))) void im2col64(const double* x, const struct geometry* g, double* cols, int samples) {
  SAMPLES(double, g);
  for (int n = 0; n < samples; n++) im2col64_(x + n * xs, g, cols + n * cs);
}

__attribute__((export_name("col2im32"))) void col2im32(const float* cols, const struct geometry* g, float* x, int samples) {
  SAMPLES(float, g);
  for (int n = 0; n < samples; n++) col2im32_(cols + n * cs, g, x + n * xs);
}

__attribute__((export_name("col2im64"))) void col2im64(const double* cols, const struct geometry* g, double* x, int samples) {
  SAMPLES(double, g);
  for (int n = 0; n < samples; n++) col2im64_(cols + n * cs, g, x + n * xs);
}
