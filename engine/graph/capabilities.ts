/**
 * What the engine's ops can do beyond their names, found by trying them once
 * on tiny tensors: elementwise ops that broadcast in both directions, a
 * matmul with batch dimensions, softmax over any dimension. The op table asks
 * here before it calls an engine function with such arguments, so a
 * capability becomes available the moment the op that has it is merged, and
 * until then the graph check says which one is missing.
 */
import * as tensorOps from '../tensor';
import { Tensor } from '../tensor/tensor';

type Fn = (...args: unknown[]) => unknown;
const ops = tensorOps as unknown as Record<string, Fn | undefined>;

function probe(run: () => boolean): () => boolean {
  let known: boolean | undefined;
  return () => {
    if (known === undefined) {
      try {
        known = run();
      } catch {
        known = false;
      }
    }
    return known;
  };
}

const shapeIs = (t: unknown, shape: number[]): boolean => t instanceof Tensor && t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);

/** add(a (2, 1), b (1, 3)) gives (2, 3): numpy broadcasting of both operands. */
export const canBroadcast = probe(() => shapeIs(ops.add?.(Tensor.zeros([2, 1]), Tensor.zeros([1, 3])), [2, 3]));

/** matmul((2, 1, 2), (2, 2, 3)) gives (2, 1, 3): batch dimensions. */
export const canBatchMatmul = probe(() => shapeIs(ops.matmul?.(Tensor.zeros([2, 1, 2]), Tensor.zeros([2, 2, 3])), [2, 1, 3]));

/** softmax(x, 0) normalizes columns: softmax over a dimension that is not the last. */
export const canSoftmaxAnyDim = probe(() => {
  const y = ops.softmax?.(Tensor.from([0, 0, 0, Math.log(3)], [2, 2], { dtype: 'float64' }), 0);
  if (!(y instanceof Tensor)) return false;
  return Math.abs(y.data[0]! + y.data[2]! - 1) < 1e-12 && Math.abs(y.data[1]! - 0.25) < 1e-12;
});

/** layerNorm over several trailing dimensions: layerNorm(x (1, 2, 2), [2, 2]). */
export const canLayerNormShape = probe(() => shapeIs(ops.layerNorm?.(Tensor.zeros([1, 2, 2]), [2, 2]), [1, 2, 2]));

/** mean over several dimensions at once: mean(x (2, 3, 4), [0, 2]) is (3). */
export const canReduceDims = probe(() => shapeIs(ops.mean?.(Tensor.zeros([2, 3, 4]), [0, 2]), [3]));
