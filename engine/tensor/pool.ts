/**
 * Pooling (torch.nn.functional.max_pool1d/2d, avg_pool1d/2d,
 * adaptive_avg_pool1d/2d) over the trailing spatial dimensions of [N, C, H, W]
 * (or [C, H, W], or [N, C, L] / [C, L] in 1-D, which is 2-D with H = 1).
 *
 * Window of output (i, j): rows i·sH − pH + kh·dH (kh < KH) that lie inside
 * the image; likewise columns. Output size, as torch's pooling_output_shape:
 *   O = ⌊(I + 2p − d·(k − 1) − 1 + (ceil ? s − 1 : 0)) / s⌋ + 1,
 *   and with ceil_mode, O − 1 if the last window would start in the right padding ((O − 1)·s ≥ I + p).
 *
 * max:  y = max over the window (a NaN wins, as torch's `val > max || isnan(val)`, which also sends
 *       the gradient to the last NaN; ties keep the first position in row-major order); ∂L/∂x[argmax] += g.
 * avg:  the window is clipped to [−p, I + p) first (its size then is the count with padding),
 *       then to the image; y = Σ window / divisor with divisor = divisor_override, else the count
 *       with padding (count_include_pad) or without; ∂L/∂x[window] += g / divisor.
 * adaptive avg: rows ⌊i·I/O⌋ … ⌈(i + 1)·I/O⌉ − 1 (likewise columns), y = their mean.
 *
 * Max pooling is exact (it selects). Averages are summed in float64 and rounded once; torch sums
 * float32 windows in float32, so float32 averages can differ from torch's in the last ulp.
 */
import { allocate, scratch64, type DType, type FloatArray } from './dtype';
import { expandInts, type IntOrTuple } from './conv';
import { maxPool2x2Wasm } from './maxPoolWasm';
import { opResult } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

export interface MaxPoolOptions {
  kernelSize: IntOrTuple;
  /** Default: the kernel size. */
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  ceilMode?: boolean;
}

export interface AvgPoolOptions {
  kernelSize: IntOrTuple;
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  /** Whether padded positions count in the divisor (default true, as torch). */
  countIncludePad?: boolean;
  /** 2-D only: divide every window by this instead. */
  divisorOverride?: number | null;
}

/** [N·C planes, H, W] of the input, and the output's shape builder. */
interface Planes {
  planes: number;
  H: number;
  W: number;
  outShape(OH: number, OW: number): number[];
}

function planesOf(op: string, x: Tensor, dims: 1 | 2): Planes {
  const lead = x.ndim - dims;
  if (lead !== 1 && lead !== 2) {
    throw new RangeError(`${op}: expected ${dims + 1}-D (unbatched) or ${dims + 2}-D (batched) input, got ${formatShape(x.shape)}`);
  }
  const head = x.shape.slice(0, lead);
  const H = dims === 2 ? x.shape[lead]! : 1;
  const W = x.shape[x.ndim - 1]!;
  if (H < 1 || W < 1) throw new RangeError(`${op}: input ${formatShape(x.shape)} has an empty spatial dimension`);
  return {
    planes: head.reduce((a, b) => a * b, 1),
    H,
    W,
    outShape: (OH, OW) => (dims === 2 ? [...head, OH, OW] : [...head, OW]),
  };
}

