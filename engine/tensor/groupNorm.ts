/**
 * Group normalization (torch.nn.functional.group_norm) of x [N, C, d₁, …]:
 * the C channels form G groups of C/G; each sample's group is normalized over
 * its K = (C/G)·∏dᵢ values, then every channel gets its own affine map:
 *   μ = (1/K) Σ x,   σ² = (1/K) Σ (x − μ)²  (biased),   r = 1/√(σ² + ε),
 *   x̂ = (x − μ)·r,   y = γ_c·x̂ + β_c.
 * Backward, with ĝ = g·γ_c and means over the group's K values:
 *   ∂L/∂x = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),   ∂L/∂γ_c = Σ_{n, dᵢ} g·x̂,   ∂L/∂β_c = Σ_{n, dᵢ} g.
 * Statistics in float64 (two passes), each output rounded once; float32 agrees with torch to
 * float32 rounding (torch computes float32 moments in float32).
 */
import { allocate, scratch64, type FloatArray } from './dtype';
import { commonDtype, opResult } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  if (x.ndim < 2) throw new RangeError(`groupNorm: input must be [N, C, d₁, …], got ${formatShape(x.shape)}`);
  const N = x.shape[0]!;
  const C = x.shape[1]!;
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new RangeError(`groupNorm: expected the number of channels ${C} to be divisible by num_groups, got num_groups=${numGroups}`);
  }
  for (const [label, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) throw new RangeError(`groupNorm: ${label} ${formatShape(t.shape)} must be [${C}]`);
  }
  const affine = [weight, bias].filter((t): t is Tensor => t !== null);
  const dtype = commonDtype('groupNorm', x, ...affine);
  const S = x.numel / Math.max(1, N * C);
  const Cg = C / numGroups;
  const K = Cg * S;
  const groups = N * numGroups;
  const xs = x.data;
  const normalized = scratch64(xs.length);
  const rstd = scratch64(groups);
  const y = allocate(dtype, xs.length);
  // Group (n, j) is the contiguous run [(n·G + j)·K, (n·G + j + 1)·K).
  for (let grp = 0; grp < groups; grp++) {
    const start = grp * K;
    let mean = 0;
    for (let i = start; i < start + K; i++) mean += xs[i]!;
    mean /= K;
    let variance = 0;
    for (let i = start; i < start + K; i++) {
      const d = xs[i]! - mean;
      variance += d * d;
    }
    const r = 1 / Math.sqrt(variance / K + eps);
    rstd[grp] = r;
    const firstChannel = (grp % numGroups) * Cg;
    for (let c = 0; c < Cg; c++) {
      const gamma = weight ? weight.data[firstChannel + c]! : 1;
      const beta = bias ? bias.data[firstChannel + c]! : 0;
      for (let i = start + c * S; i < start + (c + 1) * S; i++) {
        const xhat = (xs[i]! - mean) * r;
        normalized[i] = xhat;
        y[i] = xhat * gamma + beta;
      }
    }
  }
  const inputs = [x, ...affine];
  return opResult('NativeGroupNormBackward', y, x.shape, inputs, (g) => {
    const grads: (FloatArray | null)[] = [];
    if (x.requiresGrad) {
      const gx = allocate(dtype, xs.length);
      for (let grp = 0; grp < groups; grp++) {
        const start = grp * K;
        const firstChannel = (grp % numGroups) * Cg;
        let meanG = 0;
        let meanGX = 0;
        for (let c = 0; c < Cg; c++) {
          const gamma = weight ? weight.data[firstChannel + c]! : 1;
          for (let i = start + c * S; i < start + (c + 1) * S; i++) {
            const gi = g[i]! * gamma;
            meanG += gi;
            meanGX += gi * normalized[i]!;
          }
        }
        meanG /= K;
        meanGX /= K;
        const r = rstd[grp]!;
        for (let c = 0; c < Cg; c++) {
          const gamma = weight ? weight.data[firstChannel + c]! : 1;
          for (let i = start + c * S; i < start + (c + 1) * S; i++) gx[i] = r * (g[i]! * gamma - meanG - normalized[i]! * meanGX);
        }
      }
      grads.push(gx);
    } else {
      grads.push(null);
    }
    if (weight || bias) {
      const sumG = scratch64(C);
      const sumGX = scratch64(C);
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const start = (n * C + c) * S;
          for (let i = start; i < start + S; i++) {
            sumG[c] += g[i]!;
            sumGX[c] += g[i]! * normalized[i]!;
          }
        }
      }
      const round = (v: Float64Array): FloatArray => {
        const out = allocate(dtype, C);
        out.set(v);
        return out;
      };
      if (weight) grads.push(weight.requiresGrad ? round(sumGX) : null);
      if (bias) grads.push(bias.requiresGrad ? round(sumG) : null);
    }
    return grads;
  });
}
