/**
 * A branch of `forward` decided from shapes: the reader takes one side of an
 * `if` whose condition depends on runtime sizes (`if x.dim() == 3:`,
 * `if H % self.window != 0:`) and records the decision as a `weightscope.branch`
 * node on the condition. The node computes nothing; it checks that the
 * condition, on the values the graph is run with, still takes the side read:
 *   - on shapes (the graph check), a number that disagrees is a `BranchMisread`,
 *     which the reader answers by reading the other side; a condition that is a
 *     tensor depends on tensor values, which shapes cannot decide (`BranchOnValues`);
 *   - when the model runs, a condition that disagrees stops the run with the
 *     line, instead of training a graph of the other side.
 */
import { isMeta, UNKNOWN, type MetaValue } from './meta';
import type { OpDef } from './ops';
import { describeValue, isLong, isTensor, type RuntimeValue } from './values';

export const BRANCH_OP = 'weightscope.branch';

/** The condition takes the other side than the one read. */
export class BranchMisread extends Error {
  constructor(readonly key: string, readonly taken: boolean) {
    super(`this condition is ${!taken ? 'true' : 'false'} here, but forward was read taking its ${taken ? 'true' : 'false'} side; the branch depends on the input's shape`);
    this.name = 'BranchMisread';
  }
}

/** The condition is a tensor: which side runs depends on tensor values. */
export class BranchOnValues extends Error {
  constructor() {
    super('this condition depends on the values of a tensor, so which side runs is only known when the model runs; Weightscope reads the branches it can decide from shapes and constants');
    this.name = 'BranchOnValues';
  }
}

/** Python's truth of a condition, or undefined when it is a tensor of several values (torch raises). */
function truth(v: RuntimeValue): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isTensor(v) || isLong(v)) {
    if (v.data.length !== 1) throw new RangeError(`Boolean value of Tensor with more than one value is ambiguous (${describeValue(v)})`);
    return v.data[0] !== 0;
  }
  return true;
}

export const branchOp: OpDef = {
  signature: 'condition, taken, key',
  run: (b) => {
    const taken = b.get('taken') === true;
    if (truth(b.get('condition')) !== taken) throw new BranchMisread(String(b.get('key')), taken);
    return null;
  },
  shape: (b) => {
    const c = b.get('condition') as MetaValue;
    if (c === UNKNOWN) return null;
    if (isMeta(c)) throw new BranchOnValues();
    const taken = b.get('taken') === true;
    if (truth(c as RuntimeValue) !== taken) throw new BranchMisread(String(b.get('key')), taken);
    return null;
  },
};
