/**
 * The values of the graph check: a tensor is its shape only (`MetaTensor`),
 * so shapes are inferred through the graph without computing anything, and a
 * mismatch is reported at the line that causes it before training starts.
 * Numbers (`B, T, C = x.size()`) are concrete: the check runs the graph on an
 * example batch shape. `UNKNOWN` is what an op without a shape rule returns;
 * nothing downstream of it is checked.
 */
import { formatShape } from '../tensor/shape';
import type { EllipsisValue, SliceValue } from './values';

export class MetaTensor {
  constructor(readonly shape: readonly number[], readonly long = false) {}

  get ndim(): number {
    return this.shape.length;
  }

  get numel(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  toString(): string {
    return formatShape(this.shape);
  }
}

export const UNKNOWN = Symbol('unknown');

export type MetaValue = MetaTensor | typeof UNKNOWN | number | string | boolean | null | SliceValue | EllipsisValue | MetaValue[];

export function isMeta(v: MetaValue | undefined): v is MetaTensor {
  return v instanceof MetaTensor;
}
