/**
 * reshape: the same elements under another shape (storage order unchanged,
 * since every tensor is contiguous). One dimension may be −1 (inferred).
 * The gradient is the upstream gradient reshaped back, i.e. the same array.
 */
import { numel } from './dtype';
import { opResult } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const inferred = shape.indexOf(-1);
  const resolved = [...shape];
  if (inferred >= 0) {
    const known = numel(shape.filter((_, i) => i !== inferred));
    resolved[inferred] = known === 0 ? 0 : x.numel / known;
  }
  if (numel(resolved) !== x.numel || resolved.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(`reshape: cannot view ${formatShape(x.shape)} as ${formatShape(shape)}`);
  }
  // Share storage, as torch.reshape on a contiguous tensor returns a view.
  return opResult('ViewBackward', x.data, resolved, [x], (g) => [g]);
}
