/**
 * torch.nn.CrossEntropyLoss with class-index targets: logits x of shape
 * [N, C] (or [C] for one sample), targets t ∈ {0, …, C − 1} (or ignoreIndex).
 * With log-probabilities log pₙ = logSoftmax(xₙ) and label smoothing ε:
 *   ℓₙ = (1 − ε)·(−log pₙ,ₜₙ) + (ε/C)·Σ_c (−log pₙ,c)      (0 if tₙ = ignoreIndex)
 *   'mean': L = Σₙ ℓₙ / #{n : tₙ ≠ ignoreIndex},   'sum': Σₙ ℓₙ,   'none': (ℓₙ)
 * which is torch's formula (the smoothed target distribution is
 * (1 − ε)·onehot(t) + ε/C). Gradient, from ∂(−log pₙ,c)/∂xₙ,ⱼ = pₙ,ⱼ − [j = c]:
 *   ∂ℓₙ/∂xₙ,ⱼ = pₙ,ⱼ − (1 − ε)·[j = tₙ] − ε/C
 * Class weights, probability targets and inputs with extra dimensions
 * ([N, C, d₁, …]) are not supported. Each ℓₙ is computed in float64 and the
 * result rounded once; torch goes through a float32 log_softmax first, so
 * float32 losses and gradients can differ from torch's by a few ulp.
 */
import { allocate, scratch64 } from '../dtype';
import { opResult } from '../op';
import { formatShape } from '../shape';
import { rowLogSumShiftedExp, rowMax } from '../softmax';
import type { Tensor } from '../tensor';
import { reduceElementLosses, upstreamWeights, type LossOptions } from './reduction';

export interface CrossEntropyOptions extends LossOptions {
  /** ε ∈ [0, 1]; default 0. */
  labelSmoothing?: number;
  /** Targets equal to this contribute nothing; torch's default −100. */
  ignoreIndex?: number;
}

export function crossEntropyLoss(
  input: Tensor,
  target: ArrayLike<number>,
  options: CrossEntropyOptions = {},
): Tensor {
  const reduction = options.reduction ?? 'mean';
  const smoothing = options.labelSmoothing ?? 0;
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!(smoothing >= 0 && smoothing <= 1)) throw new RangeError(`crossEntropyLoss: label_smoothing must be in [0, 1], got ${smoothing}`);
  if (input.ndim !== 1 && input.ndim !== 2) throw new RangeError(`crossEntropyLoss: input must be [N, C] or [C], got ${formatShape(input.shape)}`);
  const batched = input.ndim === 2;
  const N = batched ? input.shape[0]! : 1;
  const C = input.shape[input.ndim - 1]!;
  if (target.length !== N) throw new RangeError(`crossEntropyLoss: expected ${N} targets, got ${target.length}`);
  for (let n = 0; n < N; n++) {
    const t = target[n]!;
    if (t !== ignoreIndex && !(Number.isInteger(t) && t >= 0 && t < C)) {
      throw new RangeError(`crossEntropyLoss: target ${t} is out of bounds for ${C} classes`);
    }
  }

  const targets = Int32Array.from(target); // our copy: the caller may reuse its array before backward
  const xs = input.data;
  // Per row: the maximum m and log Σ_c e^(x_c − m), so −log p_c = log Σ − (x_c − m).
  const rowMaxima = scratch64(N);
  const logSums = scratch64(N);
  const losses = scratch64(N);
  let counted = 0;
  for (let n = 0; n < N; n++) {
    const t = targets[n]!;
    if (t === ignoreIndex) continue;
    counted++;
    const offset = n * C;
    const m = rowMax(xs, offset, C);
    const logSum = rowLogSumShiftedExp(xs, offset, C, m);
    rowMaxima[n] = m;
    logSums[n] = logSum;
    let sumNegLogP = 0;
    for (let c = 0; c < C; c++) sumNegLogP += logSum - (xs[offset + c]! - m);
    losses[n] = (1 - smoothing) * (logSum - (xs[offset + t]! - m)) + (smoothing / C) * sumNegLogP;
  }
  // With every target ignored, torch's mean is 0/0 = NaN; so is ours.
  const { data, shape } = reduceElementLosses(losses, batched ? [N] : [], reduction, input.dtype, counted);

  return opResult('NllLossBackward', data, shape, [input], (g) => {
    const w = upstreamWeights(g, N, reduction, counted);
    const gx = allocate(input.dtype, xs.length);
    for (let n = 0; n < N; n++) {
      const t = targets[n]!;
      if (t === ignoreIndex) continue;
      const offset = n * C;
      for (let c = 0; c < C; c++) {
        const p = Math.exp(xs[offset + c]! - rowMaxima[n]! - logSums[n]!);
        const smoothedTarget = (c === t ? 1 - smoothing : 0) + smoothing / C;
        gx[offset + c] = w[n]! * (p - smoothedTarget);
      }
    }
    return [gx];
  });
}
