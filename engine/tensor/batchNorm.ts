/**
 * Batch normalization (torch.nn.functional.batch_norm) of x [N, C] or
 * [N, C, d₁, …], per channel c over its M = N·∏dᵢ values:
 *
 * training:  μ_c = (1/M) Σ x,   σ²_c = (1/M) Σ (x − μ_c)²   (biased: it normalizes),
 *            x̂ = (x − μ_c)/√(σ²_c + ε),   y = γ_c·x̂ + β_c,
 *            and, when running statistics are given, in place:
 *            running_mean ← (1 − m)·running_mean + m·μ_c,
 *            running_var  ← (1 − m)·running_var  + m·σ²_c·M/(M − 1)   (unbiased),
 *            where m = momentum, or 1/num_batches_tracked when momentum is null (a cumulative
 *            average; num_batches_tracked is incremented first, as nn.BatchNorm does).
 * evaluation: x̂ = (x − running_mean_c)/√(running_var_c + ε), y = γ_c·x̂ + β_c.
 *
 * Backward, with r_c = 1/√(σ²_c + ε) and means over the channel's M values:
 *   training:   ∂L/∂x = γ_c·r_c·(g − mean(g) − x̂·mean(g·x̂))   (the batch statistics depend on x)
 *   evaluation: ∂L/∂x = γ_c·r_c·g
 *   ∂L/∂γ_c = Σ g·x̂,   ∂L/∂β_c = Σ g.
 *
 * Statistics are computed in float64 (two passes) and each output rounded once. torch computes
 * float32 statistics in float32 (with float64 accumulation of the sums on CPU), so float32 results
 * agree to float32 rounding, not bit for bit; float64 agrees to ~1e-16.
 */
import { allocate, scratch64, type DType, type FloatArray } from './dtype';
import { commonDtype, opResult } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

export interface BatchNormOptions {
  /** Batch statistics (and running-statistics update) when true, running statistics when false. Default false, as torch. */
  training?: boolean;
  /** Default 0.1; null for a cumulative average over `numBatchesTracked` batches. */
  momentum?: number | null;
  eps?: number;
  /** nn.BatchNorm's `num_batches_tracked` buffer (one element), incremented in place in training. */
  numBatchesTracked?: Tensor | null;
}

export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: BatchNormOptions = {},
): Tensor {
  const training = options.training ?? false;
  const eps = options.eps ?? 1e-5;
  if (x.ndim < 2) throw new RangeError(`batchNorm: input must be [N, C] or [N, C, d₁, …], got ${formatShape(x.shape)}`);
  const N = x.shape[0]!;
  const C = x.shape[1]!;
  const S = x.numel / Math.max(1, N * C);
  const M = N * S;
  const affine = [weight, bias].filter((t): t is Tensor => t !== null);
  const dtype = commonDtype('batchNorm', x, ...affine);
  for (const [label, t] of [['weight', weight], ['bias', bias], ['running_mean', runningMean], ['running_var', runningVar]] as const) {
    if (t && t.numel !== C) throw new RangeError(`batchNorm: ${label} ${formatShape(t.shape)} must have ${C} elements (one per channel)`);
  }
  if ((runningMean === null) !== (runningVar === null)) throw new RangeError('batchNorm: running_mean and running_var must both be given or both be null');
  if (!training && runningMean === null) throw new RangeError('batchNorm: running_mean and running_var must be defined in evaluation mode');
  if (training && M <= 1) throw new RangeError(`batchNorm: expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`);

  const xs = x.data;
  const mean = scratch64(C);
  const rstd = scratch64(C);
  if (training) {
    batchStatistics(xs, N, C, S, mean, rstd);
    if (runningMean && runningVar) updateRunningStatistics(runningMean, runningVar, mean, rstd, M, momentumOf(options, training));
    for (let c = 0; c < C; c++) rstd[c] = 1 / Math.sqrt(rstd[c]! + eps); // rstd held σ² until here
  } else {
    for (let c = 0; c < C; c++) {
      mean[c] = runningMean!.data[c]!;
      rstd[c] = 1 / Math.sqrt(runningVar!.data[c]! + eps);
    }
  }

  const normalized = scratch64(xs.length); // x̂, kept for backward
  const y = allocate(dtype, xs.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const start = (n * C + c) * S;
      const mu = mean[c]!;
      const r = rstd[c]!;
      const gamma = weight ? weight.data[c]! : 1;
      const beta = bias ? bias.data[c]! : 0;
      for (let i = start; i < start + S; i++) {
        const xhat = (xs[i]! - mu) * r;
        normalized[i] = xhat;
        y[i] = xhat * gamma + beta;
      }
    }
  }

  const inputs = [x, ...affine];
  return opResult('NativeBatchNormBackward', y, x.shape, inputs, (g) => {
    const sums = channelSums(g, normalized, N, C, S); // Σ g and Σ g·x̂ per channel
    const grads: (FloatArray | null)[] = [];
    if (x.requiresGrad) {
      const gx = allocate(dtype, xs.length);
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const start = (n * C + c) * S;
          const scale = (weight ? weight.data[c]! : 1) * rstd[c]!;
          if (training) {
            const meanG = sums.g[c]! / M;
            const meanGX = sums.gx[c]! / M;
            for (let i = start; i < start + S; i++) gx[i] = scale * (g[i]! - meanG - normalized[i]! * meanGX);
          } else {
            for (let i = start; i < start + S; i++) gx[i] = scale * g[i]!;
          }
        }
      }
      grads.push(gx);
    } else {
      grads.push(null);
    }
    if (weight) grads.push(weight.requiresGrad ? rounded(sums.gx, dtype) : null);
    if (bias) grads.push(bias.requiresGrad ? rounded(sums.g, dtype) : null);
    return grads;
  });
}

