/**
 * Matrix products: `matmul` (2-D @ 2-D) and `linear` (torch.nn.functional.linear).
 * Arithmetic and summation order: see gemm.ts (the operands' precision, textbook order).
 */
import { allocate, scratch64, type FloatArray } from './dtype';
import { gemmNN, gemmNT, gemmTN } from './gemm';
import { commonDtype, opResult } from './op';
import { formatShape, lastDim } from './shape';
import { Tensor } from './tensor';

/**
 * C = A·B for A [m, k] and B [k, n].
 *   ∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G   with G = ∂L/∂C.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const dtype = commonDtype('matmul', a, b);
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    throw new RangeError(`matmul: expected [m, k] @ [k, n], got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const c = allocate(dtype, m * n);
  gemmNN(a.data, b.data, m, k, n, c);
  return opResult('MmBackward', c, [m, n], [a, b], (g) => {
    let ga: FloatArray | null = null;
    let gb: FloatArray | null = null;
    if (a.requiresGrad) {
      ga = allocate(dtype, m * k);
      gemmNT(g, b.data, m, n, k, ga); // G[m×n] · B[k×n]ᵀ
    }
    if (b.requiresGrad) {
      gb = allocate(dtype, k * n);
      gemmTN(a.data, g, k, m, n, gb); // A[m×k]ᵀ · G[m×n]
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
  const y = allocate(dtype, rows * outFeatures);
  gemmNT(x.data, weight.data, rows, inFeatures, outFeatures, y, bias?.data ?? null);
  const outShape = [...x.shape.slice(0, -1), outFeatures];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return opResult('AddmmBackward', y, outShape, inputs, (g) => {
    let gx: FloatArray | null = null;
    let gw: FloatArray | null = null;
    let gbias: FloatArray | null = null;
    if (x.requiresGrad) {
      gx = allocate(dtype, rows * inFeatures);
      gemmNN(g, weight.data, rows, outFeatures, inFeatures, gx);
    }
    if (weight.requiresGrad) {
      gw = allocate(dtype, outFeatures * inFeatures);
      gemmTN(g, x.data, outFeatures, rows, inFeatures, gw);
    }
    if (bias?.requiresGrad) {
      gbias = allocate(dtype, outFeatures);
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
 */
function columnSums(g: FloatArray, rows: number, cols: number): Float64Array {
  const acc = scratch64(cols);
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
