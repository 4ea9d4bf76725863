/**
 * Datasets from two arrays (typically two `.npy` files): inputs of shape
 * [n, d] and targets of shape [n] or [n, k].
 *
 * Class targets are used as they are, not re-numbered as CSV labels are: an
 * integer array is already the class indices CrossEntropyLoss takes, and
 * re-numbering would silently shift every class above one that happens to be
 * absent from the file.
 */
import type { Dataset } from '../data/dataset';
import { allocate, type DType } from '../tensor/dtype';
import { IoError } from './errors';
import type { DatasetTask } from './task';

export interface ArrayInput {
  shape: readonly number[];
  data: ArrayLike<number>;
}

export interface NpyDatasetOptions {
  /** Storage of inputs and value targets (default float32). */
  dtype?: DType;
  /** File names for messages and the description (default 'inputs' and 'targets'). */
  inputsFile?: string;
  targetsFile?: string;
}

export function readNpyDataset(inputs: ArrayInput, targets: ArrayInput, task: DatasetTask, options: NpyDatasetOptions = {}): Dataset {
  const { dtype = 'float32', inputsFile = 'inputs', targetsFile = 'targets' } = options;
  const inputsFail = (detail: string): never => {
    throw new IoError(inputsFile, detail);
  };
  const targetsFail = (detail: string): never => {
    throw new IoError(targetsFile, detail);
  };
  checkLength(inputs, inputsFail);
  checkLength(targets, targetsFail);
  if (inputs.shape.length !== 2) inputsFail(`inputs must be 2-D [n, d], got shape [${inputs.shape.join(', ')}]`);
  const [count, inputDim] = inputs.shape as [number, number];
  if (count === 0 || inputDim === 0) inputsFail(`inputs of shape [${count}, ${inputDim}] hold no examples`);
  if (targets.shape.length !== 1 && targets.shape.length !== 2) targetsFail(`targets must be [n] or [n, k], got shape [${targets.shape.join(', ')}]`);
  if (targets.shape[0] !== count) targetsFail(`targets have ${targets.shape[0]} rows but the inputs ${count}`);
  const dim = targets.shape[1] ?? 1;
  if (dim === 0) targetsFail('targets of shape [n, 0] have no values');

  const x = allocate(dtype, inputs.data.length);
  copyFinite(inputs.data, x, inputs.shape, inputsFail, 'inputs');
  const description = `${inputsFile} [${count}, ${inputDim}] → ${targetsFile} [${targets.shape.join(', ')}] (${task})`;

  if (task === 'classes') {
    if (dim !== 1) targetsFail(`class targets must be [n] (or [n, 1]), got shape [${targets.shape.join(', ')}]`);
    const labels = new Int32Array(count);
    let classes = 0;
    for (let i = 0; i < count; i++) {
      const y = targets.data[i]!;
      if (!Number.isInteger(y) || y < 0 || y > 2 ** 31 - 1) targetsFail(`targets[${i}] is ${y}; class labels must be non-negative integers`);
      labels[i] = y;
      classes = Math.max(classes, y + 1);
    }
    return { count, inputDim, inputs: x, targets: { kind: 'classes', classes, data: labels }, description };
  }
  const y = allocate(dtype, targets.data.length);
  copyFinite(targets.data, y, targets.shape, targetsFail, 'targets');
  if (task === 'binary') {
    const bad = y.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0) targetsFail(`${indexText('targets', bad, targets.shape)} is ${y[bad]}; binary targets must be 0 or 1`);
  }
  return { count, inputDim, inputs: x, targets: { kind: 'values', dim, data: y }, description };
}

function checkLength(array: ArrayInput, fail: (detail: string) => never): void {
  if (!array.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`shape [${array.shape.join(', ')}] is not a list of non-negative integers`);
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) fail(`shape [${array.shape.join(', ')}] has ${count} elements but the data ${array.data.length}`);
}

/** Copies `from` into `to`; the first value that is not finite (before or after rounding to the dtype) is an error. */
function copyFinite(from: ArrayLike<number>, to: ReturnType<typeof allocate>, shape: readonly number[], fail: (detail: string) => never, name: string): void {
  for (let i = 0; i < from.length; i++) {
    to[i] = from[i]!;
    if (!Number.isFinite(to[i]!)) fail(`${indexText(name, i, shape)} is ${from[i]}${Number.isFinite(from[i]!) ? ', out of range for the dtype' : ''}`);
  }
}

/** "inputs[3, 1]" for flat index 7 of a [n, 2] array. */
function indexText(name: string, flat: number, shape: readonly number[]): string {
  const cols = shape[1];
  return cols === undefined ? `${name}[${flat}]` : `${name}[${Math.floor(flat / cols)}, ${flat % cols}]`;
}
