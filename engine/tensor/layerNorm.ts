/**
 * Layer normalization over the trailing dimensions (torch.nn.functional.layer_norm
 * with normalized_shape = [d₁, …, dₖ], or one size D; weight and bias have
 * that shape). With D = d₁·…·dₖ, for each row x of D elements:
 *   μ = (1/D) Σ xᵢ,   σ² = (1/D) Σ (xᵢ − μ)²   (biased, as torch),
 *   r = 1/√(σ² + ε),   x̂ᵢ = (xᵢ − μ)·r,   yᵢ = γᵢ·x̂ᵢ + βᵢ.
 * Backward, with ĝᵢ = gᵢ·γᵢ:
 *   ∂L/∂xᵢ = r·(ĝᵢ − mean(ĝ) − x̂ᵢ·mean(ĝ ⊙ x̂)),
 *   ∂L/∂γᵢ = Σ_rows gᵢ·x̂ᵢ,   ∂L/∂βᵢ = Σ_rows gᵢ.
 *
 * Row statistics are computed in float64 (two passes) and each output is
 * rounded once. torch's float32 kernel computes μ and σ² in float32, so
 * float32 outputs can differ from torch by a few ulp.
 */
import { allocateUnset, numel, scratch64, type FloatArray } from './dtype';
import { commonDtype, fromFloat64, opResult } from './op';
import { formatShape, shapesEqual } from './shape';
import type { Tensor } from './tensor';

export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const normalized = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const D = numel(normalized);
  if (normalized.length === 0 || x.ndim < normalized.length || !shapesEqual(x.shape.slice(x.ndim - normalized.length), normalized)) {
    throw new RangeError(`layerNorm: input ${formatShape(x.shape)} does not end in normalized shape ${formatShape(normalized)}`);
  }
  for (const [label, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && !shapesEqual(t.shape, normalized)) throw new RangeError(`layerNorm: ${label} ${formatShape(t.shape)} must be ${formatShape(normalized)}`);
  }
  const affine = [weight, bias].filter((t): t is Tensor => t !== null);
  const dtype = commonDtype('layerNorm', x, ...affine);
  const xs = x.data;
  const rows = D === 0 ? 0 : xs.length / D;
  const xhats = scratch64(xs.length); // x̂, kept for backward
  const rstd = scratch64(rows);
  const y = allocateUnset(dtype, xs.length); // every element written below
  // γ and β read once (the property loads inside the element loop were most of its cost); an absent
  // one is γ = 1 or β = 0, as before: x̂·1 + 0 is the same number (−0 + 0 = +0 included).
  const w = weight ? weight.data : null;
  const b = bias ? bias.data : null;
  for (let r = 0; r < rows; r++) {
    const offset = r * D;
    let mean = 0;
    for (let i = 0; i < D; i++) mean += xs[offset + i]!;
    mean /= D;
    let variance = 0;
    for (let i = 0; i < D; i++) {
      const d = xs[offset + i]! - mean;
      variance += d * d;
    }
    variance /= D;
    const rs = 1 / Math.sqrt(variance + eps);
    rstd[r] = rs;
    for (let i = 0; i < D; i++) {
      const xhat = (xs[offset + i]! - mean) * rs;
      xhats[offset + i] = xhat;
      y[offset + i] = xhat * (w ? w[i]! : 1) + (b ? b[i]! : 0);
    }
  }
  const inputs = [x, ...affine];
  return opResult('NativeLayerNormBackward', y, x.shape, inputs, (g) => {
    const grads: (FloatArray | null)[] = [x.requiresGrad ? inputGradient(g, xhats, rstd, weight, D, dtype) : null];
    if (weight) grads.push(weight.requiresGrad ? columnSum(g, xhats, D, dtype) : null);
    if (bias) grads.push(bias.requiresGrad ? columnSum(g, null, D, dtype) : null);
    return grads;
  });
}

/** ∂L/∂x = r·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)) per row, with ĝ = g·γ. */
function inputGradient(
  g: FloatArray,
  normalized: Float64Array,
  rstd: Float64Array,
  weight: Tensor | null,
  D: number,
  dtype: Tensor['dtype'],
): FloatArray {
  const gx = allocateUnset(dtype, g.length);
  const scaled = scratch64(D);
  const w = weight ? weight.data : null;
  for (let r = 0; r < rstd.length; r++) {
    const offset = r * D;
    const rs = rstd[r]!;
    let meanG = 0;
    let meanGX = 0;
    for (let i = 0; i < D; i++) {
      const gi = g[offset + i]! * (w ? w[i]! : 1);
      scaled[i] = gi;
      meanG += gi;
      meanGX += gi * normalized[offset + i]!;
    }
    meanG /= D;
    meanGX /= D;
    for (let i = 0; i < D; i++) gx[offset + i] = rs * (scaled[i]! - meanG - normalized[offset + i]! * meanGX);
  }
  return gx;
}

/** Σ_rows g (bias) or Σ_rows g ⊙ x̂ (weight), in float64, rounded once. */
function columnSum(g: FloatArray, normalized: Float64Array | null, D: number, dtype: Tensor['dtype']): FloatArray {
  const acc = scratch64(D);
  // The two sums in separate loops (no per-element test of which); g·1 is g, so the bias sum is the same.
  if (normalized) {
    for (let offset = 0; offset < g.length; offset += D) {
      for (let i = 0; i < D; i++) acc[i] += g[offset + i]! * normalized[offset + i]!;
    }
  } else {
    for (let offset = 0; offset < g.length; offset += D) {
      for (let i = 0; i < D; i++) acc[i] += g[offset + i]!;
    }
  }
  return fromFloat64(acc, dtype);
}
