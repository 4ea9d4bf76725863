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
 * rounded once. With γ and β, large inputs run in WebAssembly
 * (layerNormWasm.ts): the same operations in the same order, the same bits. torch's float32 kernel computes μ and σ² in float32, so
 * float32 outputs can differ from torch by a few ulp.
 */
import { allocateUnset, numel, scratch64, type FloatArray } from './dtype';
import { commonDtype, fromFloat64, opResult } from './op';
import { LAYER_NORM_WASM_MIN_LENGTH, layerNormBackwardWasm, normalizeRowsWasm } from './layerNormWasm';
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
  // x̂, kept for backward, and r per row: every element written below, so not zeroed first.
  const xhats = allocateUnset('float64', xs.length) as Float64Array;
  const rstd = allocateUnset('float64', rows) as Float64Array;
  const y = allocateUnset(dtype, xs.length); // every element written below
  // With γ and β (every LayerNorm module) a large input goes to the WebAssembly kernels: the same bits.
  const useWasm = weight !== null && bias !== null && xs.length >= LAYER_NORM_WASM_MIN_LENGTH;
  if (!(useWasm && normalizeRowsWasm(xs, y, xhats, rstd, weight.data, bias.data, rows, D, eps))) {
    normalizeRows(xs, y, xhats, rstd, weight ? weight.data : null, bias ? bias.data : null, rows, D, eps);
  }
  const inputs = [x, ...affine];
  return opResult('NativeLayerNormBackward', y, x.shape, inputs, (g) => {
    if (useWasm) {
      const gx = x.requiresGrad ? allocateUnset(dtype, g.length) : null; // every element written
      const gw = weight.requiresGrad ? scratch64(D) : null;
      const gb = bias.requiresGrad ? scratch64(D) : null;
      if (layerNormBackwardWasm(g, weight.data, xhats, rstd, D, gx, gw, gb)) {
        return [gx, gw && fromFloat64(gw, dtype), gb && fromFloat64(gb, dtype)];
      }
    }
    const grads: (FloatArray | null)[] = [x.requiresGrad ? inputGradient(g, xhats, rstd, weight, D, dtype) : null];
    const { gw, gb } = affineGradients(g, xhats, D, weight?.requiresGrad === true, bias?.requiresGrad === true);
    if (weight) grads.push(gw && fromFloat64(gw, dtype));
    if (bias) grads.push(gb && fromFloat64(gb, dtype));
    return grads;
  });
}

/**
 * y = x̂·γ + β row by row, keeping x̂ and r = 1/√(σ² + ε). A function of its own, on arrays only (no
 * tensors, no closure), which V8 compiles to tighter loops. An absent γ or β is γ = 1 or β = 0, with
 * the same operations (x̂·1 + 0, −0 + 0 = +0 included).
 */
function normalizeRows(
  xs: FloatArray, y: FloatArray, xhats: Float64Array, rstd: Float64Array,
  w: FloatArray | null, b: FloatArray | null, rows: number, D: number, eps: number,
): void {
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
    if (w !== null && b !== null) {
      for (let i = 0; i < D; i++) {
        const xhat = (xs[offset + i]! - mean) * rs;
        xhats[offset + i] = xhat;
        y[offset + i] = xhat * w[i]! + b[i]!;
      }
    } else {
      for (let i = 0; i < D; i++) {
        const xhat = (xs[offset + i]! - mean) * rs;
        xhats[offset + i] = xhat;
        y[offset + i] = xhat * (w !== null ? w[i]! : 1) + (b !== null ? b[i]! : 0);
      }
    }
  }
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
    if (w !== null) {
      for (let i = 0; i < D; i++) {
        const gi = g[offset + i]! * w[i]!;
        scaled[i] = gi;
        meanG += gi;
        meanGX += gi * normalized[offset + i]!;
      }
    } else {
      for (let i = 0; i < D; i++) {
        const gi = g[offset + i]! * 1; // as with γ = 1 (g·1 is g)
        scaled[i] = gi;
        meanG += gi;
        meanGX += gi * normalized[offset + i]!;
      }
    }
    meanG /= D;
    meanGX /= D;
    for (let i = 0; i < D; i++) gx[offset + i] = rs * (scaled[i]! - meanG - normalized[offset + i]! * meanGX);
  }
  return gx;
}

/**
 * ∂L/∂γ = Σ_rows g ⊙ x̂ and ∂L/∂β = Σ_rows g (those wanted), in float64, adding the rows in order: both
 * in one pass over g when both are wanted (each sum's own order is unchanged, so the same bits).
 */
function affineGradients(g: FloatArray, normalized: Float64Array, D: number, wantWeight: boolean, wantBias: boolean): { gw: Float64Array | null; gb: Float64Array | null } {
  const gw = wantWeight ? scratch64(D) : null;
  const gb = wantBias ? scratch64(D) : null;
  if (gw !== null && gb !== null) {
    for (let offset = 0; offset < g.length; offset += D) {
      for (let i = 0; i < D; i++) {
        const gi = g[offset + i]!;
        gw[i] += gi * normalized[offset + i]!;
        gb[i] += gi;
      }
    }
  } else if (gw !== null) {
    for (let offset = 0; offset < g.length; offset += D) {
      for (let i = 0; i < D; i++) gw[i] += g[offset + i]! * normalized[offset + i]!;
    }
  } else if (gb !== null) {
    for (let offset = 0; offset < g.length; offset += D) {
      for (let i = 0; i < D; i++) gb[i] += g[offset + i]!;
    }
  }
  return { gw, gb };
}