/** torch's pooling_output_shape. */
function pooledSize(op: string, input: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode: boolean): number {
  if (pad > kernel / 2) throw new RangeError(`${op}: pad should be at most half of effective kernel size, but got pad=${pad}, kernel_size=${kernel}`);
  let out = Math.floor((input + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= input + pad) out--;
  if (out < 1) throw new RangeError(`${op}: output size is too small (input ${input}, kernel ${kernel}, padding ${pad}, dilation ${dilation})`);
  return out;
}

/** kernel, stride, padding, dilation as [H, W] pairs (1-D: the H entries are 1 / 0). */
function windowParams(op: string, dims: 1 | 2, kernelSize: IntOrTuple, stride: IntOrTuple | null | undefined, padding: IntOrTuple, dilation: IntOrTuple) {
  const lift = (v: number[], fill: number) => (dims === 2 ? v : [fill, v[0]!]);
  const k = lift(expandInts(op, 'kernel_size', kernelSize, dims, 1), 1);
  const emptyStride = stride === null || stride === undefined || (typeof stride !== 'number' && stride.length === 0);
  const s = emptyStride ? k : lift(expandInts(op, 'stride', stride, dims, 1), 1);
  const p = lift(expandInts(op, 'padding', padding, dims, 0), 0);
  const d = lift(expandInts(op, 'dilation', dilation, dims, 1), 1);
  return { k, s, p, d };
}

export function maxPool1d(x: Tensor, options: MaxPoolOptions): Tensor {
  return maxPool('max_pool1d', x, 1, options);
}

export function maxPool2d(x: Tensor, options: MaxPoolOptions): Tensor {
  return maxPool('max_pool2d', x, 2, options);
}

function maxPool(op: string, x: Tensor, dims: 1 | 2, options: MaxPoolOptions): Tensor {
  const { planes, H, W, outShape } = planesOf(op, x, dims);
  const { k, s, p, d } = windowParams(op, dims, options.kernelSize, options.stride, options.padding ?? 0, options.dilation ?? 1);
  const ceil = options.ceilMode ?? false;
  const OH = pooledSize(op, H, k[0]!, s[0]!, p[0]!, d[0]!, ceil);
  const OW = pooledSize(op, W, k[1]!, s[1]!, p[1]!, d[1]!, ceil);
  const y = allocate(x.dtype, planes * OH * OW);
  // Flat input index of each output's maximum, for backward.
  const argmax = new Int32Array(y.length);
  const pair = dims === 2 && k[0] === 2 && k[1] === 2 && s[0] === 2 && s[1] === 2 && p[0] === 0 && p[1] === 0 && d[0] === 1 && d[1] === 1;
  if (pair && !ceil) {
    if (y.length < MAX_POOL_WASM_MIN_OUTPUTS || !maxPool2x2Wasm(x.data, planes, H, W, OH, OW, y, argmax)) maxPool2x2Planes(x.data, planes, H, W, OH, OW, y, argmax);
  }
  else maxPoolPlanes(x.data, planes, H, W, OH, OW, k[0]!, k[1]!, s[0]!, s[1]!, p[0]!, p[1]!, d[0]!, d[1]!, y, argmax);
  const xs = x.data;
  return opResult('MaxPool2DWithIndicesBackward', y, outShape(OH, OW), [x], (g) => {
    const gx = allocate(x.dtype, xs.length);
    for (let i = 0; i < g.length; i++) gx[argmax[i]!] += g[i]!;
    return [gx];
  });
}

/** Outputs below this are pooled in JavaScript: the WebAssembly call and copies cost about a microsecond. */
const MAX_POOL_WASM_MIN_OUTPUTS = 256;

/**
 * max_pool2d(x, 2) (kernel 2, stride 2, no padding, floor mode), the CNNs' usual pooling (in WebAssembly,
 * maxPoolWasm.ts, from MAX_POOL_WASM_MIN_OUTPUTS outputs; this loop is its reference): the general loops
 * with the window unrolled, visiting (h0, w0), (h0, w0 + 1), (h0 + 1, w0), (h0 + 1, w0 + 1) in the same order
 * and with the same test (greater, or NaN), so the maximum and its index are the general loop's.
 */
export function maxPool2x2Planes(xs: FloatArray, planes: number, H: number, W: number, OH: number, OW: number, y: FloatArray, argmax: Int32Array): void {
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let i = 0; i < OH; i++) {
      const top = base + 2 * i * W;
      for (let j = 0; j < OW; j++, o++) {
        const a = top + 2 * j;
        let at = a;
        // The general loop's first comparison (against −∞) always takes the window's first value.
        let best = xs[a]!;
        let v = xs[a + 1]!;
        if (v > best || v !== v) { best = v; at = a + 1; }
        v = xs[a + W]!;
        if (v > best || v !== v) { best = v; at = a + W; }
        v = xs[a + W + 1]!;
        if (v > best || v !== v) { best = v; at = a + W + 1; }
        y[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/** The max-pooling loops, with every size a local number (the hot loop reads no arrays but x). */
function maxPoolPlanes(
  xs: FloatArray, planes: number, H: number, W: number, OH: number, OW: number,
  kH: number, kW: number, sH: number, sW: number, pH: number, pW: number, dH: number, dW: number,
  y: FloatArray, argmax: Int32Array,
): void {
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let i = 0; i < OH; i++) {
      let h0 = i * sH - pH;
      const h1 = Math.min(h0 + (kH - 1) * dH + 1, H);
      while (h0 < 0) h0 += dH;
      for (let j = 0; j < OW; j++, o++) {
        let w0 = j * sW - pW;
        const w1 = Math.min(w0 + (kW - 1) * dW + 1, W);
        while (w0 < 0) w0 += dW;
        let best = -Infinity;
        let at = base + h0 * W + w0;
        for (let h = h0; h < h1; h += dH) {
          const row = base + h * W;
          for (let w = w0; w < w1; w += dW) {
            const v = xs[row + w]!;
            if (v > best || v !== v) {
              best = v;
              at = row + w;
            }
          }
        }
        y[o] = best;
        argmax[o] = at;
      }
    }
  }
}

export function avgPool1d(x: Tensor, options: Omit<AvgPoolOptions, 'divisorOverride'>): Tensor {
  return avgPool('avg_pool1d', x, 1, options);
}

export function avgPool2d(x: Tensor, options: AvgPoolOptions): Tensor {
  return avgPool('avg_pool2d', x, 2, options);
}

/** One output's window, clipped to the image, and its divisor. */
interface AvgWindow {
  h0: number;
  h1: number;
  w0: number;
  w1: number;
  divisor: number;
}

function avgPool(op: string, x: Tensor, dims: 1 | 2, options: AvgPoolOptions): Tensor {
  const { planes, H, W, outShape } = planesOf(op, x, dims);
  const { k, s, p } = windowParams(op, dims, options.kernelSize, options.stride, options.padding ?? 0, 1);
  const ceil = options.ceilMode ?? false;
  const includePad = options.countIncludePad ?? true;
  const override = options.divisorOverride ?? null;
  if (override !== null && !(Number.isInteger(override) && override !== 0)) throw new RangeError(`${op}: divisor must be not zero, got ${override}`);
  const OH = pooledSize(op, H, k[0]!, s[0]!, p[0]!, 1, ceil);
  const OW = pooledSize(op, W, k[1]!, s[1]!, p[1]!, 1, ceil);
  // The windows are the same in every plane.
  const windows: AvgWindow[] = [];
  for (let i = 0; i < OH; i++) {
    for (let j = 0; j < OW; j++) {
      let h0 = i * s[0]! - p[0]!;
      let w0 = j * s[1]! - p[1]!;
      let h1 = Math.min(h0 + k[0]!, H + p[0]!);
      let w1 = Math.min(w0 + k[1]!, W + p[1]!);
      const withPadding = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0);
      w0 = Math.max(w0, 0);
      h1 = Math.min(h1, H);
      w1 = Math.min(w1, W);
      const divisor = override ?? (includePad ? withPadding : (h1 - h0) * (w1 - w0));
      windows.push({ h0, h1, w0, w1, divisor });
    }
  }
  return windowAverage('AvgPool2DBackward', x, planes, H, W, windows, outShape(OH, OW));
}

/** y = Σ window / divisor for every plane and window; ∂L/∂x[window] += g / divisor. */
function windowAverage(name: string, x: Tensor, planes: number, H: number, W: number, windows: readonly AvgWindow[], shape: number[]): Tensor {
  const xs = x.data;
  const per = windows.length;
  const y = allocate(x.dtype, planes * per);
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let o = 0; o < per; o++) {
      const { h0, h1, w0, w1, divisor } = windows[o]!;
      if (h0 >= h1 || w0 >= w1) continue; // torch leaves 0
      let sum = 0;
      for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) sum += xs[base + h * W + w]!;
      y[plane * per + o] = sum / divisor;
    }
  }
  return opResult(name, y, shape, [x], (g) => {
    const gx = allocate(x.dtype, xs.length);
    scatterAverage(g, planes, H, W, windows, gx, x.dtype);
    return [gx];
  });
}

