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
 * (by clang); the sums along a row stay one scalar chain.
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing; the code keeps nothing in linear memory of its own.
 */
#include <stdint.h>

#define FORWARD(NAME, T)                                                                              \
  __attribute__((export_name(#NAME))) void NAME(const T* xs, const T* w, const T* b, T* y, double* xhats, \
                                               double* rstd, int rows, int D, double eps) {           \
    for (int r = 0; r < rows; r++) {                                                                  \
      const T* x = xs + (long)r * D;                                                                  \
      double* xh = xhats + (long)r * D;                                                               \
      T* out = y + (long)r * D;                                                                       \
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
      for (int i = 0; i < D; i++) {                                                                   \
        double xhat = ((double)x[i] - mean) * rs;                                                     \
        xh[i] = xhat;                                                                                 \
        out[i] = (T)(xhat * (double)w[i] + (double)b[i]);                                             \
      }                                                                                               \
    }                                                                                                 \
  }

FORWARD(layerNormForward32, float)
FORWARD(layerNormForward64, double)

/*
 * ∂x into gx (when gx ≠ 0) with `scaled` a scratch of D doubles; ∂γ into gw and ∂β into gb (each when
 * ≠ 0), which the caller zeroes.
 */
#define BACKWARD(NAME, T)                                                                             \
  __attribute__((export_name(#NAME))) void NAME(const T* g, const T* w, const double* xhats,           \
                                               const double* rstd, int rows, int D, T* gx,            \
                                               double* scaled, double* gw, double* gb) {              \
    for (int r = 0; r < rows; r++) {                                                                  \
      const T* gr = g + (long)r * D;                                                                  \
      const double* xh = xhats + (long)r * D;                                                         \
      if (gx) {                                                                                       \
        T* out = gx + (long)r * D;                                                                    \
        double rs = rstd[r];                                                                          \
        double meanG = 0, meanGX = 0;                                                                 \
        for (int i = 0; i < D; i++) {                                                                 \
          double gi = (double)gr[i] * (double)w[i];                                                   \
          scaled[i] = gi;                                                                             \
          meanG += gi;                                                                                \
          meanGX += gi * xh[i];                                                                       \
        }                                                                                             \
        meanG /= D;                                                                                   \
        meanGX /= D;                                                                                  \
        for (int i = 0; i < D; i++) out[i] = (T)(rs * (scaled[i] - meanG - xh[i] * meanGX));          \
      }                                                                                               \
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
