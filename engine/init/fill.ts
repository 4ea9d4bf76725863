/**
 * Primitive fills shared by the initializers: torch's `tensor.uniform_` and
 * `tensor.normal_` kernels on the tensor's own dtype (engine/random/kernels.ts),
 * so that the values are torch's, bit for bit, for the same generator state.
 */
import type { DenseTensor } from '../tensor/dtype';
import { normalFill, uniformFill, type TorchGenerator } from '../random';

/** `tensor.uniform_(low, high)`: x ~ U(low, high). */
export function fillUniform(tensor: DenseTensor, low: number, high: number, gen: TorchGenerator): void {
  uniformFill(gen, tensor.data, low, high);
}

/** `tensor.normal_(mean, std)`: x ~ N(mean, std²). */
export function fillNormal(tensor: DenseTensor, mean: number, std: number, gen: TorchGenerator): void {
  normalFill(gen, tensor.data, mean, std);
}

export function fillConstant(tensor: DenseTensor, value: number): void {
  tensor.data.fill(value);
}
