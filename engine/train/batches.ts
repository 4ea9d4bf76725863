/**
 * Minibatches as a torch `DataLoader(drop_last=False)` gives them: each epoch
 * visits every example once, in a fresh random order with `shuffle` (the
 * usual choice for training) or in file order without it.
 *
 * The order is torch 1.13's, drawn from the run's generator as a
 * single-process DataLoader draws it from the global one: every epoch,
 * `iter(loader)` first draws its `_base_seed` (one random64), then
 * RandomSampler draws a seed (another random64) and shuffles with a fresh
 * `torch.Generator().manual_seed(seed)` (whose engine keeps the seed's low 32
 * bits): `randperm(n)` from that generator.
 */
import { targetWidth, type Dataset } from '../data/dataset';
import { randperm, TorchGenerator } from '../random';
import { allocate, dtypeOf, type FloatArray } from '../tensor/dtype';
import { Tensor } from '../tensor/tensor';

export interface Batch {
  inputs: Tensor;
  /** A tensor of targets, or class indices for cross-entropy. */
  targets: Tensor | Int32Array;
  size: number;
  /** The same rows of the data's further inputs (`Dataset.extraInputs`), by forward's name for each. */
  extra?: Record<string, Tensor>;
}

export class BatchSampler {
  private order: Int32Array;
  private cursor = 0;
  epoch = 0;

  constructor(
    private readonly data: Dataset,
    private readonly batchSize: number,
    private readonly rng: TorchGenerator,
    private readonly shuffle = true,
  ) {
    if (!(batchSize >= 1)) throw new RangeError(`batch size must be ≥ 1, got ${batchSize}`);
    this.order = this.epochOrder();
  }

  private epochOrder(): Int32Array {
    this.rng.engine.skip(2); // _base_seed
    if (!this.shuffle) return Int32Array.from({ length: this.data.count }, (_, i) => i);
    this.rng.random(); // the sampler seed's high word, which manual_seed drops
    return randperm(new TorchGenerator(this.rng.random()), this.data.count);
  }

  next(): Batch {
    if (this.cursor >= this.data.count) {
      this.order = this.epochOrder();
      this.cursor = 0;
      this.epoch++;
    }
    const rows = this.order.subarray(this.cursor, Math.min(this.cursor + this.batchSize, this.data.count));
    this.cursor += rows.length;
    const batch: Batch = { inputs: this.gatherInputs(rows), targets: this.gatherTargets(rows), size: rows.length };
    if (this.data.extraInputs) batch.extra = gatherExtra(this.data.extraInputs, rows);
    return batch;
  }

  private gatherInputs(rows: Int32Array): Tensor {
    const d = this.data.inputDim;
    const out = allocate(dtypeOf(this.data.inputs), rows.length * d);
    copyRows(this.data.inputs, rows, d, out);
    return new Tensor(out, [rows.length, d]);
  }

  private gatherTargets(rows: Int32Array): Tensor | Int32Array {
    const t = this.data.targets;
    if (t.kind === 'classes') {
      const w = targetWidth(t);
      if (w === 1) return Int32Array.from(rows, (r) => t.data[r]!);
      const out = new Int32Array(rows.length * w);
      copyRows(t.data, rows, w, out);
      return out;
    }
    const out = allocate(dtypeOf(t.data), rows.length * t.dim);
    copyRows(t.data, rows, t.dim, out);
    return new Tensor(out, [rows.length, t.dim]);
  }
}

/** The rows of each further input, as tensors of shape (rows, …shape). */
export function gatherExtra(extra: NonNullable<Dataset['extraInputs']>, rows: Int32Array): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, x] of Object.entries(extra)) {
    const width = x.shape.reduce((a, b) => a * b, 1);
    const values = allocate(dtypeOf(x.data), rows.length * width);
    copyRows(x.data, rows, width, values);
    out[name] = new Tensor(values, [rows.length, ...x.shape]);
  }
  return out;
}

/** out's i-th row ← the rows[i]-th row of `from` (rows of `width` elements); a loop, not a view per row. */
function copyRows(from: FloatArray | Int32Array, rows: Int32Array, width: number, out: FloatArray | Int32Array): void {
  for (let i = 0; i < rows.length; i++) {
    const src = rows[i]! * width;
    const dst = i * width;
    for (let j = 0; j < width; j++) out[dst + j] = from[src + j]!;
  }
}
