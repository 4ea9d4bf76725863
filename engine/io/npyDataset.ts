/**
 * Datasets from two arrays (typically two `.npy` files): inputs of shape
 * [n, d], or of any rank ([n, C, H, W] images; an integer [n, T] array is
 * token ids), and targets of shape [n] or [n, k] (class targets also
 * [n, T]: one class per position, as a language model's next tokens).
 *
 * Class targets are used as they are, not re-numbered as CSV labels are: an
 * integer array is already the class indices CrossEntropyLoss takes, and
 * re-numbering would silently shift every class above one that happens to be
 * absent from the file.
 */
import type { Dataset, ExtraInputData } from '../data/dataset';
import { allocate, type DType } from '../tensor/dtype';
import { IoError } from './errors';
import type { DatasetTask } from './task';

export interface ArrayInput {
  shape: readonly number[];
  data: ArrayLike<number>;
  /** The file's element type (`int64`, `float32`, …): integer inputs are token ids. */
  dtype?: string;
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
  // Any rank: [n, d] features, [n, C, H, W] images, [n, T] token ids (an integer array).
  if (inputs.shape.length < 2) inputsFail(`inputs must be [n, …] with at least 2 dimensions, got shape [${inputs.shape.join(', ')}]`);
  const count = inputs.shape[0]!;
  const inputShape = inputs.shape.slice(1);
  const inputDim = inputShape.reduce((a, b) => a * b, 1);
  if (count === 0 || inputDim === 0) inputsFail(`inputs of shape [${inputs.shape.join(', ')}] hold no examples`);
  if (targets.shape.length < 1) targetsFail(`targets must be [n, …], got shape [${targets.shape.join(', ')}]`);
  if (targets.shape[0] !== count) targetsFail(`targets have ${targets.shape[0]} rows but the inputs ${count}`);
  if (task !== 'classes' && targets.shape.length > 2) targetsFail(`targets must be [n] or [n, k], got shape [${targets.shape.join(', ')}]`);
  const dim = targets.shape.slice(1).reduce((a, b) => a * b, 1);
  if (dim === 0) targetsFail(`targets of shape [${targets.shape.join(', ')}] have no values`);
  // Integer ids of [n, T] (int16/32/64; uint8 arrays are images).
  const tokens = inputs.dtype !== undefined && /^int(16|32|64)$/.test(inputs.dtype) && inputs.shape.length === 2;

  const x = allocate(dtype, inputs.data.length);
  copyFinite(inputs.data, x, inputs.shape, inputsFail, 'inputs');
  if (tokens) {
    // Ids stay exact in float32 below 2²⁴; a vocabulary is far smaller.
    const bad = x.findIndex((v) => !(v >= 0 && v < 2 ** 24));
    if (bad >= 0) inputsFail(`${indexText('inputs', bad, inputs.shape)} is ${inputs.data[bad]}; token ids must be integers in [0, 2²⁴)`);
  }
  const description = `${inputsFile} [${inputs.shape.join(', ')}] → ${targetsFile} [${targets.shape.join(', ')}] (${task})`;
  const shaped = { ...(inputs.shape.length > 2 || tokens ? { inputShape } : {}), ...(tokens ? { inputKind: 'tokens' as const } : {}) };

  if (task === 'classes') {
    // [n] (or [n, 1]) class indices, or [n, T…]: one per position (a language model's next tokens).
    const perExample = targets.shape.length === 1 || (targets.shape.length === 2 && dim === 1) ? undefined : targets.shape.slice(1);
    const labels = new Int32Array(count * dim);
    let classes = 0;
    for (let i = 0; i < labels.length; i++) {
      const y = targets.data[i]!;
      if (!Number.isInteger(y) || y < 0 || y > 2 ** 31 - 1) targetsFail(`${indexText('targets', i, targets.shape)} is ${y}; class labels must be non-negative integers`);
      labels[i] = y;
      classes = Math.max(classes, y + 1);
    }
    return { count, inputDim, ...shaped, inputs: x, targets: { kind: 'classes', classes, data: labels, ...(perExample ? { shape: perExample } : {}) }, description };
  }
  const y = allocate(dtype, targets.data.length);
  copyFinite(targets.data, y, targets.shape, targetsFail, 'targets');
  if (task === 'binary') {
    const bad = y.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0) targetsFail(`${indexText('targets', bad, targets.shape)} is ${y[bad]}; binary targets must be 0 or 1`);
  }
  return { count, inputDim, ...shaped, inputs: x, targets: { kind: 'values', dim, data: y }, description };
}

/**
 * An array for one of forward's further inputs (`"npy": {…, "action": "actions.npy"}`): `count` rows of any
 * shape; an integer array holds token ids.
 */
export function readNpyExtraInput(array: ArrayInput, count: number, fileName: string, dtype: DType = 'float32'): ExtraInputData {
  const fail = (detail: string): never => {
    throw new IoError(fileName, detail);
  };
  checkLength(array, fail);
  if (array.shape.length < 1 || array.shape[0] !== count) fail(`has shape [${array.shape.join(', ')}]: forward's further inputs need one row per example of the inputs (${count})`);
  const shape = array.shape.slice(1);
  const tokens = array.dtype !== undefined && /^int(16|32|64)$/.test(array.dtype);
  const data = allocate(dtype, array.data.length);
  copyFinite(array.data, data, array.shape, fail, 'values');
  if (tokens) {
    const bad = data.findIndex((v) => !(v >= 0 && v < 2 ** 24));
    if (bad >= 0) fail(`${indexText('values', bad, array.shape)} is ${array.data[bad]}; token ids must be integers in [0, 2²⁴)`);
  }
  return { shape, kind: tokens ? 'tokens' : 'values', data };
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
  if (shape.length <= 1) return `${name}[${flat}]`;
  const index: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  return `${name}[${index.join(', ')}]`;
}
