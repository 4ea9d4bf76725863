/**
 * Deterministic fills: torch.nn.init.constant_, ones_, zeros_ and eye_.
 */
import type { DenseTensor } from '../tensor/dtype';
import { discreteDistribution, pointMass } from '../stats/distribution';
import { ValueError } from './errors';
import { fillConstant } from './fill';
import { makeTheory, type Theory } from './theory';

export function constant_(tensor: DenseTensor, val: number): DenseTensor {
  fillConstant(tensor, val);
  return tensor;
}

export function ones_(tensor: DenseTensor): DenseTensor {
  return constant_(tensor, 1);
}

export function zeros_(tensor: DenseTensor): DenseTensor {
  return constant_(tensor, 0);
}

export function constantTheory(val: number): Theory {
  return makeTheory('constant', { val }, pointMass(val));
}

/**
 * Fills a 2-D tensor with the identity (torch.eye(rows, cols)): 1 where the
 * row index equals the column index, 0 elsewhere. In Linear layers this
 * preserves the identity of the inputs, with as many inputs kept as possible.
 */
export function eye_(tensor: DenseTensor): DenseTensor {
  const [rows, cols] = eyeShape(tensor.shape);
  const data = tensor.data;
  data.fill(0);
  for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = 1;
  return tensor;
}

/** Of the rows·cols entries, min(rows, cols) are 1 and the rest 0. */
export function eyeTheory(shape: readonly number[]): Theory {
  const [rows, cols] = eyeShape(shape);
  const total = rows * cols;
  const ones = total === 0 ? 0 : Math.min(rows, cols) / total;
  return makeTheory('eye', { rows, cols }, discreteDistribution([{ x: 0, p: 1 - ones }, { x: 1, p: ones }]));
}

function eyeShape(shape: readonly number[]): [number, number] {
  if (shape.length !== 2) throw new ValueError('Only tensors with 2 dimensions are supported');
  return [shape[0]!, shape[1]!];
}
