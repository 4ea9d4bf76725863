/**
 * The one place where ops turn freshly computed data into a `Tensor` and,
 * when gradients are wanted, attach the `GradFn` that differentiates them.
 * Custom ops (and tests of the gradient checker) use it too.
 */
import { isGradEnabled } from './autograd';
import { allocate, dtypeOf, type DType, type FloatArray } from './dtype';
import { Tensor } from './tensor';

export type BackwardFn = (gradOutput: FloatArray) => readonly (FloatArray | null)[];
/** GradFn.addInputGradient (tensor.ts): a one-input op's gradient added into a full-size target. */
export type AddInputGradientFn = (gradOutput: FloatArray, target: FloatArray) => void;

/**
 * Wraps `data` as the result of op `name` applied to `inputs`. The result
 * requires grad iff grad mode is on and some input requires grad — then
 * `backward` is kept (with whatever forward values its closure captured).
 */
export function opResult(
  name: string,
  data: FloatArray,
  shape: readonly number[],
  inputs: readonly Tensor[],
  backward: BackwardFn,
  addInputGradient?: AddInputGradientFn,
): Tensor {
  const tracked = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  if (!tracked) return new Tensor(data, shape);
  if (addInputGradient !== undefined && inputs.length !== 1) throw new Error(`${name}: addInputGradient is for one-input ops`);
  return new Tensor(data, shape, true, addInputGradient ? { name, inputs, backward, addInputGradient } : { name, inputs, backward });
}

/** Throws unless all tensors share one dtype (we do not promote types, unlike torch). */
export function commonDtype(op: string, ...tensors: readonly Tensor[]): DType {
  const dtype = tensors[0]!.dtype;
  for (const t of tensors) {
    if (t.dtype !== dtype) throw new TypeError(`${op}: mixed dtypes ${dtype} and ${t.dtype} are not supported`);
  }
  return dtype;
}

/** A function rounding a float64 intermediate to a dtype's precision. */
export type Round = (value: number) => number;

const keepFloat64: Round = (value) => value;

/**
 * Math.fround for float32, the identity for float64: kernels that mirror
 * torch's float32 step-by-step rounding call it after each elementary step.
 */
export function rounderFor(dtype: DType): Round {
  return dtype === 'float32' ? Math.fround : keepFloat64;
}

/** Rounds a float64 number to the storage precision of `dtype`. */
export function roundTo(dtype: DType, value: number): number {
  return dtype === 'float32' ? Math.fround(value) : value;
}

/** A zero-filled array like `data` (same dtype and length). */
export function zerosLike(data: FloatArray): FloatArray {
  return allocate(dtypeOf(data), data.length);
}

/** `values` stored in `dtype`: the float64 scratch itself, or one rounding per element to float32. */
export function fromFloat64(values: Float64Array, dtype: DType): FloatArray {
  return dtype === 'float64' ? values : Float32Array.from(values);
}
