/**
 * Resizing (torch.nn.functional.interpolate) of [N, C, L] or [N, C, H, W] in
 * modes 'nearest', 'linear' (1-D) and 'bilinear' (2-D), to a `size` or by a
 * `scaleFactor` (output size ⌊input·scale⌋; the kernel then maps with
 * 1/scale, as torch does when recompute_scale_factor is unset). Each
 * spatial dimension is resized separately, output position o reading:
 *
 *   nearest:  i = min(⌊o·s⌋, n − 1) with s = 1/scale or n/out, computed in float32
 *             as torch's nearest_idx does (o itself when out = n, ⌊o/2⌋ when out = 2n);
 *   linear:   source x = s·o with s = (n − 1)/(out − 1) when align_corners, else
 *             x = max(0, s·(o + ½) − ½) with s = 1/scale or n/out;
 *             i₀ = ⌊x⌋, i₁ = min(i₀ + 1, n − 1), weights 1 − λ and λ = x − i₀ (both on i₀ at the edge).
 *
 * bilinear is the product of the two 1-D weightings. The gradient scatters g
 * back with the same weights, accumulated in float64. float64 agrees with
 * torch to rounding; torch computes float32 weights in float32, so float32
 * agrees to float32 rounding.
 */
import { allocate, scratch64 } from './dtype';
import { opResult } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

export type InterpolateMode = 'nearest' | 'linear' | 'bilinear';

export interface InterpolateOptions {
  /** Output spatial size (one int for every dimension, or one per dimension). */
  size?: number | readonly number[];
  scaleFactor?: number | readonly number[];
  mode?: InterpolateMode;
  /** linear/bilinear only; default false. */
  alignCorners?: boolean;
}

/** Per output position: two input positions and their weights (the second weight 0 for nearest). */
interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w0: Float64Array;
  w1: Float64Array;
}

