/**
 * torch.nn.init.orthogonal_ — Saxe, McClelland & Ganguli (2013), "Exact
 * solutions to the nonlinear dynamics of learning in deep linear neural
 * networks": a (semi-)orthogonal weight preserves the norm of every input
 * direction, so deep linear stacks neither shrink nor blow up signals.
 *
 * As torch: view the tensor as rows × cols (cols = numel/rows), fill a matrix
 * of that shape with N(0, 1), transpose it if rows < cols so that it is tall,
 * take its QR factorization, and multiply each column of Q by sign(R_jj). That
 * sign fix makes Q Haar-distributed (Mezzadri 2007, "How to generate random
 * matrices from the classical compact groups"). Transpose back and scale by gain.
 *
 * Result: QᵀQ = gain²·I when rows ≥ cols, QQᵀ = gain²·I otherwise.
 *
 * Theory. Q's columns (tall case) are the first min(rows, cols) columns of a
 * Haar-random n×n orthogonal matrix, n = max(rows, cols); each column is
 * uniform on the sphere S^{n−1}, so every entry is gain × one coordinate of a
 * uniform point on S^{n−1}: x²/gain² ~ Beta(½, (n−1)/2), mean 0, std gain/√n
 * (see sphereCoordinateDistribution). Entries are dependent (each column has
 * norm gain exactly); the marginal is exact.
 */
import type { DenseTensor } from '../tensor/dtype';
import { normalFill, type TorchGenerator } from '../random';
import { sphereCoordinateDistribution } from '../stats/distribution';
import { ValueError } from './errors';
import { calculateFanInAndFanOut } from './fans';
import { thinQr } from './qr';
import { makeTheory, type Theory } from './theory';

export interface OrthogonalOptions {
  /** Scaling factor (default 1). */
  gain?: number;
}

export function orthogonal_(tensor: DenseTensor, rng: TorchGenerator, options: OrthogonalOptions = {}): DenseTensor {
  const gain = options.gain ?? 1;
  const { rows, cols } = orthogonalShape(tensor.shape);
  const data = tensor.data;
  if (data.length === 0) return tensor; // torch: no-op
  // torch: flattened = tensor.new(rows, cols).normal_(0, 1), in the tensor's dtype (the exact draw);
  // the QR below is in double, where torch's LAPACK works in the dtype: the two agree to its rounding.
  const drawn = data instanceof Float32Array ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  normalFill(rng, drawn, 0, 1);
  const flattened = Float64Array.from(drawn);
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const k = tall ? cols : rows;
  const { q, rDiagonal } = thinQr(tall ? flattened : transpose(flattened, rows, cols), m, k);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // Q is m×k; entry (r, c) of the tensor is Q[r, c] (tall) or Q[c, r] (wide).
      const qi = tall ? r : c;
      const qj = tall ? c : r;
      // sign(R_jj); R_jj = 0 happens with probability 0 (torch would zero that column).
      const sign = rDiagonal[qj]! < 0 ? -1 : 1;
      data[r * cols + c] = gain * sign * q[qi * k + qj]!;
    }
  }
  return tensor;
}

export function orthogonalTheory(shape: readonly number[], options: OrthogonalOptions = {}): Theory {
  const gain = options.gain ?? 1;
  const { rows, cols } = orthogonalShape(shape);
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape);
  const n = Math.max(rows, cols);
  return makeTheory('orthogonal', { gain, n }, sphereCoordinateDistribution(n, gain), { fanIn, fanOut, gain });
}

function orthogonalShape(shape: readonly number[]): { rows: number; cols: number } {
  if (shape.length < 2) throw new ValueError('Only tensors with 2 or more dimensions are supported');
  const rows = shape[0]!;
  let total = 1;
  for (const d of shape) total *= d;
  return { rows, cols: rows === 0 ? 0 : total / rows };
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c]!;
  return t;
}
