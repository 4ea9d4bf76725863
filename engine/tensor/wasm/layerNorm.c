/*
 * Layer normalization's forward and backward with γ (and β) over rows of D
 * elements (engine/tensor/layerNorm.ts) in WebAssembly, built by
 * scripts/build-wasm.mjs with -ffp-contract=off into layerNormWasm.ts, used
 * by engine/tensor/layerNormWasm.ts.
 *
 * The float64 operations are layerNorm.ts's, one for one and in its order, so
 * the results are its bits (WebAssembly's f64 arithmetic and sqrt are IEEE's,
 * correctly rounded, as JavaScript's; nothing is fused):
 *   forward   μ = (Σ xᵢ)/D, σ² = (Σ (xᵢ − μ)²)/D (sums in order), r = 1/√(σ² + ε),
 *             x̂ᵢ = (xᵢ − μ)·r, yᵢ = x̂ᵢ·γᵢ + βᵢ rounded once to the dtype
 *   backward  ĝᵢ = gᵢ·γᵢ, mean(ĝ) and mean(ĝ ⊙ x̂) (sums in order),
 *             ∂xᵢ = r·((ĝᵢ − mean(ĝ)) − x̂ᵢ·mean(ĝ ⊙ x̂)) rounded once,
 *             ∂γᵢ = Σ_rows gᵢ·x̂ᵢ, ∂βᵢ = Σ_rows gᵢ (rows in order)
 * Only the per-element loops, whose elements are independent, are vectorized
 * (by clang); the sums along a row stay one scalar chain each, several rows'
 * chains interleaved.
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing; the code keeps nothing in linear memory of its own.
 */
#include <stdint.h>

/*
 * A row's sums form one chain of dependent additions (its order is fixed): four rows at a time run four
 * independent chains side by side, each in its own row's order, so their latencies overlap.
 */