function momentumOf(options: BatchNormOptions, training: boolean): number {
  const tracked = options.numBatchesTracked ?? null;
  if (training && tracked) tracked.data[0] = tracked.data[0]! + 1;
  const momentum = options.momentum === undefined ? 0.1 : options.momentum;
  if (momentum !== null) return momentum;
  if (!tracked) throw new RangeError('batchNorm: momentum=None (a cumulative average) needs numBatchesTracked');
  return 1 / tracked.data[0]!;
}

/** μ_c into `mean` and the biased σ²_c into `variance`, two passes in float64. */
function batchStatistics(xs: FloatArray, N: number, C: number, S: number, mean: Float64Array, variance: Float64Array): void {
  const M = N * S;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) {
      const start = (n * C + c) * S;
      for (let i = start; i < start + S; i++) s += xs[i]!;
    }
    const mu = s / M;
    let v = 0;
    for (let n = 0; n < N; n++) {
      const start = (n * C + c) * S;
      for (let i = start; i < start + S; i++) {
        const d = xs[i]! - mu;
        v += d * d;
      }
    }
    mean[c] = mu;
    variance[c] = v / M;
  }
}

/** torch's update: running ← m·batch + (1 − m)·running, with the unbiased variance σ²·M/(M − 1). */
function updateRunningStatistics(runningMean: Tensor, runningVar: Tensor, mean: Float64Array, variance: Float64Array, M: number, m: number): void {
  for (let c = 0; c < mean.length; c++) {
    runningMean.data[c] = m * mean[c]! + (1 - m) * runningMean.data[c]!;
    runningVar.data[c] = m * ((variance[c]! * M) / (M - 1)) + (1 - m) * runningVar.data[c]!;
  }
}

function channelSums(g: FloatArray, normalized: Float64Array, N: number, C: number, S: number): { g: Float64Array; gx: Float64Array } {
  const sumG = scratch64(C);
  const sumGX = scratch64(C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const start = (n * C + c) * S;
      let a = 0;
      let b = 0;
      for (let i = start; i < start + S; i++) {
        a += g[i]!;
        b += g[i]! * normalized[i]!;
      }
      sumG[c] += a;
      sumGX[c] += b;
    }
  }
  return { g: sumG, gx: sumGX };
}

function rounded(values: Float64Array, dtype: DType): FloatArray {
  const out = allocate(dtype, values.length);
  out.set(values);
  return out;
}
