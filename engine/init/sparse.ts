/**
 * torch.nn.init.sparse_ — Martens (2010), "Deep learning via Hessian-free
 * optimization": a 2-D tensor drawn from N(0, std²) in which each column has
 * exactly ⌈sparsity · rows⌉ entries, at random rows, set to 0.
 *
 * As torch: fill with N(0, std²) row-major, then for every column take a
 * random permutation of the rows and zero the first ⌈sparsity · rows⌉.
 *
 * Theory: with p = ⌈sparsity · rows⌉/rows, an entry is 0 with probability p and
 * N(0, std²) otherwise: F(x) = p·[x ≥ 0] + (1 − p)·Φ(x/std), mean 0,
 * standard deviation std·√(1 − p).
 */
import type { DenseTensor } from '../tensor/dtype';
import type { TorchGenerator } from '../random';
import { normalDistribution, zeroInflatedDistribution } from '../stats/distribution';
import { RuntimeError, ValueError } from './errors';
import { normalStdMessage } from './uniformNormal';
import { calculateFanInAndFanOut } from './fans';
import { fillNormal } from './fill';
import { makeTheory, type Theory } from './theory';

export interface SparseOptions {
  /** Fraction of each column set to zero, in [0, 1] (required). */
  sparsity: number;
  /** Standard deviation of the non-zero values (default 0.01). */
  std?: number;
}

export function sparse_(tensor: DenseTensor, rng: TorchGenerator, options: SparseOptions): DenseTensor {
  const { rows, cols, zerosPerColumn, std } = sparseParams(tensor.shape, options);
  fillNormal(tensor, 0, std, rng);
  const data = tensor.data;
  for (let c = 0; c < cols; c++) {
    const order = rng.permutation(rows);
    for (let i = 0; i < zerosPerColumn; i++) data[order[i]! * cols + c] = 0;
  }
  return tensor;
}

export function sparseTheory(shape: readonly number[], options: SparseOptions): Theory {
  const { rows, zerosPerColumn, std, sparsity } = sparseParams(shape, options);
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape);
  const zeroProbability = rows === 0 ? 0 : zerosPerColumn / rows;
  return makeTheory(
    'sparse',
    { sparsity, std, zerosPerColumn, zeroProbability },
    zeroInflatedDistribution(normalDistribution(0, std), zeroProbability),
    { fanIn, fanOut },
  );
}

function sparseParams(shape: readonly number[], options: SparseOptions) {
  if (shape.length !== 2) throw new ValueError('Only tensors with 2 dimensions are supported');
  const { sparsity } = options;
  const std = options.std ?? 0.01;
  // torch does not check sparsity; outside [0, 1] its slicing gives surprising counts, so we refuse.
  if (!(sparsity >= 0 && sparsity <= 1)) throw new ValueError(`sparse_ expects sparsity in [0, 1], but found sparsity=${sparsity}`);
  if (!(std >= 0)) throw new RuntimeError(normalStdMessage(std));
  const rows = shape[0]!;
  const cols = shape[1]!;
  return { rows, cols, std, sparsity, zerosPerColumn: Math.min(rows, Math.ceil(sparsity * rows)) };
}
