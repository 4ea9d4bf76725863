/**
 * Convolutions (torch.nn.functional.conv1d, conv2d, conv_transpose1d,
 * conv_transpose2d), as im2col + the engine's matrix product.
 *
 * conv2d, input x [N, C, H, W], weight W [OC, C/g, KH, KW], groups g:
 *   y[n, o, i, j] = b[o] + Σ_{c ∈ group(o), kh, kw} W[o, c, kh, kw] · x[n, c, i·sH − pT + kh·dH, j·sW − pL + kw·dW]
 *   OH = ⌊(H + pT + pB − dH·(KH − 1) − 1) / sH⌋ + 1   (likewise OW)
 * Per sample and group this is Y_g[OC/g, OH·OW] = W_g[OC/g, C/g·KH·KW] · cols_g (im2col.ts). Backward,
 * with G = ∂L/∂y:
 *   ∂L/∂x = col2im(W_gᵀ · G_g),   ∂L/∂W_g = Σ_n G_g · cols_gᵀ,   ∂L/∂b[o] = Σ_{n, i, j} G[n, o, i, j].
 * padding 'same' pads dH·(KH − 1) in total, ⌊total/2⌋ before and the rest after, as torch
 * (which pads the extra element on the right/bottom); 'valid' is no padding.
 *
 * conv_transpose2d is the adjoint of conv2d with respect to its input: weight W [C_in, C_out/g, KH, KW],
 *   y = col2im(W_gᵀ · x_g) + b,   OH = (H − 1)·sH − 2·pH + dH·(KH − 1) + output_padding + 1,
 * with ∂L/∂x = conv2d(G, W) (no bias) and ∂L/∂W_g = Σ_n x_g · im2col(G)_gᵀ.
 *
 * padding_mode 'reflect', 'replicate' or 'circular' (nn.Conv*d) is pad.ts's `pad` with that mode followed
 * by an unpadded convolution, which is how torch's _ConvNd.forward computes it.
 *
 * Agreement with torch: float64 follows torch's slow (im2col + gemm) path up to summation
 * order: the bias is added after each product instead of starting it, and weight gradients
 * are summed over samples in float64 (~1e-16 relative). float32 products are float32 sums
 * (gemm.ts); torch's float32 CPU convolutions go through oneDNN, whose blocked summation
 * order differs, so float32 results agree to float32 rounding (~1e-6 relative), not bit for bit.
 */
import { allocate, scratch64, type DType, type FloatArray } from './dtype';
import { gemm } from './gemm';
import { col2im, im2col, type WindowGeometry } from './im2col';
import { isGradEnabled } from './autograd';
import { commonDtype, opResult } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

/** One int for every spatial dimension, or one per dimension. */
export type IntOrTuple = number | readonly number[];

export interface ConvOptions {
  stride?: IntOrTuple;
  /** Symmetric padding per dimension, or 'same' (stride 1 only) / 'valid' (no padding). */
  padding?: IntOrTuple | 'same' | 'valid';
  dilation?: IntOrTuple;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  outputPadding?: IntOrTuple;
  groups?: number;
  dilation?: IntOrTuple;
}