export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  const mode = options.mode ?? 'nearest';
  const dims = x.ndim - 2;
  if (dims !== 1 && dims !== 2) throw new RangeError(`interpolate: expected a 3-D or 4-D input, got ${formatShape(x.shape)}`);
  if ((mode === 'linear' && dims !== 1) || (mode === 'bilinear' && dims !== 2)) {
    throw new RangeError(`interpolate: mode '${mode}' needs a ${mode === 'linear' ? '3' : '4'}-D input, got ${formatShape(x.shape)}`);
  }
  if (options.alignCorners !== undefined && mode === 'nearest') {
    throw new RangeError('interpolate: align_corners option can only be set with the interpolating modes: linear | bilinear');
  }
  const alignCorners = options.alignCorners ?? false;
  const inSizes = x.shape.slice(2);
  const perDim = (v: number | readonly number[], label: string): number[] => {
    const list = typeof v === 'number' ? new Array<number>(dims).fill(v) : [...v];
    if (list.length !== dims) throw new RangeError(`interpolate: ${label} must have ${dims} entries, got ${JSON.stringify(v)}`);
    return list;
  };
  if ((options.size === undefined) === (options.scaleFactor === undefined)) throw new RangeError('interpolate: exactly one of size and scale_factor must be given');
  const scales = options.scaleFactor === undefined ? null : perDim(options.scaleFactor, 'scale_factor');
  const outSizes = options.size !== undefined ? perDim(options.size, 'size') : inSizes.map((n, d) => Math.floor(n * scales![d]!));
  if (outSizes.some((v) => !Number.isInteger(v) || v < 1)) throw new RangeError(`interpolate: output size ${JSON.stringify(outSizes)} must be positive integers`);
  const taps = inSizes.map((n, d) => tapsFor(mode, n, outSizes[d]!, scales ? scales[d]! : null, alignCorners));
  // 1-D is 2-D with a height of one.
  const [H, W] = dims === 2 ? (inSizes as [number, number]) : [1, inSizes[0]!];
  const [OH, OW] = dims === 2 ? (outSizes as [number, number]) : [1, outSizes[0]!];
  const rowsTaps = dims === 2 ? taps[0]! : { i0: Int32Array.of(0), i1: Int32Array.of(0), w0: Float64Array.of(1), w1: Float64Array.of(0) };
  const colsTaps = taps[dims - 1]!;
  const planes = x.shape[0]! * x.shape[1]!;
  const xs = x.data;
  const y = allocate(x.dtype, planes * OH * OW);
  for (let p = 0; p < planes; p++) {
    const src = p * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = src + rowsTaps.i0[oh]! * W;
      const r1 = src + rowsTaps.i1[oh]! * W;
      const a0 = rowsTaps.w0[oh]!;
      const a1 = rowsTaps.w1[oh]!;
      const o = (p * OH + oh) * OW;
      for (let ow = 0; ow < OW; ow++) {
        const c0 = colsTaps.i0[ow]!;
        const c1 = colsTaps.i1[ow]!;
        const b0 = colsTaps.w0[ow]!;
        const b1 = colsTaps.w1[ow]!;
        y[o + ow] = a0 * (b0 * xs[r0 + c0]! + b1 * xs[r0 + c1]!) + a1 * (b0 * xs[r1 + c0]! + b1 * xs[r1 + c1]!);
      }
    }
  }
  const name = mode === 'nearest' ? (dims === 2 ? 'UpsampleNearest2DBackward' : 'UpsampleNearest1DBackward') : dims === 2 ? 'UpsampleBilinear2DBackward' : 'UpsampleLinear1DBackward';
  return opResult(name, y, [x.shape[0]!, x.shape[1]!, ...outSizes], [x], (g) => {
    const acc = scratch64(xs.length);
    for (let p = 0; p < planes; p++) {
      const src = p * H * W;
      for (let oh = 0; oh < OH; oh++) {
        const r0 = src + rowsTaps.i0[oh]! * W;
        const r1 = src + rowsTaps.i1[oh]! * W;
        const a0 = rowsTaps.w0[oh]!;
        const a1 = rowsTaps.w1[oh]!;
        const o = (p * OH + oh) * OW;
        for (let ow = 0; ow < OW; ow++) {
          const gv = g[o + ow]!;
          const c0 = colsTaps.i0[ow]!;
          const c1 = colsTaps.i1[ow]!;
          const b0 = colsTaps.w0[ow]!;
          const b1 = colsTaps.w1[ow]!;
          acc[r0 + c0] += a0 * b0 * gv;
          acc[r0 + c1] += a0 * b1 * gv;
          acc[r1 + c0] += a1 * b0 * gv;
          acc[r1 + c1] += a1 * b1 * gv;
        }
      }
    }
    if (x.dtype === 'float64') return [acc];
    const gx = allocate(x.dtype, xs.length);
    gx.set(acc);
    return [gx];
  });
}

function tapsFor(mode: InterpolateMode, n: number, out: number, scale: number | null, alignCorners: boolean): Taps {
  const taps: Taps = { i0: new Int32Array(out), i1: new Int32Array(out), w0: new Float64Array(out), w1: new Float64Array(out) };
  if (mode === 'nearest') {
    const s = Math.fround(scale !== null && scale > 0 ? 1 / scale : n / out);
    for (let o = 0; o < out; o++) {
      const i = out === n ? o : out === 2 * n ? o >> 1 : Math.min(Math.floor(Math.fround(o * s)), n - 1);
      taps.i0[o] = i;
      taps.i1[o] = i;
      taps.w0[o] = 1;
    }
    return taps;
  }
  const s = alignCorners ? (out > 1 ? (n - 1) / (out - 1) : 0) : scale !== null && scale > 0 ? 1 / scale : n / out;
  for (let o = 0; o < out; o++) {
    const source = alignCorners ? s * o : Math.max(0, s * (o + 0.5) - 0.5);
    const i0 = Math.floor(source); // source < n, so i0 ≤ n − 1
    const lambda = source - i0;
    taps.i0[o] = i0;
    taps.i1[o] = i0 < n - 1 ? i0 + 1 : i0;
    taps.w0[o] = 1 - lambda;
    taps.w1[o] = lambda;
  }
  return taps;
}
