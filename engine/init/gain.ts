/**
 * The recommended gain for a nonlinearity, torch.nn.init.calculate_gain:
 *
 *   nonlinearity                     gain
 *   linear / conv{1,2,3}d / conv_transpose{1,2,3}d / sigmoid   1
 *   tanh                             5/3
 *   relu                             √2
 *   leaky_relu                       √(2 / (1 + negative_slope²))
 *   selu                             3/4
 *
 * The gain multiplies the scale of variance-preserving initializers: for ReLU,
 * half of the pre-activations are zeroed, so the weight variance must double
 * (He et al. 2015) to keep the activation variance constant across layers.
 * SELU's 3/4 was found empirically by the torch developers (pytorch#50664),
 * where the self-normalizing paper itself uses gain 1 (LeCun normal).
 */
import { ValueError, pythonStr } from './errors';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

export const NONLINEARITIES: readonly Nonlinearity[] = [
  'linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
  'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu',
];

const LINEAR_FNS = new Set(['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d']);

/** torch's default negative slope for leaky_relu (nn.LeakyReLU's default). */
export const DEFAULT_NEGATIVE_SLOPE = 0.01;

/**
 * @param nonlinearity a torch nonlinearity name
 * @param param the negative slope for 'leaky_relu' (default 0.01); must be a
 *   number: booleans, strings and other values raise torch's ValueError.
 */
export function calculateGain(nonlinearity: string, param?: unknown): number {
  if (LINEAR_FNS.has(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu') {
    let negativeSlope: number;
    if (param === undefined || param === null) negativeSlope = DEFAULT_NEGATIVE_SLOPE;
    else if (typeof param === 'number') negativeSlope = param;
    else throw new ValueError(`negative_slope ${pythonStr(param)} not a valid number`);
    return Math.sqrt(2.0 / (1 + negativeSlope ** 2));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new ValueError(`Unsupported nonlinearity ${pythonStr(nonlinearity)}`);
}