/** `value` expanded to `dims` ints, checked to be integers ≥ `min`. */
export function expandInts(op: string, label: string, value: IntOrTuple, dims: number, min: number): number[] {
  const list = typeof value === 'number' || value.length === 1 ? new Array<number>(dims).fill(typeof value === 'number' ? value : value[0]!) : [...value];
  if (list.length !== dims || list.some((v) => !Number.isInteger(v) || v < min)) {
    throw new RangeError(`${op}: ${label} must be ${dims === 1 ? 'an integer' : `${dims} integers`} ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return list;
}

/** A convolution problem reduced to 2-D (1-D ones have H = KH = 1). */
interface ConvProblem {
  dtype: DType;
  N: number;
  groups: number;
  /** Channels on the im2col side (the input of a convolution, the output of a transposed one). */
  colsChannels: number;
  /** Channels on the other side. */
  otherChannels: number;
  /** Window geometry on the im2col side: C, H, W are the im2col side's, OH, OW the other side's. */
  g: WindowGeometry;
}

/** Checks the ranks of a 1-D (transposed) convolution's operands; whether the input is batched. */
function checkRanks1d(x: Tensor, weight: Tensor, op: string): { batched: boolean } {
  if (weight.ndim !== 3) throw new RangeError(`${op}: weight must be 3-D [out, in/groups, k], got ${formatShape(weight.shape)}`);
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`${op}: expected 2-D (unbatched) or 3-D (batched) input, got ${formatShape(x.shape)}`);
  return { batched: x.ndim === 3 };
}

export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  const op = 'conv1d';
  const { batched } = checkRanks1d(x, weight, op);
  const [N, C, L] = batched ? (x.shape as [number, number, number]) : [1, x.shape[0]!, x.shape[1]!];
  const [OC, Cg, K] = weight.shape as [number, number, number];
  const stride = expandInts(op, 'stride', options.stride ?? 1, 1, 1);
  const dilation = expandInts(op, 'dilation', options.dilation ?? 1, 1, 1);
  const pad = paddings(op, options.padding ?? 0, 1, [K], dilation, stride);
  const problem = convProblem(op, x.dtype, N, C, 1, L, OC, 1, K, options.groups ?? 1, [1, stride[0]!], [0, 0, pad[0]![0], pad[0]![1]], [1, dilation[0]!]);
  checkOperands(op, x, weight, bias, problem, [N, C, L], [OC, Cg, K]);
  const outShape = batched ? [N, OC, problem.g.OW] : [OC, problem.g.OW];
  return convolution('ConvolutionBackward', x, weight, bias, problem, outShape);
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  const op = 'conv2d';
  if (weight.ndim !== 4) throw new RangeError(`${op}: weight must be 4-D [out, in/groups, kH, kW], got ${formatShape(weight.shape)}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`${op}: expected 3-D (unbatched) or 4-D (batched) input, got ${formatShape(x.shape)}`);
  const batched = x.ndim === 4;
  const [N, C, H, W] = batched ? (x.shape as [number, number, number, number]) : [1, x.shape[0]!, x.shape[1]!, x.shape[2]!];
  const [OC, Cg, KH, KW] = weight.shape as [number, number, number, number];
  const stride = expandInts(op, 'stride', options.stride ?? 1, 2, 1);
  const dilation = expandInts(op, 'dilation', options.dilation ?? 1, 2, 1);
  const pad = paddings(op, options.padding ?? 0, 2, [KH, KW], dilation, stride);
  const problem = convProblem(op, x.dtype, N, C, H, W, OC, KH, KW, options.groups ?? 1, stride, [pad[0]![0], pad[0]![1], pad[1]![0], pad[1]![1]], dilation);
  checkOperands(op, x, weight, bias, problem, [N, C, H, W], [OC, Cg, KH, KW]);
  const outShape = batched ? [N, OC, problem.g.OH, problem.g.OW] : [OC, problem.g.OH, problem.g.OW];
  return convolution('ConvolutionBackward', x, weight, bias, problem, outShape);
}

/** [before, after] padding per dimension; 'same' splits dilation·(k − 1) as torch does. */
function paddings(op: string, padding: IntOrTuple | 'same' | 'valid', dims: number, kernel: number[], dilation: number[], stride: number[]): [number, number][] {
  if (padding === 'valid') return kernel.map(() => [0, 0]);
  if (padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new RangeError(`${op}: padding='same' is not supported for strided convolutions`);
    return kernel.map((k, i) => {
      const total = dilation[i]! * (k - 1);
      const before = Math.floor(total / 2);
      return [before, total - before];
    });
  }
  if (typeof padding === 'string') throw new RangeError(`${op}: invalid padding string '${padding}', should be one of {'valid', 'same'}`);
  return expandInts(op, 'padding', padding, dims, 0).map((p) => [p, p]);
}

function convProblem(
  op: string, dtype: DType, N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
  groups: number, stride: number[], pad: number[], dilation: number[],
): ConvProblem {
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`${op}: groups must be a positive integer, got ${groups}`);
  const [padTop, padBottom, padLeft, padRight] = pad as [number, number, number, number];
  const OH = Math.floor((H + padTop + padBottom - dilation[0]! * (KH - 1) - 1) / stride[0]!) + 1;
  const OW = Math.floor((W + padLeft + padRight - dilation[1]! * (KW - 1) - 1) / stride[1]!) + 1;
  if (OH < 1 || OW < 1) {
    throw new RangeError(`${op}: calculated output size (${OH}×${OW}) is too small for input ${H}×${W} (padded ${H + padTop + padBottom}×${W + padLeft + padRight}) and kernel ${KH}×${KW} with dilation ${dilation.join('×')}`);
  }
  return {
    dtype, N, groups, colsChannels: C, otherChannels: OC,
    g: { C, H, W, KH, KW, strideH: stride[0]!, strideW: stride[1]!, padTop, padLeft, dilationH: dilation[0]!, dilationW: dilation[1]!, OH, OW },
  };
}

