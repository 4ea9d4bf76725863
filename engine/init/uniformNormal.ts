/**
 * torch.nn.init.uniform_ and normal_: fixed-parameter distributions that do
 * not depend on the tensor's shape.
 */
import type { DenseTensor } from '../tensor/dtype';
import type { TorchGenerator } from '../random';
import { normalDistribution, uniformDistribution } from '../stats/distribution';
import { RuntimeError, cppDouble } from './errors';
import { fillNormal, fillUniform } from './fill';
import { makeTheory, type Theory } from './theory';

export interface UniformOptions {
  /** Lower bound (torch's `a`, default 0). */
  a?: number;
  /** Upper bound (torch's `b`, default 1). */
  b?: number;
}

export interface NormalOptions {
  mean?: number;
  std?: number;
}

/** Fills the tensor with values from U(a, b). Raises torch's error when a > b. */
export function uniform_(tensor: DenseTensor, rng: TorchGenerator, options: UniformOptions = {}): DenseTensor {
  const { a, b } = uniformParams(options);
  fillUniform(tensor, a, b, rng);
  return tensor;
}

export function uniformTheory(options: UniformOptions = {}): Theory {
  const { a, b } = uniformParams(options);
  return makeTheory('uniform', { low: a, high: b }, uniformDistribution(a, b));
}

/** Fills the tensor with values from N(mean, std²). Raises torch's error when std < 0. */
export function normal_(tensor: DenseTensor, rng: TorchGenerator, options: NormalOptions = {}): DenseTensor {
  const { mean, std } = normalParams(options);
  fillNormal(tensor, mean, std, rng);
  return tensor;
}

export function normalTheory(options: NormalOptions = {}): Theory {
  const { mean, std } = normalParams(options);
  return makeTheory('normal', { mean, std }, normalDistribution(mean, std));
}

function uniformParams(options: UniformOptions): { a: number; b: number } {
  const a = options.a ?? 0;
  const b = options.b ?? 1;
  // ATen's check in Tensor.uniform_ (a RuntimeError in torch).
  if (!(a <= b)) throw new RuntimeError(uniformRangeMessage(a, b));
  return { a, b };
}

function normalParams(options: NormalOptions): { mean: number; std: number } {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  // ATen's check in Tensor.normal_ (a RuntimeError in torch).
  if (!(std >= 0)) throw new RuntimeError(normalStdMessage(std));
  return { mean, std };
}

/** ATen's text for a reversed uniform_ range. */
export function uniformRangeMessage(from: number, to: number): string {
  return `uniform_ expects to return a [from, to) range, but found from=${cppDouble(from)} > to=${cppDouble(to)}`;
}

/** ATen's text for a negative normal_ std. */
export function normalStdMessage(std: number): string {
  return `normal expects std >= 0.0, but found std ${cppDouble(std)}`;
}
