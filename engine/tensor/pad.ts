/**
 * Padding (torch.nn.functional.pad): `pad` lists (before, after) amounts for
 * the last dimension first, then the one before it, and so on, as torch
 * does: [left, right, top, bottom, …]. Along each padded dimension of size n,
 * output position o reads input position i = o − before, mapped into range
 * by the mode:
 *   constant:  i if 0 ≤ i < n, else `value` (negative amounts crop)
 *   reflect:   −i below 0, 2(n − 1) − i above n − 1 (the edge is not repeated; needs amount < n)
 *   replicate: clamp(i, 0, n − 1)
 *   circular:  i mod n (needs amount ≤ n)
 * Convolutions with padding_mode 'reflect', 'replicate' or 'circular' are
 * this followed by an unpadded convolution, as torch's _ConvNd computes them.
 * The gradient sums g over all outputs that read an input (a reflected or
 * replicated edge is read several times); padded constants get none. Values
 * are copied, so forward and gradient are exact except for the sums (float64
 * accumulation, one rounding).
 */
import { allocate, scratch64 } from './dtype';
import { opResult } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export interface PadOptions {
  mode?: PadMode;
  /** Fill value of 'constant' mode (default 0). */
  value?: number;
}

export function pad(x: Tensor, amounts: readonly number[], options: PadOptions = {}): Tensor {
  const mode = options.mode ?? 'constant';
  const value = options.value ?? 0;
  if (amounts.length % 2 !== 0 || amounts.length / 2 > x.ndim || amounts.some((a) => !Number.isInteger(a))) {
    throw new RangeError(`pad: padding length must be divisible by 2 and at most twice the input's ${x.ndim} dimensions, got ${JSON.stringify(amounts)}`);
  }
  const padded = amounts.length / 2;
  if (mode !== 'constant') {
    // torch pads the trailing 1, 2 or 3 dimensions of a batched or unbatched input in these modes.
    if (padded > 3 || x.ndim < padded + 1 || x.ndim > padded + 2) {
      throw new RangeError(`pad: ${mode} padding of ${padded} dimension(s) needs a ${padded + 1}-D or ${padded + 2}-D input, got ${formatShape(x.shape)}`);
    }
    if (amounts.some((a) => a < 0)) throw new RangeError(`pad: ${mode} padding amounts must be non-negative, got ${JSON.stringify(amounts)}`);
  }
  const shape = [...x.shape];
  // maps[d][o] = the input index read by output position o along dimension d, or −1 for the constant.
  const maps: Int32Array[] = x.shape.map((n, d) => {
    const k = x.ndim - 1 - d; // 0 for the last dimension
    const before = k < padded ? amounts[2 * k]! : 0;
    const after = k < padded ? amounts[2 * k + 1]! : 0;
    const size = n + before + after;
    if (size < 0) throw new RangeError(`pad: dimension ${d} of size ${n} would become ${size}`);
    if (mode === 'reflect' && (before >= n || after >= n) && (before > 0 || after > 0)) {
      throw new RangeError(`pad: reflect padding (${before}, ${after}) must be smaller than the dimension's size ${n}`);
    }
    if (mode === 'circular' && (before > n || after > n)) {
      throw new RangeError(`pad: circular padding (${before}, ${after}) must be at most the dimension's size ${n}`);
    }
    shape[d] = size;
    const map = new Int32Array(size);
    for (let o = 0; o < size; o++) map[o] = sourceIndex(o - before, n, mode);
    return map;
  });
  const R = x.ndim;
  const inStrides = new Array<number>(R).fill(1);
  for (let d = R - 2; d >= 0; d--) inStrides[d] = inStrides[d + 1]! * x.shape[d + 1]!;
  const outCount = shape.reduce((a, b) => a * b, 1);
  // The input offset of every output element, or −1: one pass here, then forward and backward are gathers.
  const source = new Int32Array(outCount);
  if (R === 0) {
    if (outCount === 1) source[0] = 0;
  } else {
    const lastMap = maps[R - 1]!;
    const lastSize = shape[R - 1]!;
    const rows = lastSize === 0 ? 0 : outCount / lastSize;
    const index = new Array<number>(Math.max(0, R - 1)).fill(0);
    for (let r = 0; r < rows; r++) {
      let base = 0;
      for (let d = 0; d < R - 1; d++) {
        const s = maps[d]![index[d]!]!;
        if (s < 0) {
          base = -1;
          break;
        }
        base += s * inStrides[d]!;
      }
      const o = r * lastSize;
      for (let j = 0; j < lastSize; j++) {
        const s = lastMap[j]!;
        source[o + j] = base < 0 || s < 0 ? -1 : base + s;
      }
      for (let d = R - 2; d >= 0; d--) {
        if (++index[d]! < shape[d]!) break;
        index[d] = 0;
      }
    }
  }
  const xs = x.data;
  const y = allocate(x.dtype, outCount);
  for (let o = 0; o < outCount; o++) {
    const s = source[o]!;
    y[o] = s < 0 ? value : xs[s]!;
  }
  return opResult(mode === 'constant' ? 'ConstantPadNdBackward' : 'PadBackward', y, shape, [x], (g) => {
    const acc = scratch64(xs.length);
    for (let o = 0; o < outCount; o++) {
      const s = source[o]!;
      if (s >= 0) acc[s] += g[o]!;
    }
    if (x.dtype === 'float64') return [acc];
    const gx = allocate(x.dtype, xs.length);
    gx.set(acc);
    return [gx];
  });
}

function sourceIndex(i: number, n: number, mode: PadMode): number {
  switch (mode) {
    case 'constant':
      return i >= 0 && i < n ? i : -1;
    case 'reflect':
      return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    case 'replicate':
      return Math.min(Math.max(i, 0), n - 1);
    case 'circular':
      return ((i % n) + n) % n;
  }
}