function checkOperands(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, p: ConvProblem, input: number[], kernel: number[]): void {
  if (bias) commonDtype(op, x, weight, bias);
  else commonDtype(op, x, weight);
  const [OC, Cg] = kernel as [number, number];
  const C = input[1]!;
  if (OC % p.groups !== 0) throw new RangeError(`${op}: weight ${formatShape(weight.shape)} has ${OC} output channels, not divisible by groups=${p.groups}`);
  if (Cg * p.groups !== C) {
    throw new RangeError(`${op}: given groups=${p.groups}, weight of size ${formatShape(weight.shape)}, expected input ${formatShape(x.shape)} to have ${Cg * p.groups} channels, but got ${C} channels instead`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== OC)) throw new RangeError(`${op}: bias ${formatShape(bias.shape)} must be [${OC}]`);
}

/** Adds b[o] to every element of each output channel plane of samples [from, from + N). */
function addChannelBias(y: FloatArray, bias: FloatArray, N: number, channels: number, plane: number, from = 0): void {
  for (let n = from; n < from + N; n++) {
    for (let o = 0; o < channels; o++) {
      const b = bias[o]!;
      const start = (n * channels + o) * plane;
      for (let i = start; i < start + plane; i++) y[i] = y[i]! + b;
    }
  }
}

/**
 * Σ_{n, i} g[n, o, i] per channel o, in float64, rounded once. Each channel's sum runs in the order
 * (n, i); four channels are summed side by side, so that four independent additions are in flight
 * instead of one chain (the same bits as one channel at a time).
 */
function channelSums(g: FloatArray, N: number, channels: number, plane: number, dtype: DType): FloatArray {
  const out = allocate(dtype, channels);
  let o = 0;
  for (; o + 4 <= channels; o += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let n = 0; n < N; n++) {
      const a = (n * channels + o) * plane;
      const b = a + plane, c = b + plane, d = c + plane;
      for (let i = 0; i < plane; i++) {
        s0 += g[a + i]!;
        s1 += g[b + i]!;
        s2 += g[c + i]!;
        s3 += g[d + i]!;
      }
    }
    out[o] = s0;
    out[o + 1] = s1;
    out[o + 2] = s2;
    out[o + 3] = s3;
  }
  for (; o < channels; o++) {
    let s = 0;
    for (let n = 0; n < N; n++) {
      const start = (n * channels + o) * plane;
      for (let i = start; i < start + plane; i++) s += g[i]!;
    }
    out[o] = s;
  }
  return out;
}

/**
 * Y_g = W_g · cols_g per sample and group, into y ([N, OC, OH·OW]); x is the im2col side.
 * Shared by conv2d's forward and conv_transpose2d's input gradient.
 */
