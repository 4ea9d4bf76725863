/**
 * The values a forward graph computes with when it runs: float tensors (the
 * engine's autograd `Tensor`), integer tensors (token ids, class targets,
 * `torch.arange`), Python numbers, strings, booleans, None, tuples, and the
 * slices and `...` of a subscript.
 *
 * Integer tensors follow the engine's class targets (`crossEntropyLoss`
 * takes them as an `ArrayLike<number>` of indices): an `Int32Array` with a
 * shape, never differentiated. torch's int64 ids fit in 32 bits for every
 * vocabulary and class count a model here can have.
 */
import { formatShape } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';

export class LongTensor {
  constructor(readonly data: Int32Array, readonly shape: readonly number[]) {
    let n = 1;
    for (const d of shape) n *= d;
    if (n !== data.length) throw new RangeError(`LongTensor: shape ${formatShape(shape)} needs ${n} elements, got ${data.length}`);
  }

  get ndim(): number {
    return this.shape.length;
  }
}

export interface SliceValue {
  kind: 'slice';
  start: number | null;
  stop: number | null;
  step: number | null;
}

export interface EllipsisValue {
  kind: 'ellipsis';
}

export type RuntimeValue = Tensor | LongTensor | number | string | boolean | null | SliceValue | EllipsisValue | RuntimeValue[];

export function isTensor(v: RuntimeValue | undefined): v is Tensor {
  return v instanceof Tensor;
}

export function isLong(v: RuntimeValue | undefined): v is LongTensor {
  return v instanceof LongTensor;
}

/** How a value reads in a message: `tensor (4, 64, 128)`, `3`, `(2, 3)`. */
export function describeValue(v: RuntimeValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (v instanceof Tensor) return `a tensor of shape ${formatShape(v.shape)}`;
  if (v instanceof LongTensor) return `an integer tensor of shape ${formatShape(v.shape)}`;
  if (Array.isArray(v)) return `(${v.map(describeValue).join(', ')})`;
  if (typeof v === 'object') return v.kind === 'slice' ? 'a slice' : '...';
  return typeof v === 'string' ? `'${v}'` : String(v);
}
