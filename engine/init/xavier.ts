/**
 * Xavier/Glorot initialization — Glorot & Bengio (2010), "Understanding the
 * difficulty of training deep feedforward neural networks".
 *
 * Keeping the activation variance constant forward needs Var(W) = 1/fan_in,
 * and the gradient variance constant backward needs Var(W) = 1/fan_out; the
 * compromise is the harmonic mean:
 *   std = gain · √(2 / (fan_in + fan_out)).
 *   xavier_uniform_: U(−a, a) with a = √3 · std = gain · √(6 / (fan_in + fan_out));
 *   xavier_normal_:  N(0, std²).
 *
 * (The article this product accompanies calls N(0, 1/fan_in) "Xavier"; that is
 * LeCun normal, see lecun.ts.)
 */
import type { DenseTensor } from '../tensor/dtype';
import type { TorchGenerator } from '../random';
import { normalDistribution, uniformDistribution } from '../stats/distribution';
import { calculateFanInAndFanOut } from './fans';
import { fillNormal, fillUniform } from './fill';
import { makeTheory, type Theory } from './theory';

export interface XavierOptions {
  /** Scaling factor, e.g. calculateGain('tanh'); default 1. */
  gain?: number;
}

interface XavierScale {
  fanIn: number;
  fanOut: number;
  gain: number;
  std: number;
}

function xavierScale(shape: readonly number[], options: XavierOptions): XavierScale {
  const gain = options.gain ?? 1;
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape);
  return { fanIn, fanOut, gain, std: gain * Math.sqrt(2.0 / (fanIn + fanOut)) };
}

export function xavier_uniform_(tensor: DenseTensor, rng: TorchGenerator, options: XavierOptions = {}): DenseTensor {
  const { std } = xavierScale(tensor.shape, options);
  const bound = Math.sqrt(3.0) * std;
  fillUniform(tensor, -bound, bound, rng);
  return tensor;
}

export function xavierUniformTheory(shape: readonly number[], options: XavierOptions = {}): Theory {
  const scale = xavierScale(shape, options);
  const bound = Math.sqrt(3.0) * scale.std;
  return makeTheory('uniform', { low: -bound, high: bound }, uniformDistribution(-bound, bound), scale);
}

export function xavier_normal_(tensor: DenseTensor, rng: TorchGenerator, options: XavierOptions = {}): DenseTensor {
  const { std } = xavierScale(tensor.shape, options);
  fillNormal(tensor, 0, std, rng);
  return tensor;
}

export function xavierNormalTheory(shape: readonly number[], options: XavierOptions = {}): Theory {
  const scale = xavierScale(shape, options);
  return makeTheory('normal', { mean: 0, std: scale.std }, normalDistribution(0, scale.std), scale);
}