function convolveInto(x: FloatArray, w: FloatArray, p: ConvProblem, y: FloatArray, keepColumns = false, bias: FloatArray | null = null): FloatArray | null {
  const { g, groups, N } = p;
  const C = p.colsChannels;
  const OC = p.otherChannels;
  const kernelRows = (C / groups) * g.KH * g.KW; // rows of cols per group
  const OCg = OC / groups;
  const outPlane = g.OH * g.OW;
  const perSample = C * g.KH * g.KW * outPlane;
  const kept = keepColumns ? allocate(p.dtype, N * perSample) : null;
  let cols = kept ?? allocate(p.dtype, perSample);
  for (let n = 0; n < N; n++) {
    if (kept) cols = kept.subarray(n * perSample, (n + 1) * perSample);
    im2col(x, n * C * g.H * g.W, g, cols);
    for (let gi = 0; gi < groups; gi++) {
      const wg = w.subarray(gi * OCg * kernelRows, (gi + 1) * OCg * kernelRows);
      const colsG = cols.subarray(gi * kernelRows * outPlane, (gi + 1) * kernelRows * outPlane);
      const yStart = (n * OC + gi * OCg) * outPlane;
      gemm(wg, kernelRows, 1, colsG, outPlane, 1, OCg, kernelRows, outPlane, y.subarray(yStart, yStart + OCg * outPlane), null);
    }
    // The bias after the sample's products (y = fl(Σ) + b, as before), while its outputs are still in cache.
    if (bias) addChannelBias(y, bias, 1, OC, outPlane, n);
  }
  return kept;
}

/**
 * x += col2im(W_gᵀ · Y_g) per sample and group, x being the im2col side ([N, C, H, W]) and
 * y the other ([N, OC, OH·OW]). Shared by conv2d's input gradient and conv_transpose2d's forward.
 */
function scatterInto(y: FloatArray, w: FloatArray, p: ConvProblem, x: FloatArray): void {
  const { g, groups, N } = p;
  const C = p.colsChannels;
  const OC = p.otherChannels;
  const kernelRows = (C / groups) * g.KH * g.KW;
  const OCg = OC / groups;
  const outPlane = g.OH * g.OW;
  const cols = allocate(p.dtype, C * g.KH * g.KW * outPlane);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const wg = w.subarray(gi * OCg * kernelRows, (gi + 1) * OCg * kernelRows);
      const yStart = (n * OC + gi * OCg) * outPlane;
      const colsG = cols.subarray(gi * kernelRows * outPlane, (gi + 1) * kernelRows * outPlane);
      // colsG[r, j] = Σ_o W_g[o, r] · Y_g[o, j]
      gemm(wg, 1, kernelRows, y.subarray(yStart, yStart + OCg * outPlane), outPlane, 1, kernelRows, OCg, outPlane, colsG, null);
    }
    col2im(cols, g, x, n * C * g.H * g.W);
  }
}

/**
 * ∂L/∂W_g = Σ_n Y_g · cols_gᵀ ([OC/g, C/g·KH·KW] per group, OC = the other side's channels),
 * each sample's product summed into a float64 accumulator and rounded once.
 */
function weightGradient(x: FloatArray, y: FloatArray, p: ConvProblem, keptColumns: FloatArray | null = null): Float64Array {
  const { g, groups, N } = p;
  const C = p.colsChannels;
  const OC = p.otherChannels;
  const kernelRows = (C / groups) * g.KH * g.KW;
  const OCg = OC / groups;
  const outPlane = g.OH * g.OW;
  const perSample = C * g.KH * g.KW * outPlane;
  let cols = keptColumns ?? allocate(p.dtype, perSample);
  const product = allocate(p.dtype, OCg * kernelRows);
  const acc = scratch64(OC * kernelRows);
  for (let n = 0; n < N; n++) {
    if (keptColumns) cols = keptColumns.subarray(n * perSample, (n + 1) * perSample);
    else im2col(x, n * C * g.H * g.W, g, cols);
    for (let gi = 0; gi < groups; gi++) {
      const yStart = (n * OC + gi * OCg) * outPlane;
      const colsG = cols.subarray(gi * kernelRows * outPlane, (gi + 1) * kernelRows * outPlane);
      gemm(y.subarray(yStart, yStart + OCg * outPlane), outPlane, 1, colsG, 1, outPlane, OCg, outPlane, kernelRows, product, null);
      const base = gi * OCg * kernelRows;
      for (let i = 0; i < product.length; i++) acc[base + i] += product[i]!;
    }
  }
  return acc;
}

