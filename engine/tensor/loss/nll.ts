/**
 * torch.nn.functional.nll_loss with class-index targets, on log-probabilities
 * x of shape [N, C], [C] or [N, C, d₁, …] (the layout of crossEntropy.ts):
 *   ℓₙ = −xₙ,ₜₙ   (0 if tₙ = ignoreIndex)
 *   'mean': Σₙ ℓₙ / #{n : tₙ ≠ ignoreIndex},   'sum': Σₙ ℓₙ,   'none': (ℓₙ)
 *   ∂ℓₙ/∂xₙ,ⱼ = −[j = tₙ]
 * PyTorch's MNIST example ends in log_softmax followed by this loss. Class
 * weights are not supported. The sum is accumulated in float64 and rounded
 * once (torch sums float32 losses in float32).
 */
import { allocate, scratch64 } from '../dtype';
import { opResult } from '../op';
import type { Tensor } from '../tensor';
import { classLayout } from './crossEntropy';
import { reduceElementLosses, upstreamWeights, type LossOptions } from './reduction';

export interface NllLossOptions extends LossOptions {
  /** Targets equal to this contribute nothing; torch's default −100. */
  ignoreIndex?: number;
}

export function nllLoss(input: Tensor, target: ArrayLike<number>, options: NllLossOptions = {}): Tensor {
  const reduction = options.reduction ?? 'mean';
  const ignoreIndex = options.ignoreIndex ?? -100;
  const { N, C, S, lossShape, targets, counted } = classLayout('nllLoss', input, target, ignoreIndex);
  const rows = N * S;
  const xs = input.data;
  const at = (n: number): number => Math.floor(n / S) * C * S + (n % S) + targets[n]! * S;
  const losses = scratch64(rows);
  for (let n = 0; n < rows; n++) if (targets[n] !== ignoreIndex) losses[n] = -xs[at(n)]!;
  const { data, shape } = reduceElementLosses(losses, lossShape, reduction, input.dtype, counted);
  return opResult('NllLossBackward', data, shape, [input], (g) => {
    const w = upstreamWeights(g, rows, reduction, counted);
    const gx = allocate(input.dtype, xs.length);
    for (let n = 0; n < rows; n++) if (targets[n] !== ignoreIndex) gx[at(n)] = -w[n]!;
    return [gx];
  });
}
