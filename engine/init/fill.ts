/**
 * Primitive fills shared by the initializers. Values are computed in float64
 * and stored into the tensor's array (rounded once when it is float32).
 */
import type { DenseTensor } from '../tensor/dtype';
import type { Rng } from '../rng';

/** x ~ U(low, high): low + (high − low)·u with u ~ U[0, 1). */
export function fillUniform(tensor: DenseTensor, low: number, high: number, rng: Rng): void {
  rng.fillUniform(tensor.data, low, high - low);
}

/** x ~ N(mean, std²): mean + std·z with z ~ N(0, 1). */
export function fillNormal(tensor: DenseTensor, mean: number, std: number, rng: Rng): void {
  rng.fillNormal(tensor.data, mean, std);
}

export function fillConstant(tensor: DenseTensor, value: number): void {
  tensor.data.fill(value);
}
