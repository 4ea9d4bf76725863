/**
 * Dropout (torch.nn.functional.dropout): in training, each element is zeroed
 * with probability p and the survivors are scaled by 1/(1 − p), so that the
 * expected value of every output equals its input; in evaluation it is the
 * identity.
 *
 * As torch, the mask is a Bernoulli(1 − p) draw per element, and the scaled
 * mask ("noise") holds 1/(1 − p) computed in the tensor's dtype — for float32
 * that is fround(1 / fround(1 − p)) — so y = x·noise is one rounding and
 * matches torch bit for bit given the same mask. The mask is torch 1.13's CPU
 * `bernoulli_(1 − p)` without MKL: one uniform double per element, in order,
 * from the run's TorchGenerator, kept when below 1 − p; so with the generator
 * in torch's state the masks are torch's (tested through whole training runs).
 *   ∂L/∂x = g·noise
 */
import { bernoulliScaled, type TorchGenerator } from '../random';
import { opResult, roundTo, zerosLike } from './op';
import type { Tensor } from './tensor';

export function dropout(x: Tensor, p: number, training: boolean, rng: TorchGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  // torch returns the input itself in these cases (no copy, no graph node).
  if (!training || p === 0 || x.numel === 0) return x;
  const noise = zerosLike(x.data);
  if (p < 1) {
    const keepProbability = 1 - p;
    const scale = roundTo(x.dtype, 1 / roundTo(x.dtype, keepProbability));
    bernoulliScaled(rng, noise, keepProbability, scale);
  }
  const xs = x.data;
  const y = zerosLike(xs);
  for (let i = 0; i < y.length; i++) y[i] = xs[i]! * noise[i]!;
  return opResult('MulBackward', y, x.shape, [x], (g) => {
    const gx = zerosLike(g);
    for (let i = 0; i < g.length; i++) gx[i] = g[i]! * noise[i]!;
    return [gx];
  });
}
