/**
 * Seeded synthetic datasets, so that every model can be inspected and trained
 * with no data of its own. Inputs are standard normal, as a standardized real
 * dataset would be; targets come from a fixed random "teacher" network
 * t(x) = W₂·tanh(W₁·x) (W₁ of 32 hidden units, entries N(0, 1/fan_in)), so
 * that there is something learnable beyond a linear fit.
 *
 *   regression   y = t(x) + noise·ε,          ε ~ N(0, 1), one column per output
 *   binary       y = 1[t(x)₀ + noise·ε > 0]   labels in {0, 1} for BCE losses
 *   multiclass   y = argmaxₖ (t(x)ₖ + noise·εₖ)  class indices for CrossEntropyLoss
 *   spiral       2-D two-armed spiral, labels {0, 1} (inputDim must be 2)
 */
import { TorchGenerator } from '../random';
import { allocate, type DType } from '../tensor/dtype';
import type { Dataset } from './dataset';

export type SyntheticTask = 'regression' | 'binary' | 'multiclass' | 'spiral';

export interface SyntheticOptions {
  task: SyntheticTask;
  count: number;
  inputDim: number;
  /** Outputs per example (regression) or classes (multiclass). */
  outputDim: number;
  noise?: number;
  seed?: number;
  dtype?: DType;
}

const TEACHER_HIDDEN = 32;

export function syntheticDataset(options: SyntheticOptions): Dataset {
  const { task, count, inputDim, outputDim, noise = 0.1, seed = 0, dtype = 'float32' } = options;
  if (!(count > 0) || !(inputDim > 0) || !(outputDim > 0)) throw new RangeError('syntheticDataset: count, inputDim and outputDim must be positive');
  const rng = new TorchGenerator(seed);
  if (task === 'spiral') return spiral(rng, count, inputDim, noise, dtype);

  const inputs = allocate(dtype, count * inputDim);
  for (let i = 0; i < inputs.length; i++) inputs[i] = rng.normal();
  const teacherOut = task === 'binary' ? 1 : outputDim;
  const scores = teacher(rng, inputs, count, inputDim, teacherOut);
  for (let i = 0; i < scores.length; i++) scores[i]! += noise * rng.normal();
  const label = `synthetic ${task}, ${count} examples, seed ${seed}`;

  if (task === 'regression') {
    const data = allocate(dtype, count * outputDim);
    data.set(scores);
    return { count, inputDim, inputs, targets: { kind: 'values', dim: outputDim, data }, description: label };
  }
  if (task === 'binary') {
    const data = allocate(dtype, count * outputDim);
    for (let i = 0; i < count; i++) for (let k = 0; k < outputDim; k++) data[i * outputDim + k] = scores[i]! > 0 ? 1 : 0;
    return { count, inputDim, inputs, targets: { kind: 'values', dim: outputDim, data }, description: label };
  }
  const classes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let k = 1; k < outputDim; k++) if (scores[i * outputDim + k]! > scores[i * outputDim + best]!) best = k;
    classes[i] = best;
  }
  return { count, inputDim, inputs, targets: { kind: 'classes', classes: outputDim, data: classes }, description: label };
}

/** t(x) = W₂·tanh(W₁·x) for every row of `inputs`, in float64. */
function teacher(rng: TorchGenerator, inputs: ArrayLike<number>, count: number, inputDim: number, outputs: number): Float64Array {
  const w1 = randomMatrix(rng, TEACHER_HIDDEN, inputDim);
  const w2 = randomMatrix(rng, outputs, TEACHER_HIDDEN);
  const hidden = new Float64Array(TEACHER_HIDDEN);
  const out = new Float64Array(count * outputs);
  for (let i = 0; i < count; i++) {
    for (let h = 0; h < TEACHER_HIDDEN; h++) {
      let z = 0;
      for (let j = 0; j < inputDim; j++) z += w1[h * inputDim + j]! * inputs[i * inputDim + j]!;
      hidden[h] = Math.tanh(z);
    }
    for (let k = 0; k < outputs; k++) {
      let z = 0;
      for (let h = 0; h < TEACHER_HIDDEN; h++) z += w2[k * TEACHER_HIDDEN + h]! * hidden[h]!;
      out[i * outputs + k] = z;
    }
  }
  return out;
}

/** rows × cols with entries N(0, 1/cols): unit-variance outputs for unit-variance inputs. */
function randomMatrix(rng: TorchGenerator, rows: number, cols: number): Float64Array {
  const m = new Float64Array(rows * cols);
  const std = 1 / Math.sqrt(cols);
  for (let i = 0; i < m.length; i++) m[i] = std * rng.normal();
  return m;
}

function spiral(rng: TorchGenerator, count: number, inputDim: number, noise: number, dtype: DType): Dataset {
  if (inputDim !== 2) throw new RangeError(`the spiral dataset is 2-D, but the model takes ${inputDim} inputs`);
  const inputs = allocate(dtype, count * 2);
  const data = allocate(dtype, count);
  for (let i = 0; i < count; i++) {
    const arm = i % 2;
    const r = rng.uniform();
    const angle = 3 * Math.PI * r + arm * Math.PI;
    inputs[2 * i] = r * Math.cos(angle) + noise * rng.normal();
    inputs[2 * i + 1] = r * Math.sin(angle) + noise * rng.normal();
    data[i] = arm;
  }
  return { count, inputDim: 2, inputs, targets: { kind: 'values', dim: 1, data }, description: `synthetic spiral, ${count} examples` };
}
