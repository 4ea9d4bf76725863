/**
 * Draws a model's initial parameters as PyTorch would.
 *
 * Mirrors what happens in torch: constructing each module runs its
 * `reset_parameters` (nn.Linear: weight `kaiming_uniform_(a=√5)`, bias
 * U(±1/√fan_in); nn.LayerNorm: weight 1, bias 0; …, see engine/modules), and
 * then the model's own initializers (the file's `init`, the Python code's
 * `nn.init.*_` calls) overwrite what they name. Parameters come out in
 * `parameters()` order with `state_dict` names, a tied tensor once.
 */
import { materialize, scheduleDraws } from '../modules/materialize';
import type { Theory } from '../init/theory';
import type { TorchGenerator } from '../random';
import type { DType, FloatArray } from '../tensor/dtype';
import { modelTensors } from './moduleTree';
import type { ModelSpec } from './spec';
import { numelOf, type TensorEntry } from '../modules/tree';

export { describeCall } from '../modules/materialize';

export interface InitializedParameter {
  /** `state_dict` name, e.g. `fc1.weight`. */
  name: string;
  shape: number[];
  data: FloatArray;
  /** The initializer call as torch spells it, e.g. `kaiming_uniform_(a=√5)`. */
  initializer: string;
  origin: 'torch default' | 'model file' | 'checkpoint';
  /** The distribution the values were drawn from; null for values loaded from a checkpoint. */
  theory: Theory | null;
}

/** Values by `state_dict` name that replace the drawn ones (a checkpoint); shapes were checked by the caller. */
export type InitialValues = ReadonlyMap<string, { data: ArrayLike<number> }>;

export function initializeParameters(spec: ModelSpec, rng: TorchGenerator, dtype: DType = 'float32', checkpoint?: InitialValues, checkpointLabel = 'init_from'): InitializedParameter[] {
  const out: InitializedParameter[] = [];
  forEachInitialTensor(spec, rng, dtype, (_entry, p) => out.push(p), { parametersOnly: true, checkpoint, checkpointLabel });
  return out;
}

/**
 * Every tensor of the model as torch's constructor leaves it, parameters and persistent buffers (a BatchNorm's
 * running statistics, a buffer drawn with `torch.randn`), in `state_dict` order; a checkpoint overwrites both, as
 * `load_state_dict` does. A forward graph reads buffers, so it is built from these.
 */
export function initializeTensors(spec: ModelSpec, rng: TorchGenerator, dtype: DType = 'float32', checkpoint?: InitialValues, checkpointLabel = 'init_from'): InitializedParameter[] {
  const out: InitializedParameter[] = [];
  forEachInitialTensor(spec, rng, dtype, (_entry, p) => out.push(p), { checkpoint, checkpointLabel });
  return out;
}

export interface EachTensorOptions {
  /** Leave buffers out (training and the optimizer see parameters only). */
  parametersOnly?: boolean;
  checkpoint?: InitialValues;
  checkpointLabel?: string;
  /**
   * Draw every tensor into one buffer, reused (a view of its first numel
   * entries, zeroed as a fresh array is): the caller must be done with a
   * tensor's `data` before asking for the next one. A large model then
   * allocates its largest tensor once instead of a fresh array per tensor,
   * whose pages the kernel would fault in and zero again each time.
   */
  reuseBuffer?: boolean;
}

/**
 * Draws the model's tensors one at a time in `state_dict` order and hands
 * each to `visit`, which must not keep `data` if memory matters: a model of
 * 124M parameters then never holds more than its largest tensor. A tied name
 * is visited once, under the first name met.
 */
export function forEachInitialTensor(spec: ModelSpec, rng: TorchGenerator, dtype: DType, visit: (entry: TensorEntry, p: InitializedParameter) => void, options: EachTensorOptions = {}): void {
  for (const [entry, p] of initialTensors(spec, rng, dtype, options)) visit(entry, p);
}

/** The tensors of forEachInitialTensor as a sequence, each drawn only when it is asked for (so a caller can pause between tensors). */
export function* initialTensors(spec: ModelSpec, rng: TorchGenerator, dtype: DType, options: EachTensorOptions = {}): Generator<[TensorEntry, InitializedParameter]> {
  const entries = modelTensors(spec);
  // Every fill's generator state, in torch's order; `rng` ends where torch's generator is once the model is built.
  const schedule = scheduleDraws(entries, rng, dtype);
  let buffer: FloatArray | undefined;
  for (const entry of entries) {
    if (entry.sameAs !== undefined || (options.parametersOnly && entry.decl.kind !== 'parameter')) continue;
    if (options.reuseBuffer) {
      const n = numelOf(entry.decl.shape);
      if (!buffer || buffer.length < n) buffer = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    }
    const drawn = materialize(entry.decl, schedule, dtype, buffer);
    let p: InitializedParameter = { name: entry.name, shape: entry.decl.shape, data: drawn.data, initializer: drawn.initializer, origin: drawn.origin, theory: drawn.theory };
    const values = options.checkpoint?.get(entry.name);
    // torch: construct (and initialize) the model, then load_state_dict overwrites every tensor.
    if (values) {
      p.data.set(values.data);
      p = { ...p, initializer: options.checkpointLabel ?? 'init_from', origin: 'checkpoint', theory: null };
    }
    yield [entry, p];
  }
}
