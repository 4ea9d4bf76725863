/**
 * Channel-wise dropout (torch.nn.functional.dropout1d, dropout2d): in
 * training, each channel of each sample — a whole feature map x[n, c, …] —
 * is zeroed with probability p, and the kept ones are scaled by 1/(1 − p);
 * in evaluation it is the identity. Adjacent pixels of a feature map are
 * strongly correlated, so elementwise dropout would barely regularize a
 * convolution (Tompson et al., "Efficient Object Localization Using
 * Convolutional Networks", 2015).
 *
 * Input: dropout2d takes [N, C, H, W] or [C, H, W]; torch 1.13 treats a 3-D
 * input as batched 1-D [N, C, L] (and warns), and so do we. dropout1d takes
 * [N, C, L] or [C, L]. As in dropout.ts, the scale is computed in the
 * tensor's dtype and y = x·scale is one rounding (bit-exact with torch given
 * the same mask). The masks, one uniform double per (sample, channel) from the
 * run's TorchGenerator, are not checked against torch's draws.
 *   ∂L/∂x = g·mask[n, c]
 */
import type { TorchGenerator } from '../random';
import { allocate } from './dtype';
import { opResult, roundTo } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

export function dropout1d(x: Tensor, p: number, training: boolean, rng: TorchGenerator): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`dropout1d: expected 2-D or 3-D input, got ${formatShape(x.shape)}`);
  return featureDropout(x, p, training, rng, x.ndim === 3);
}

export function dropout2d(x: Tensor, p: number, training: boolean, rng: TorchGenerator): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`dropout2d: expected 3-D or 4-D input, got ${formatShape(x.shape)}`);
  return featureDropout(x, p, training, rng, true);
}

function featureDropout(x: Tensor, p: number, training: boolean, rng: TorchGenerator, batched: boolean): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0 || x.numel === 0) return x;
  const maps = batched ? x.shape[0]! * x.shape[1]! : x.shape[0]!;
  const size = x.numel / maps;
  const keep = 1 - p;
  const scale = p < 1 ? roundTo(x.dtype, 1 / roundTo(x.dtype, keep)) : 0;
  const mask = allocate(x.dtype, maps);
  for (let m = 0; m < maps; m++) mask[m] = p < 1 && rng.uniform() < keep ? scale : 0;
  const xs = x.data;
  const y = allocate(x.dtype, xs.length);
  for (let m = 0; m < maps; m++) {
    const f = mask[m]!;
    for (let i = m * size; i < (m + 1) * size; i++) y[i] = xs[i]! * f;
  }
  return opResult('MulBackward', y, x.shape, [x], (g) => {
    const gx = allocate(x.dtype, g.length);
    for (let m = 0; m < maps; m++) {
      const f = mask[m]!;
      for (let i = m * size; i < (m + 1) * size; i++) gx[i] = g[i]! * f;
    }
    return [gx];
  });
}