function scatterAverage(g: FloatArray, planes: number, H: number, W: number, windows: readonly AvgWindow[], gx: FloatArray, dtype: DType): void {
  const per = windows.length;
  // Overlapping windows add into the same input; accumulate in float64 when the gradient is float32.
  const acc = dtype === 'float64' ? gx : scratch64(gx.length);
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let o = 0; o < per; o++) {
      const { h0, h1, w0, w1, divisor } = windows[o]!;
      const share = g[plane * per + o]! / divisor;
      for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) acc[base + h * W + w] += share;
    }
  }
  if (acc !== gx) gx.set(acc);
}

/** torch's adaptive output size: an int, or one entry per dimension where null keeps the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

export function adaptiveAvgPool1d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPool('adaptive_avg_pool1d', x, 1, outputSize);
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPool('adaptive_avg_pool2d', x, 2, outputSize);
}

function adaptiveAvgPool(op: string, x: Tensor, dims: 1 | 2, outputSize: AdaptiveSize): Tensor {
  const { planes, H, W, outShape } = planesOf(op, x, dims);
  const sizes = typeof outputSize === 'number' ? new Array<number | null>(dims).fill(outputSize) : [...outputSize];
  if (sizes.length !== dims) throw new RangeError(`${op}: output_size must be ${dims} integers, got ${JSON.stringify(outputSize)}`);
  const resolved = sizes.map((v, i) => v ?? (dims === 2 ? [H, W][i]! : W));
  if (resolved.some((v) => !Number.isInteger(v) || v < 1)) throw new RangeError(`${op}: output_size must be positive integers, got ${JSON.stringify(outputSize)}`);
  const [OH, OW] = dims === 2 ? (resolved as [number, number]) : [1, resolved[0]!];
  const windows: AvgWindow[] = [];
  for (let i = 0; i < OH; i++) {
    const h0 = Math.floor((i * H) / OH);
    const h1 = Math.ceil(((i + 1) * H) / OH);
    for (let j = 0; j < OW; j++) {
      const w0 = Math.floor((j * W) / OW);
      const w1 = Math.ceil(((j + 1) * W) / OW);
      windows.push({ h0, h1, w0, w1, divisor: (h1 - h0) * (w1 - w0) });
    }
  }
  return windowAverage('AdaptiveAvgPool2DBackward', x, planes, H, W, windows, outShape(OH, OW));
}
