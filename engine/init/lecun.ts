/**
 * LeCun initialization — LeCun, Bottou, Orr & Müller (1998), "Efficient
 * BackProp": with unit-variance inputs, Var(W) = 1/fan_in keeps the
 * pre-activation variance at 1:
 *   lecun_normal:  N(0, 1/fan_in), std = 1/√fan_in;
 *   lecun_uniform: U(−√(3/fan_in), √(3/fan_in)) (same variance).
 * torch has no function for these (they equal kaiming_*_(nonlinearity='linear')).
 *
 * The source article calls N(0, 1/fan_in) "Xavier initialization"; it is
 * LeCun normal. Xavier/Glorot uses (fan_in + fan_out)/2 (see xavier.ts).
 */
import type { DenseTensor } from '../tensor/dtype';
import type { TorchGenerator } from '../random';
import { normalDistribution, uniformDistribution } from '../stats/distribution';
import { calculateFanInAndFanOut } from './fans';
import { fillNormal, fillUniform } from './fill';
import { makeTheory, type Theory } from './theory';

function lecunStd(shape: readonly number[]): { fanIn: number; fanOut: number; std: number } {
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape);
  return { fanIn, fanOut, std: 1 / Math.sqrt(fanIn) };
}

export function lecunNormal_(tensor: DenseTensor, rng: TorchGenerator): DenseTensor {
  fillNormal(tensor, 0, lecunStd(tensor.shape).std, rng);
  return tensor;
}

export function lecunNormalTheory(shape: readonly number[]): Theory {
  const { fanIn, fanOut, std } = lecunStd(shape);
  return makeTheory('normal', { mean: 0, std }, normalDistribution(0, std), { fanIn, fanOut, gain: 1 });
}

export function lecunUniform_(tensor: DenseTensor, rng: TorchGenerator): DenseTensor {
  const bound = Math.sqrt(3) * lecunStd(tensor.shape).std;
  fillUniform(tensor, -bound, bound, rng);
  return tensor;
}

export function lecunUniformTheory(shape: readonly number[]): Theory {
  const { fanIn, fanOut, std } = lecunStd(shape);
  const bound = Math.sqrt(3) * std;
  return makeTheory('uniform', { low: -bound, high: bound }, uniformDistribution(-bound, bound), { fanIn, fanOut, gain: 1 });
}