#define FORWARD(NAME, T)                                                                              \
  static inline void NAME##Finish(const T* x, const T* w, const T* b, T* out, double* xh, double mean, \
                                  double rs, int D) {                                                 \
    for (int i = 0; i < D; i++) {                                                                     \
      double xhat = ((double)x[i] - mean) * rs;                                                       \
      xh[i] = xhat;                                                                                   \
      out[i] = (T)(xhat * (double)w[i] + (double)b[i]);                                               \
    }                                                                                                 \
  }                                                                                                   \
  __attribute__((export_name(#NAME))) void NAME(const T* xs, const T* w, const T* b, T* y, double* xhats, \
                                               double* rstd, int rows, int D, double eps) {           \
    int r = 0;                                                                                        \
    for (; r + 4 <= rows; r += 4) {                                                                   \
      const T* x0 = xs + (long)r * D;                                                                 \
      const T* x1 = x0 + D;                                                                           \
      const T* x2 = x1 + D;                                                                           \
      const T* x3 = x2 + D;                                                                           \
      double m0 = 0, m1 = 0, m2 = 0, m3 = 0;                                                          \
      for (int i = 0; i < D; i++) {                                                                   \
        m0 += (double)x0[i];                                                                          \
        m1 += (double)x1[i];                                                                          \
        m2 += (double)x2[i];                                                                          \
        m3 += (double)x3[i];                                                                          \
      }                                                                                               \
      m0 /= D;                                                                                        \
      m1 /= D;                                                                                        \
      m2 /= D;                                                                                        \
      m3 /= D;                                                                                        \
      double v0 = 0, v1 = 0, v2 = 0, v3 = 0;                                                          \
      for (int i = 0; i < D; i++) {                                                                   \
        double d0 = (double)x0[i] - m0, d1 = (double)x1[i] - m1;                                      \
        double d2 = (double)x2[i] - m2, d3 = (double)x3[i] - m3;                                      \
        v0 += d0 * d0;                                                                                \
        v1 += d1 * d1;                                                                                \
        v2 += d2 * d2;                                                                                \
        v3 += d3 * d3;                                                                                \
      }                                                                                               \
      v0 /= D;                                                                                        \
      v1 /= D;                                                                                        \
      v2 /= D;                                                                                        \
      v3 /= D;                                                                                        \
      double rs0 = 1 / __builtin_sqrt(v0 + eps), rs1 = 1 / __builtin_sqrt(v1 + eps);                 \
      double rs2 = 1 / __builtin_sqrt(v2 + eps), rs3 = 1 / __builtin_sqrt(v3 + eps);                 \
      rstd[r] = rs0;                                                                                  \
      rstd[r + 1] = rs1;                                                                              \
      rstd[r + 2] = rs2;                                                                              \
      rstd[r + 3] = rs3;                                                                              \
      long o = (long)r * D;                                                                           \
      NAME##Finish(x0, w, b, y + o, xhats + o, m0, rs0, D);                                           \
      NAME##Finish(x1, w, b, y + o + D, xhats + o + D, m1, rs1, D);                                   \
      NAME##Finish(x2, w, b, y + o + 2 * D, xhats + o + 2 * D, m2, rs2, D);                           \
      NAME##Finish(x3, w, b, y + o + 3 * D, xhats + o + 3 * D, m3, rs3, D);                           \
    }                                                                                                 \
    for (; r < rows; r++) {                                                                           \
      const T* x = xs + (long)r * D;                                                                  \
      double mean = 0;                                                                                \
      for (int i = 0; i < D; i++) mean += (double)x[i];                                               \
      mean /= D;                                                                                      \
      double variance = 0;                                                                            \
      for (int i = 0; i < D; i++) {                                                                   \
        double d = (double)x[i] - mean;                                                               \
        variance += d * d;                                                                            \
      }                                                                                               \
      variance /= D;                                                                                  \
      double rs = 1 / __builtin_sqrt(variance + eps);                                                 \
      rstd[r] = rs;                                                                                   \
      NAME##Finish(x, w, b, y + (long)r * D, xhats + (long)r * D, mean, rs, D);                       \
    }                                                                                                 \
  }

FORWARD(layerNormForward32, float)
FORWARD(layerNormForward64, double)

/*
 * ∂x into gx (when gx ≠ 0) with `scaled` a scratch of 2·D doubles; ∂γ into gw and ∂β into gb (each when
 * ≠ 0), which the caller zeroes.
 */
#define BACKWARD(NAME, T)                                                                             \
  static inline void NAME##Input(const T* gr, const T* w, const double* xh, double rs, T* out,         \
                                 double* scaled, int D) {                                             \
    double meanG = 0, meanGX = 0;                                                                     \
    for (int i = 0; i < D; i++) {                                                                     \
      double gi = (double)gr[i] * (double)w[i];                                                       \
      scaled[i] = gi;                                                                                 \
      meanG += gi;                                                                                    \
      meanGX += gi * xh[i];                                                                           \
    }                                                                                                 \
    meanG /= D;                                                                                       \
    meanGX /= D;                                                                                      \
    for (int i = 0; i < D; i++) out[i] = (T)(rs * (scaled[i] - meanG - xh[i] * meanGX));              \
  }                                                                                                   \
  /* Two rows' chains side by side (four chains: Σĝ and Σĝx̂ of each), as the forward's four rows. */   \
  static inline void NAME##Input2(const T* g0, const T* w, const double* h0, double rs0, T* out0,      \
                                  double rs1, double* scaled, int D) {                                \
    const T* g1 = g0 + D;                                                                             \
    const double* h1 = h0 + D;                                                                        \
    double* s1 = scaled + D;                                                                          \
    double a0 = 0, b0 = 0, a1 = 0, b1 = 0;                                                            \
    for (int i = 0; i < D; i++) {                                                                     \
      double wi = (double)w[i];                                                                       \
      double gi0 = (double)g0[i] * wi, gi1 = (double)g1[i] * wi;                                      \
      scaled[i] = gi0;                                                                                \
      s1[i] = gi1;                                                                                    \
      a0 += gi0;                                                                                      \
      b0 += gi0 * h0[i];                                                                              \
      a1 += gi1;                                                                                      \
      b1 += gi1 * h1[i];                                                                              \
    }                                                                                                 \
    a0 /= D;                                                                                          \
    b0 /= D;                                                                                          \
    a1 /= D;                                                                                          \
    b1 /= D;                                                                                          \
    T* out1 = out0 + D;                                                                               \
    for (int i = 0; i < D; i++) out0[i] = (T)(rs0 * (scaled[i] - a0 - h0[i] * b0));                   \
    for (int i = 0; i < D; i++) out1[i] = (T)(rs1 * (s1[i] - a1 - h1[i] * b1));                       \
  }                                                                                                   \
  __attribute__((export_name(#NAME))) void NAME(const T* g, const T* w, const double* xhats,           \
                                               const double* rstd, int rows, int D, T* gx,            \
                                               double* scaled, double* gw, double* gb) {              \
    if (gx) {                                                                                         \
      int r = 0;                                                                                      \
      for (; r + 2 <= rows; r += 2) {                                                                 \
        long o = (long)r * D;                                                                         \
        NAME##Input2(g + o, w, xhats + o, rstd[r], gx + o, rstd[r + 1], scaled, D);                   \
      }                                                                                               \
      for (; r < rows; r++) {                                                                         \
        long o = (long)r * D;                                                                         \
        NAME##Input(g + o, w, xhats + o, rstd[r], gx + o, scaled, D);                                 \
      }                                                                                               \
    }                                                                                                 \
    for (int r = 0; r < rows; r++) {                                                                  \
      const T* gr = g + (long)r * D;                                                                  \
      const double* xh = xhats + (long)r * D;                                                         \
      if (gw && gb) {                                                                                 \
        for (int i = 0; i < D; i++) {                                                                 \
          double gi = (double)gr[i];                                                                  \
          gw[i] += gi * xh[i];                                                                        \
          gb[i] += gi;                                                                                \
        }                                                                                             \
      } else if (gw) {                                                                                \
        for (int i = 0; i < D; i++) gw[i] += (double)gr[i] * xh[i];                                   \
      } else if (gb) {                                                                                \
        for (int i = 0; i < D; i++) gb[i] += (double)gr[i];                                           \
      }                                                                                               \
    }                                                                                                 \
  }

BACKWARD(layerNormBackward32, float)
BACKWARD(layerNormBackward64, double)