/**
 * The forward's columns of all samples are kept for the weight gradient (instead of being
 * rebuilt by a second im2col) when they hold at most this many numbers: 64 MB of float32,
 * e.g. the 42 MB of the MNIST example's second convolution at batch 64. Larger layers rebuild
 * them per sample, so memory stays proportional to one sample's columns.
 */
const KEPT_COLUMNS_LIMIT = 1 << 24;

function rounded(acc: Float64Array, dtype: DType): FloatArray {
  if (dtype === 'float64') return acc;
  const out = allocate(dtype, acc.length);
  out.set(acc);
  return out;
}

function convolution(name: string, x: Tensor, weight: Tensor, bias: Tensor | null, p: ConvProblem, outShape: number[]): Tensor {
  const outPlane = p.g.OH * p.g.OW;
  const y = allocate(p.dtype, p.N * p.otherChannels * outPlane);
  const columns = p.N * p.colsChannels * p.g.KH * p.g.KW * outPlane;
  const keep = isGradEnabled() && weight.requiresGrad && columns <= KEPT_COLUMNS_LIMIT;
  const kept = convolveInto(x.data, weight.data, p, y, keep, bias?.data ?? null);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return opResult(name, y, outShape, inputs, (gy) => {
    let gx: FloatArray | null = null;
    if (x.requiresGrad) {
      gx = allocate(p.dtype, x.numel);
      scatterInto(gy, weight.data, p, gx);
    }
    const gw = weight.requiresGrad ? rounded(weightGradient(x.data, gy, p, kept), p.dtype) : null;
    const gb = bias?.requiresGrad ? channelSums(gy, p.N, p.otherChannels, outPlane, p.dtype) : null;
    return [gx, gw, gb];
  });
}

export function convTranspose1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTransposeOptions = {}): Tensor {
  const op = 'conv_transpose1d';
  const { batched } = checkRanks1d(x, weight, op);
  const [N, Cin, L] = batched ? (x.shape as [number, number, number]) : [1, x.shape[0]!, x.shape[1]!];
  const [, Cog, K] = weight.shape as [number, number, number];
  const one = (label: string, v: IntOrTuple | undefined, fallback: number, min: number) => expandInts(op, label, v ?? fallback, 1, min)[0]!;
  const p = transposedProblem(op, x, weight, bias, N, Cin, 1, L, Cog, 1, K, options.groups ?? 1,
    [1, one('stride', options.stride, 1, 1)], [0, one('padding', options.padding, 0, 0)],
    [0, one('output_padding', options.outputPadding, 0, 0)], [1, one('dilation', options.dilation, 1, 1)]);
  const outShape = batched ? [N, p.colsChannels, p.g.W] : [p.colsChannels, p.g.W];
  return transposedConvolution(x, weight, bias, p, outShape);
}

