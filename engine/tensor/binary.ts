/**
 * Elementwise arithmetic a ∘ b with the three operand layouts the engine
 * needs (a subset of torch broadcasting, where `b` is the one broadcast):
 *   - b a number, or a one-element tensor of shape [] or [1]  (scalar)
 *   - b the same shape as a
 *   - b 1-D of length a.shape[-1]  (row broadcast: b is added to every row,
 *     e.g. a bias)
 * All three are the same loop: a is viewed as rows of length L = b.length
 * and row r, column j uses b[j].
 *
 * Each result is one IEEE operation on the operands rounded to the dtype, so
 * float32 results are bit-identical to torch's CPU kernels.
 */
import { allocate, scratch64, type DType, type FloatArray } from './dtype';
import { commonDtype, fromFloat64, opResult, zerosLike } from './op';
import { formatShape, lastDim, shapesEqual } from './shape';
import { Tensor } from './tensor';

type Operand = Tensor | number;

interface Broadcast {
  /** b's values, length L. */
  b: FloatArray;
  /** b's tensor when it is one (then it may need a gradient). */
  bTensor: Tensor | null;
}

/** Whether the backward pass must produce a gradient for b. */
function needsGrad(bTensor: Tensor | null): bTensor is Tensor {
  return bTensor !== null && bTensor.requiresGrad;
}

function broadcastOperand(op: string, a: Tensor, b: Operand): Broadcast {
  if (typeof b === 'number') {
    const data = allocate(a.dtype, 1);
    data[0] = b; // a Python scalar is cast to the tensor's dtype, as torch does for wrapped numbers
    return { b: data, bTensor: null };
  }
  commonDtype(op, a, b);
  const isScalar = b.numel === 1 && b.ndim <= 1;
  const isSameShape = shapesEqual(a.shape, b.shape);
  const isRow = b.ndim === 1 && a.ndim >= 1 && b.shape[0] === lastDim(a.shape);
  if (!isScalar && !isSameShape && !isRow) {
    throw new RangeError(`${op}: cannot broadcast ${formatShape(b.shape)} to ${formatShape(a.shape)}`);
  }
  return { b: b.data, bTensor: b };
}

/**
 * Σ over rows: the gradient of a broadcast operand of length L, accumulated
 * in float64 and rounded once into `dtype`.
 */
function sumRows(g: ArrayLike<number>, length: number, dtype: DType): FloatArray {
  const acc = scratch64(length);
  for (let offset = 0; offset < g.length; offset += length) {
    for (let j = 0; j < length; j++) acc[j] += g[offset + j]!;
  }
  return fromFloat64(acc, dtype);
}

/** a + b.  ∂/∂a = 1, ∂/∂b = 1 (summed over broadcast rows). */
export function add(a: Tensor, b: Operand): Tensor {
  const { b: bd, bTensor } = broadcastOperand('add', a, b);
  const ad = a.data;
  const out = zerosLike(ad);
  const L = bd.length;
  for (let offset = 0; offset < ad.length; offset += L) {
    for (let j = 0; j < L; j++) out[offset + j] = ad[offset + j]! + bd[j]!;
  }
  const inputs = bTensor ? [a, bTensor] : [a];
  return opResult('AddBackward', out, a.shape, inputs, (g) => [
    g,
    needsGrad(bTensor) ? (g.length === L ? g : sumRows(g, L, a.dtype)) : null,
  ]);
}

/** a − b.  ∂/∂a = 1, ∂/∂b = −1. */
export function sub(a: Tensor, b: Operand): Tensor {
  const { b: bd, bTensor } = broadcastOperand('sub', a, b);
  const ad = a.data;
  const out = zerosLike(ad);
  const L = bd.length;
  for (let offset = 0; offset < ad.length; offset += L) {
    for (let j = 0; j < L; j++) out[offset + j] = ad[offset + j]! - bd[j]!;
  }
  const inputs = bTensor ? [a, bTensor] : [a];
  return opResult('SubBackward', out, a.shape, inputs, (g) => {
    if (!needsGrad(bTensor)) return [g, null];
    const gb = sumRows(g, L, a.dtype);
    for (let j = 0; j < L; j++) gb[j] = -gb[j]!;
    return [g, gb];
  });
}

/** a · b.  ∂/∂a = b, ∂/∂b = a. */
export function mul(a: Tensor, b: Operand): Tensor {
  const { b: bd, bTensor } = broadcastOperand('mul', a, b);
  const ad = a.data;
  const out = zerosLike(ad);
  const L = bd.length;
  for (let offset = 0; offset < ad.length; offset += L) {
    for (let j = 0; j < L; j++) out[offset + j] = ad[offset + j]! * bd[j]!;
  }
  const inputs = bTensor ? [a, bTensor] : [a];
  return opResult('MulBackward', out, a.shape, inputs, (g) => {
    let ga: FloatArray | null = null;
    if (a.requiresGrad) {
      ga = zerosLike(g);
      for (let offset = 0; offset < g.length; offset += L) {
        for (let j = 0; j < L; j++) ga[offset + j] = g[offset + j]! * bd[j]!;
      }
    }
    if (!needsGrad(bTensor)) return [ga, null];
    const gbFull = zerosLike(g);
    for (let i = 0; i < g.length; i++) gbFull[i] = g[i]! * ad[i]!;
    return [ga, gbFull.length === L ? gbFull : sumRows(gbFull, L, a.dtype)];
  });
}

/** a / b.  ∂/∂a = 1/b, ∂/∂b = −a/b². */
export function div(a: Tensor, b: Operand): Tensor {
  const { b: bd, bTensor } = broadcastOperand('div', a, b);
  const ad = a.data;
  const out = zerosLike(ad);
  const L = bd.length;
  for (let offset = 0; offset < ad.length; offset += L) {
    for (let j = 0; j < L; j++) out[offset + j] = ad[offset + j]! / bd[j]!;
  }
  const inputs = bTensor ? [a, bTensor] : [a];
  return opResult('DivBackward', out, a.shape, inputs, (g) => {
    let ga: FloatArray | null = null;
    if (a.requiresGrad) {
      ga = zerosLike(g);
      for (let offset = 0; offset < g.length; offset += L) {
        for (let j = 0; j < L; j++) ga[offset + j] = g[offset + j]! / bd[j]!;
      }
    }
    if (!needsGrad(bTensor)) return [ga, null];
    // Kept in float64 until sumRows rounds the row sums once.
    const gbFull = scratch64(g.length);
    for (let offset = 0; offset < g.length; offset += L) {
      for (let j = 0; j < L; j++) {
        const bj = bd[j]!;
        gbFull[offset + j] = (-g[offset + j]! * ad[offset + j]!) / (bj * bj);
      }
    }
    return [ga, sumRows(gbFull, L, a.dtype)];
  });
}
