/**
 * Kaiming/He initialization — He, Zhang, Ren & Sun (2015), "Delving deep into
 * rectifiers: Surpassing human-level performance on ImageNet classification".
 *
 * A ReLU zeroes half of its inputs, so keeping the activation variance constant
 * needs Var(W) = 2/fan_in; in general
 *   std = gain / √fan,  gain = calculateGain(nonlinearity, a),
 * with fan = fan_in (forward variance, the default) or fan_out (backward).
 *   kaiming_uniform_: U(−bound, bound) with bound = √3 · std = gain · √(3/fan);
 *   kaiming_normal_:  N(0, std²).
 * `a` is the negative slope of the rectifier after this layer (only used with
 * 'leaky_relu', the default nonlinearity, where a = 0 gives ReLU's √2).
 */
import type { DenseTensor } from '../tensor/dtype';
import type { TorchGenerator } from '../random';
import { normalDistribution, uniformDistribution } from '../stats/distribution';
import { calculateFanInAndFanOut, calculateCorrectFan } from './fans';
import { fillNormal, fillUniform } from './fill';
import { calculateGain } from './gain';
import { makeTheory, type Theory } from './theory';

export interface KaimingOptions {
  /** Negative slope of the rectifier used after this layer (default 0). */
  a?: number;
  /** 'fan_in' (default) or 'fan_out'. */
  mode?: string;
  /** Nonlinearity name for calculateGain (default 'leaky_relu'). */
  nonlinearity?: string;
}

interface KaimingScale {
  fanIn: number;
  fanOut: number;
  gain: number;
  std: number;
}

function kaimingScale(shape: readonly number[], options: KaimingOptions): KaimingScale {
  const fan = calculateCorrectFan(shape, options.mode ?? 'fan_in');
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0);
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape);
  return { fanIn, fanOut, gain, std: gain / Math.sqrt(fan) };
}

export function kaiming_uniform_(tensor: DenseTensor, rng: TorchGenerator, options: KaimingOptions = {}): DenseTensor {
  // torch checks this before anything else, and warns "Initializing zero-element tensors is a no-op".
  if (tensor.data.length === 0) return tensor;
  const { std } = kaimingScale(tensor.shape, options);
  const bound = Math.sqrt(3.0) * std;
  fillUniform(tensor, -bound, bound, rng);
  return tensor;
}

export function kaimingUniformTheory(shape: readonly number[], options: KaimingOptions = {}): Theory {
  const scale = kaimingScale(shape, options);
  const bound = Math.sqrt(3.0) * scale.std;
  return makeTheory('uniform', { low: -bound, high: bound }, uniformDistribution(-bound, bound), scale);
}

export function kaiming_normal_(tensor: DenseTensor, rng: TorchGenerator, options: KaimingOptions = {}): DenseTensor {
  if (tensor.data.length === 0) return tensor;
  const { std } = kaimingScale(tensor.shape, options);
  fillNormal(tensor, 0, std, rng);
  return tensor;
}

export function kaimingNormalTheory(shape: readonly number[], options: KaimingOptions = {}): Theory {
  const scale = kaimingScale(shape, options);
  return makeTheory('normal', { mean: 0, std: scale.std }, normalDistribution(0, scale.std), scale);
}