export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTransposeOptions = {}): Tensor {
  const op = 'conv_transpose2d';
  if (weight.ndim !== 4) throw new RangeError(`${op}: weight must be 4-D [in, out/groups, kH, kW], got ${formatShape(weight.shape)}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`${op}: expected 3-D (unbatched) or 4-D (batched) input, got ${formatShape(x.shape)}`);
  const batched = x.ndim === 4;
  const [N, Cin, H, W] = batched ? (x.shape as [number, number, number, number]) : [1, x.shape[0]!, x.shape[1]!, x.shape[2]!];
  const [, Cog, KH, KW] = weight.shape as [number, number, number, number];
  const p = transposedProblem(op, x, weight, bias, N, Cin, H, W, Cog, KH, KW, options.groups ?? 1,
    expandInts(op, 'stride', options.stride ?? 1, 2, 1), expandInts(op, 'padding', options.padding ?? 0, 2, 0),
    expandInts(op, 'output_padding', options.outputPadding ?? 0, 2, 0), expandInts(op, 'dilation', options.dilation ?? 1, 2, 1));
  const outShape = batched ? [N, p.colsChannels, p.g.H, p.g.W] : [p.colsChannels, p.g.H, p.g.W];
  return transposedConvolution(x, weight, bias, p, outShape);
}

/**
 * The transposed convolution as the convolution it is the adjoint of: that convolution's
 * input (the im2col side) is our output [N, C_out, OH, OW], its output our input.
 */
function transposedProblem(
  op: string, x: Tensor, weight: Tensor, bias: Tensor | null, N: number, Cin: number, H: number, W: number,
  Cog: number, KH: number, KW: number, groups: number, stride: number[], padding: number[], outputPadding: number[], dilation: number[],
): ConvProblem {
  if (bias) commonDtype(op, x, weight, bias);
  else commonDtype(op, x, weight);
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`${op}: groups must be a positive integer, got ${groups}`);
  if (weight.shape[0] !== Cin) throw new RangeError(`${op}: weight ${formatShape(weight.shape)} expects ${weight.shape[0]} input channels, input ${formatShape(x.shape)} has ${Cin}`);
  if (Cin % groups !== 0) throw new RangeError(`${op}: ${Cin} input channels are not divisible by groups=${groups}`);
  for (let i = 0; i < 2; i++) {
    if (outputPadding[i]! >= stride[i]! && outputPadding[i]! >= dilation[i]!) {
      throw new RangeError(`${op}: output padding must be smaller than either stride or dilation, got output_padding ${outputPadding[i]}, stride ${stride[i]}, dilation ${dilation[i]}`);
    }
  }
  const Cout = Cog * groups;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== Cout)) throw new RangeError(`${op}: bias ${formatShape(bias.shape)} must be [${Cout}]`);
  const OH = (H - 1) * stride[0]! - 2 * padding[0]! + dilation[0]! * (KH - 1) + outputPadding[0]! + 1;
  const OW = (W - 1) * stride[1]! - 2 * padding[1]! + dilation[1]! * (KW - 1) + outputPadding[1]! + 1;
  if (OH < 1 || OW < 1) throw new RangeError(`${op}: calculated output size (${OH}×${OW}) is too small for input ${H}×${W}`);
  return {
    dtype: x.dtype, N, groups, colsChannels: Cout, otherChannels: Cin,
    g: { C: Cout, H: OH, W: OW, KH, KW, strideH: stride[0]!, strideW: stride[1]!, padTop: padding[0]!, padLeft: padding[1]!, dilationH: dilation[0]!, dilationW: dilation[1]!, OH: H, OW: W },
  };
}

function transposedConvolution(x: Tensor, weight: Tensor, bias: Tensor | null, p: ConvProblem, outShape: number[]): Tensor {
  // The adjoint convolution's weight is [C_in, C_out/g, KH, KW] read as [OC, C/g, KH, KW]
  // with OC = C_in (other side) and C = C_out (im2col side): exactly the transposed weight's layout.
  const outPlane = p.g.H * p.g.W;
  const y = allocate(p.dtype, p.N * p.colsChannels * outPlane);
  scatterInto(x.data, weight.data, p, y);
  if (bias) addChannelBias(y, bias.data, p.N, p.colsChannels, outPlane);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return opResult('ConvolutionBackward', y, outShape, inputs, (gy) => {
    let gx: FloatArray | null = null;
    if (x.requiresGrad) {
      gx = allocate(p.dtype, x.numel);
      convolveInto(gy, weight.data, p, gx);
    }
    // ∂L/∂W[ci, co, kh, kw] = Σ x[n, ci, ·] · im2col(G)[co·KH·KW + …, ·]: the weight gradient of the
    // adjoint convolution with the roles of its input (G) and output (x).
    const gw = weight.requiresGrad ? rounded(weightGradient(gy, x.data, p), p.dtype) : null;
    const gb = bias?.requiresGrad ? channelSums(gy, p.N, p.colsChannels, outPlane, p.dtype) : null;
    return [gx, gw, gb];
  });
}
