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

#define BACKWARD(NAME, T)                                                                          \
  __attribute__((export_name(#NAME))) void NAME(const T* gs, const T* ys, T* gxs, int rows, int C) { \
    for (int r = 0; r < rows; r++) {                                                               \
      const T* g = gs + (long)r * C;                                                               \
      const T* y = ys + (long)r * C;                                                               \
      T* gx = gxs + (long)r * C;                                                                   \
      double dot = 0;                                                                              \
      for (int j = 0; j < C; j++) dot += (double)g[j] * (double)y[j];                              \
      for (int j = 0; j < C; j++) gx[j] = (T)((double)y[j] * ((double)g[j] - dot));                \
    }                                                                                              \
  }

BACKWARD(softmaxBackward32, float)
BACKWARD(softmaxBackward64, double)
