/**
 * torch.nn.CrossEntropyLoss with class-index targets: logits x of shape
 * [N, C], [C] (one sample) or [N, C, d₁, …] (a class score per position, e.g.
 * per pixel), targets t ∈ {0, …, C − 1} (or ignoreIndex) of shape [N], [] or
 * [N, d₁, …], given flat in row-major order. A language model's [B, T, C]
 * logits go in flattened to [B·T, C] with targets [B·T], as nanoGPT does.
 * Every sample-and-position n has its own softmax over the class dimension.
 * With log-probabilities log pₙ = logSoftmax(xₙ) and label smoothing ε:
 *   ℓₙ = (1 − ε)·(−log pₙ,ₜₙ) + (ε/C)·Σ_c (−log pₙ,c)      (0 if tₙ = ignoreIndex)
 *   'mean': L = Σₙ ℓₙ / #{n : tₙ ≠ ignoreIndex},   'sum': Σₙ ℓₙ,   'none': (ℓₙ)
 * which is torch's formula (the smoothed target distribution is
 * (1 − ε)·onehot(t) + ε/C). Gradient, from ∂(−log pₙ,c)/∂xₙ,ⱼ = pₙ,ⱼ − [j = c]:
 *   ∂ℓₙ/∂xₙ,ⱼ = pₙ,ⱼ − (1 − ε)·[j = tₙ] − ε/C
 * Class weights and probability targets are not supported. Each ℓₙ is
 * computed in float64 and the result rounded once; torch goes through a
 * float32 log_softmax first, so float32 losses and gradients can differ from
 * torch's by a few ulp.
 */
import { allocate, scratch64 } from '../dtype';
import { opResult } from '../op';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { reduceElementLosses, upstreamWeights, type LossOptions } from './reduction';

export interface CrossEntropyOptions extends LossOptions {
  /** ε ∈ [0, 1]; default 0. */
  labelSmoothing?: number;
  /** Targets equal to this contribute nothing; torch's default −100. */
  ignoreIndex?: number;
}

/**
 * The layout shared by cross_entropy and nll_loss: `samples` rows of `C` classes, the classes
 * of row n = (b, s) at offsets b·C·S + s + c·S (S = ∏ dᵢ, 1 without extra dimensions).
 */
export interface ClassLayout {
  N: number;
  C: number;
  /** Positions per sample, ∏ dᵢ. */
  S: number;
  /** Shape of the 'none' reduction: [N, d₁, …], [N], or [] for one unbatched sample. */
  lossShape: number[];
  targets: Int32Array;
  counted: number;
}

/** Checks input and targets as torch does and copies the targets (the caller may reuse its array). */
export function classLayout(op: string, input: Tensor, target: ArrayLike<number>, ignoreIndex: number): ClassLayout {
  if (input.ndim < 1) throw new RangeError(`${op}: input must be [N, C], [C] or [N, C, d₁, …], got ${formatShape(input.shape)}`);
  const batched = input.ndim >= 2;
  const N = batched ? input.shape[0]! : 1;
  const C = input.shape[batched ? 1 : 0]!;
  const extra = input.shape.slice(2);
  const S = extra.reduce((a, b) => a * b, 1);
  const lossShape = batched ? [N, ...extra] : [];
  if (target.length !== N * S) {
    throw new RangeError(`${op}: expected ${N * S} targets (shape ${formatShape(batched ? lossShape : [])}) for input ${formatShape(input.shape)}, got ${target.length}`);
  }
  const targets = Int32Array.from(target);
  let counted = 0;
  for (let n = 0; n < targets.length; n++) {
    const t = target[n]!;
    if (t === ignoreIndex) continue;
    if (!(Number.isInteger(t) && t >= 0 && t < C)) throw new RangeError(`${op}: target ${t} is out of bounds for ${C} classes`);
    counted++;
  }
  return { N, C, S, lossShape, targets, counted };
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
  const { N, C, S, lossShape, targets, counted } = classLayout('crossEntropyLoss', input, target, ignoreIndex);
  const rows = N * S;
  const xs = input.data;
  // Per row: the maximum m and log Σ_c e^(x_c − m), so −log p_c = log Σ − (x_c − m).
  const rowMaxima = scratch64(rows);
  const logSums = scratch64(rows);
  const losses = scratch64(rows);
  for (let n = 0; n < rows; n++) {
    const t = targets[n]!;
    if (t === ignoreIndex) continue;
    const offset = Math.floor(n / S) * C * S + (n % S);
    let m = -Infinity;
    for (let c = 0, i = offset; c < C; c++, i += S) {
      const v = xs[i]!;
      if (v > m || Number.isNaN(v)) m = v;
    }
    let sumExp = 0;
    for (let c = 0, i = offset; c < C; c++, i += S) sumExp += Math.exp(xs[i]! - m);
    const logSum = Math.log(sumExp);
    rowMaxima[n] = m;
    logSums[n] = logSum;
    let sumNegLogP = 0;
    for (let c = 0, i = offset; c < C; c++, i += S) sumNegLogP += logSum - (xs[i]! - m);
    losses[n] = (1 - smoothing) * (logSum - (xs[offset + t * S]! - m)) + (smoothing / C) * sumNegLogP;
  }
  // With every target ignored, torch's mean is 0/0 = NaN; so is ours.
  const { data, shape } = reduceElementLosses(losses, lossShape, reduction, input.dtype, counted);

  return opResult('NllLossBackward', data, shape, [input], (g) => {
    const w = upstreamWeights(g, rows, reduction, counted);
    const gx = allocate(input.dtype, xs.length);
    for (let n = 0; n < rows; n++) {
      const t = targets[n]!;
      if (t === ignoreIndex) continue;
      const offset = Math.floor(n / S) * C * S + (n % S);
      for (let c = 0, i = offset; c < C; c++, i += S) {
        const p = Math.exp(xs[i]! - rowMaxima[n]! - logSums[n]!);
        const smoothedTarget = (c === t ? 1 - smoothing : 0) + smoothing / C;
        gx[i] = w[n]! * (p - smoothedTarget);
      }
    }
    return [gx];
  });
}
