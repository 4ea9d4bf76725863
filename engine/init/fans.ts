/**
 * Fan-in and fan-out of a weight tensor, as torch.nn.init computes them.
 *
 * Layout is torch's: dimension 0 is the output (out_features / out_channels),
 * dimension 1 the input, and any further dimensions a convolution's kernel
 * (the "receptive field"):
 *   fan_in  = shape[1] · Π shape[2:],   fan_out = shape[0] · Π shape[2:].
 * A Linear weight [out_features, in_features] has fan_in = in_features.
 */
import { ValueError } from './errors';

export interface Fans {
  fanIn: number;
  fanOut: number;
}

export type FanMode = 'fan_in' | 'fan_out';

/** torch.nn.init._calculate_fan_in_and_fan_out. */
export function calculateFanInAndFanOut(shape: readonly number[]): Fans {
  if (shape.length < 2) {
    throw new ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  }
  let receptiveFieldSize = 1;
  for (let i = 2; i < shape.length; i++) receptiveFieldSize *= shape[i]!;
  return { fanIn: shape[1]! * receptiveFieldSize, fanOut: shape[0]! * receptiveFieldSize };
}

/**
 * torch.nn.init._calculate_correct_fan: the fan named by `mode` (case-insensitive).
 * 'fan_in' preserves the variance of activations in the forward pass,
 * 'fan_out' that of gradients in the backward pass (He et al. 2015, §2.2).
 */
export function calculateCorrectFan(shape: readonly number[], mode: string): number {
  const lower = mode.toLowerCase();
  if (lower !== 'fan_in' && lower !== 'fan_out') {
    throw new ValueError(`Mode ${lower} not supported, please use one of ['fan_in', 'fan_out']`);
  }
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape);
  return lower === 'fan_in' ? fanIn : fanOut;
}
