/**
 * The reverse-mode engine: grad mode and the backward pass over the graph of
 * `GradFn` nodes that ops attach to their results.
 */
import { allocateUnset, dtypeOf, type FloatArray } from './dtype';
import { addIntoWasm, ELEMENTWISE_WASM_MIN_LENGTH } from './elementwiseWasm';
import type { Tensor } from './tensor';

let gradEnabled = true;

/** Whether ops currently record the graph (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording the graph, like `with torch.no_grad():` —
 * for evaluation passes and in-place parameter updates.
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Non-leaf tensors reachable from `root` through tensors that require grad,
 * ordered so that every tensor comes before all the tensors it was computed
 * from (reverse post-order of a depth-first search; iterative, so deep
 * networks cannot overflow the call stack).
 */
function reverseTopologicalOrder(root: Tensor): Tensor[] {
  const postOrder: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: { tensor: Tensor; next: number }[] = [{ tensor: root, next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const inputs = frame.tensor.gradFn?.inputs ?? [];
    if (frame.next < inputs.length) {
      const input = inputs[frame.next++]!;
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push({ tensor: input, next: 0 });
      }
    } else {
      postOrder.push(frame.tensor);
      stack.pop();
    }
  }
  return postOrder.reverse();
}

/** A pending gradient and whether we own its storage (may add into it). */
interface PendingGrad {
  data: FloatArray;
  owned: boolean;
}

/** target += source; large ones in WebAssembly SIMD (elementwiseWasm.ts), with the same bits. */
function addInto(target: FloatArray, source: FloatArray): void {
  if (target.length >= ELEMENTWISE_WASM_MIN_LENGTH && addIntoWasm(target, source)) return;
  for (let i = 0; i < target.length; i++) target[i] += source[i]!;
}

/**
 * Makes a pending gradient ours to add into: a copy unless it already is. A copy from the step's
 * arena, not `slice()`: fresh arrays per step were once the top cost of a transformer's backward.
 */
function own(pending: PendingGrad): void {
  if (pending.owned) return;
  const copy = allocateUnset(dtypeOf(pending.data), pending.data.length); // written in full by set
  copy.set(pending.data);
  pending.data = copy;
  pending.owned = true;
}

/**
 * Propagates `seed` = ∂L/∂root through the graph. The gradient of a tensor
 * used several times is the sum over its uses (multivariate chain rule); the
 * ordering guarantees the sum is complete before the tensor's own `GradFn`
 * runs. Leaves, and intermediate tensors marked with `retainGrad()`,
 * accumulate into `.grad` (added to any previous value).
 */
export function runBackward(root: Tensor, seed: FloatArray): void {
  const pending = new Map<Tensor, PendingGrad>([[root, { data: seed, owned: true }]]);
  for (const tensor of reverseTopologicalOrder(root)) {
    const gradient = pending.get(tensor);
    if (gradient === undefined) continue;
    pending.delete(tensor);
    const gradFn = tensor.gradFn;
    if (gradFn === null || tensor.retainsGrad) accumulateGrad(tensor, gradient.data);
    if (gradFn === null) continue;
    if (gradFn.addInputGradient !== undefined) {
      // A part of its input that already has a gradient: add into that (made ours first) in place.
      const input = gradFn.inputs[0]!;
      const previous = input.requiresGrad ? pending.get(input) : undefined;
      if (previous !== undefined) {
        own(previous);
        gradFn.addInputGradient(gradient.data, previous.data);
        continue;
      }
    }
    const inputGrads = gradFn.backward(gradient.data);
    gradFn.inputs.forEach((input, i) => {
      const g = inputGrads[i];
      if (!input.requiresGrad || g === null || g === undefined) return;
      const previous = pending.get(input);
      if (previous === undefined) {
        pending.set(input, { data: g, owned: false });
      } else {
        own(previous);
        addInto(previous.data, g);
      }
    });
  }
}

/** Adds `gradient` into `tensor.grad` (a fresh copy the first time: it may alias engine buffers). */
function accumulateGrad(tensor: Tensor, gradient: FloatArray): void {
  if (tensor.grad === null) {
    const grad = allocateUnset(tensor.dtype, gradient.length); // written in full by set
    grad.set(gradient);
    tensor.grad = grad;
  } else {
    addInto(tensor.grad, gradient);
  }
}
