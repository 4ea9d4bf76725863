/**
 * Matrix products: `matmul` (any ranks, batched with broadcasting, as
 * Python's `@`), `bmm`, and `linear` (torch.nn.functional.linear).
 * Arithmetic and summation order: see gemm.ts (the operands' precision,
 * textbook order). A batch dimension an operand is broadcast along gets its
 * gradient summed in float64 and rounded once (broadcast.ts).
 */
import { broadcastShapes, planBroadcast, reduceToShape } from './broadcast';
import { allocateUnset, numel, scratch64, type FloatArray } from './dtype';
import { gemmNN, gemmNT, gemmTN } from './gemm';
import { commonDtype, opResult } from './op';
import { reshape } from './reshape';
import { columnSumsWasm, STRIDED_WASM_MIN_LENGTH } from './stridedWasm';
import { formatShape, lastDim } from './shape';
import { Tensor } from './tensor';

/**
 * `torch.matmul(a, b)` (Python's `a @ b`), with torch's rules for ranks:
 *   - 1-D · 1-D: the dot product (0-D);
 *   - 2-D · 2-D: C = A·B for A [m, k], B [k, n];
 *   - a 1-D operand is made a matrix ([k] → [1, k] on the left, [k, 1] on the
 *     right) and that dimension is dropped from the result;
 *   - otherwise a batch of matrix products, the batch dimensions (all but
 *     the last two) broadcast together ([B, H, T, D] @ [B, H, D, T], or
 *     [B, T, C] @ [C, N]: a batched left operand against one matrix is a
 *     single [B·T, C] · [C, N] product, as torch folds it).
 * Per matrix: ∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G  (G = ∂L/∂C), summed over the
 * batch dimensions an operand was broadcast along.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const dtype = commonDtype('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) throw new RangeError('matmul: both arguments need at least 1 dimension, got a 0-D tensor');
  if (a.ndim === 2 && b.ndim === 2) return matmul2d(a, b);
  const left = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const right = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const product = left.ndim === 2 && right.ndim === 2 ? matmul2d(left, right) : batchedMatmul(left, right, dtype);
  if (a.ndim > 1 && b.ndim > 1) return product;
  const shape = [...product.shape];
  if (b.ndim === 1) shape.pop();
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return reshape(product, shape);
}

/** `torch.bmm(a, b)`: [B, m, k] · [B, k, n] with equal batch sizes. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new RangeError(`bmm: expected [B, m, k] and [B, k, n], got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  return matmul(a, b);
}

/** C = A·B for A [m, k] and B [k, n]. */
function matmul2d(a: Tensor, b: Tensor): Tensor {
  const dtype = commonDtype('matmul', a, b);
  if (a.shape[1] !== b.shape[0]) {
    throw new RangeError(`matmul: expected [m, k] @ [k, n], got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const c = allocateUnset(dtype, m * n);
  gemmNN(a.data, b.data, m, k, n, c);
  return opResult('MmBackward', c, [m, n], [a, b], (g) => {
    let ga: FloatArray | null = null;
    let gb: FloatArray | null = null;
    if (a.requiresGrad) {
      ga = allocateUnset(dtype, m * k);
      gemmNT(g, b.data, m, n, k, ga); // G[m×n] · B[k×n]ᵀ
    }
    if (b.requiresGrad) {
      gb = allocateUnset(dtype, k * n);
      gemmTN(a.data, g, k, m, n, gb); // A[m×k]ᵀ · G[m×n]
    }
    return [ga, gb];
  });
}

/** Batched product of a [..., m, k] and b [..., k, n] (each at least 2-D, one of them more). */
function batchedMatmul(a: Tensor, b: Tensor, dtype: Tensor['dtype']): Tensor {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) throw new RangeError(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${k} vs ${k2})`);
  if (b.ndim === 2) {
    // [..., m, k] · [k, n]: the batch folds into the rows of one product.
    const rows = reshape(a, [a.numel / k, k]);
    return reshape(matmul2d(rows, b), [...a.shape.slice(0, -1), n]);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const count = numel(batch);
  // Matrix index of a and b for each product of the batch, via the broadcast plan of the batch shapes.
  const plan = planBroadcast(batch, batchA, batchB);
  const matA = new Int32Array(count);
  const matB = new Int32Array(count);
  for (let r = 0, i = 0; r < plan.offsetsA.length; r++) {
    for (let j = 0; j < plan.inner; j++, i++) {
      matA[i] = plan.offsetsA[r]! + j * plan.innerA;
      matB[i] = plan.offsetsB[r]! + j * plan.innerB;
    }
  }
  const sizeA = m * k;
  const sizeB = k * n;
  const sizeC = m * n;
  const c = allocateUnset(dtype, count * sizeC);
  const ad = a.data;
  const bd = b.data;
  for (let i = 0; i < count; i++) {
    const oa = matA[i]! * sizeA;
    const ob = matB[i]! * sizeB;
    gemmNN(ad.subarray(oa, oa + sizeA), bd.subarray(ob, ob + sizeB), m, k, n, c.subarray(i * sizeC, (i + 1) * sizeC));
  }
  const outShape = [...batch, m, n];
  return opResult('BmmBackward', c, outShape, [a, b], (g) => {
    let ga: FloatArray | null = null;
    let gb: FloatArray | null = null;
    if (a.requiresGrad) {
      const full = allocateUnset(dtype, count * sizeA);
      for (let i = 0; i < count; i++) {
        const ob = matB[i]! * sizeB;
        gemmNT(g.subarray(i * sizeC, (i + 1) * sizeC), bd.subarray(ob, ob + sizeB), m, n, k, full.subarray(i * sizeA, (i + 1) * sizeA));
      }
      ga = reduceToShape(full, [...batch, m, k], a.shape, dtype);
    }
    if (b.requiresGrad) {
      const full = allocateUnset(dtype, count * sizeB);
      for (let i = 0; i < count; i++) {
        const oa = matA[i]! * sizeA;
        gemmTN(ad.subarray(oa, oa + sizeA), g.subarray(i * sizeC, (i + 1) * sizeC), k, m, n, full.subarray(i * sizeB, (i + 1) * sizeB));
      }
      gb = reduceToShape(full, [...batch, k, n], b.shape, dtype);
    }
    return [ga, gb];
  });
}

/**
 * y = x·Wᵀ + b  with torch's layout: W is [out, in], b is [out], x is
 * [*, in] (any number of leading dimensions, flattened to N rows).
 *   ∂L/∂x = G·W,  ∂L/∂W = Gᵀ·x,  ∂L/∂b = Σ_rows G.
 * Each output's sum starts at its bias, then adds the products in order (gemm.ts).
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const dtype = bias ? commonDtype('linear', x, weight, bias) : commonDtype('linear', x, weight);
  if (weight.ndim !== 2 || x.ndim < 1 || lastDim(x.shape) !== weight.shape[1]) {
    throw new RangeError(`linear: input ${formatShape(x.shape)} does not match weight ${formatShape(weight.shape)} ([out, in])`);
  }
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new RangeError(`linear: bias ${formatShape(bias.shape)} does not match ${outFeatures} output features`);
  }
  const rows = x.numel / inFeatures;
  const y = allocateUnset(dtype, rows * outFeatures);
  gemmNT(x.data, weight.data, rows, inFeatures, outFeatures, y, bias?.data ?? null);
  const outShape = [...x.shape.slice(0, -1), outFeatures];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return opResult('AddmmBackward', y, outShape, inputs, (g) => {
    let gx: FloatArray | null = null;
    let gw: FloatArray | null = null;
    let gbias: FloatArray | null = null;
    if (x.requiresGrad) {
      gx = allocateUnset(dtype, rows * inFeatures);
      gemmNN(g, weight.data, rows, outFeatures, inFeatures, gx);
    }
    if (weight.requiresGrad) {
      gw = allocateUnset(dtype, outFeatures * inFeatures);
      gemmTN(g, x.data, outFeatures, rows, inFeatures, gw);
    }
    if (bias?.requiresGrad) {
      gbias = allocateUnset(dtype, outFeatures);
      gbias.set(columnSums(g, rows, outFeatures));
    }
    return [gx, gw, gbias];
  });
}

/**
 * Σ_r G[r, j] for every column j of a row-major [rows × cols] G, in float64,
 * adding the rows in order r = 0, 1, … . Four rows per pass over the
 * accumulator (JavaScript evaluates s + g0 + g1 + g2 + g3 left to right, so
 * the order is that of the one-row loop) cut its loads and stores by four.
 * Large gradients are summed in WebAssembly (stridedWasm.ts), in the same order.
 */
function columnSums(g: FloatArray, rows: number, cols: number): Float64Array {
  const acc = scratch64(cols);
  if (rows * cols >= STRIDED_WASM_MIN_LENGTH && columnSumsWasm(g, rows, cols, acc)) return acc;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const r0 = r * cols;
    const r1 = r0 + cols;
    const r2 = r1 + cols;
    const r3 = r2 + cols;
    for (let j = 0; j < cols; j++) acc[j] = acc[j]! + g[r0 + j]! + g[r1 + j]! + g[r2 + j]! + g[r3 + j]!;
  }
  for (; r < rows; r++) {
    const r0 = r * cols;
    for (let j = 0; j < cols; j++) acc[j] = acc[j]! + g[r0 + j]!;
  }
  return acc;
}
