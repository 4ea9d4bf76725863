/*
 * Softmax along contiguous rows, forward and backward (engine/tensor/softmax.ts),
 * in WebAssembly, built by scripts/build-wasm.mjs with -ffp-contract=off into
 * softmaxWasm.ts, used by engine/tensor/softmaxWasm.ts.
 *
 * The exponential is imported: the JavaScript side passes Math.exp itself, so
 * every e^(x − m) is the one softmax.ts's loop computes. The rest are
 * softmax.ts's float64 operations one for one, in its order (sums along a row
 * in order; nothing fused), so the results are its bits:
 *   forward   m = max of the row (a NaN wins), eⱼ = e^(xⱼ − m) (0 for xⱼ = −∞ when m is finite:
 *             e^(−∞) is exactly 0, and a causal mask's −∞ entries skip the call), s = Σ eⱼ,
 *             yⱼ = eⱼ/s rounded once to the dtype
 *   backward  d = Σ gⱼ·yⱼ, ∂xⱼ = yⱼ·(gⱼ − d) rounded once
 * The per-element loops that do not call out (yⱼ, ∂xⱼ) are vectorized by clang.
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing; the code keeps nothing in linear memory of its own.
 */
#include <stdint.h>

__attribute__((import_module("env"), import_name("exp"))) double mathExp(double);

/* `row` is a scratch of C doubles. */
#define FORWARD(NAME, T)                                                                           \
  __attribute__((export_name(#NAME))) void NAME(const T* xs, T* ys, double* row, int rows, int C) { \
    for (int r = 0; r < rows; r++) {                                                               \
      const T* x = xs + (long)r * C;                                                               \
      T* y = ys + (long)r * C;                                                                     \
      double m = -__builtin_inf();                                                                 \
      for (int j = 0; j < C; j++) {                                                                \
        double v = (double)x[j];                                                                   \
        if (v > m || v != v) m = v;                                                                \
      }                                                                                            \
      double s = 0;                                                                                \
      for (int j = 0; j < C; j++) {                                                                \
        double v = (double)x[j];                                                                   \
        double e = v == -__builtin_inf() && m != -__builtin_inf() ? 0 : mathExp(v - m);            \
        row[j] = e;                                                                                \
        s += e;                                                                                    \
      }                                                                                            \
      for (int j = 0; j < C; j++) y[j] = (T)(row[j] / s);                                          \
    }                                                                                              \
  }

FORWARD(softmaxForward32, float)
FORWARD(softmaxForward64, double)

/* Four rows' dot products run side by side, each one chain in its own row's order. */
#define BACKWARD(NAME, T)                                                                          \
  static inline void NAME##Row(const T* g, const T* y, T* gx, double dot, int C) {                 \
    for (int j = 0; j < C; j++) gx[j] = (T)((double)y[j] * ((double)g[j] - dot));                  \
  }                                                                                                \
  __attribute__((export_name(#NAME))) void NAME(const T* gs, const T* ys, T* gxs, int rows, int C) { \
    int r = 0;                                                                                     \
    for (; r + 4 <= rows; r += 4) {                                                                \
      long o = (long)r * C;                                                                        \
      const T *g0 = gs + o, *g1 = g0 + C, *g2 = g1 + C, *g3 = g2 + C;                              \
      const T *y0 = ys + o, *y1 = y0 + C, *y2 = y1 + C, *y3 = y2 + C;                              \
      double d0 = 0, d1 = 0, d2 = 0, d3 = 0;                                                       \
      for (int j = 0; j < C; j++) {                                                                \
        d0 += (double)g0[j] * (double)y0[j];                                                       \
        d1 += (double)g1[j] * (double)y1[j];                                                       \
        d2 += (double)g2[j] * (double)y2[j];                                                       \
        d3 += (double)g3[j] * (double)y3[j];                                                       \
      }                                                                                            \
      NAME##Row(g0, y0, gxs + o, d0, C);                                                           \
      NAME##Row(g1, y1, gxs + o + C, d1, C);                                                       \
      NAME##Row(g2, y2, gxs + o + 2 * C, d2, C);                                                   \
      NAME##Row(g3, y3, gxs + o + 3 * C, d3, C);                                                   \
    }                                                                                              \
    for (; r < rows; r++) {                                                                        \
      long o = (long)r * C;                                                                        \
      double dot = 0;                                                                              \
      for (int j = 0; j < C; j++) dot += (double)gs[o + j] * (double)ys[o + j];                    \
      NAME##Row(gs + o, ys + o, gxs + o, dot, C);                                                  \
    }                                                                                              \
  }

BACKWARD(softmaxBackward32, float)
BACKWARD(softmaxBackward64, double)
