/**
 * The geometry of a 2-D sliding window (convolution, transposed convolution)
 * and the two data movements that turn a convolution into a matrix product:
 *
 *   im2col: cols[(c·KH + kh)·KW + kw, oh·OW + ow] = x[c, oh·sH − pT + kh·dH, ow·sW − pL + kw·dW]
 *           (0 where the index falls into the padding)
 *   col2im: its adjoint, x[c, ih, iw] += cols[…] for every (kh, kw, oh, ow) that reads (ih, iw).
 *
 * With the columns of one sample, a convolution is W[OC, C·KH·KW] · cols
 * (one product per group), and its input gradient is col2im(Wᵀ · G). A 1-D
 * window is the 2-D one with H = KH = 1.
 *
 * The loops run over one kernel offset (c, kh, kw) at a time and work out
 * the range of output columns whose input column is inside the image, so
 * the inner loop has no bounds test and no closure.
 *
 * `im2col` and `col2im` run these loops in WebAssembly SIMD (im2colWasm.ts,
 * the same bits) when the runtime has it and the columns are large enough;
 * `im2colJs` and `col2imJs` are the JavaScript loops, the reference.
 */
import type { FloatArray } from './dtype';
import { col2imWasm, IM2COL_WASM_MIN_LENGTH, im2colWasm } from './im2colWasm';

export interface WindowGeometry {
  /** Input channels and spatial size (of one sample). */
  C: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  /** Padding before the first row / column (the padding after only changes OH / OW). */
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
  /** Output spatial size. */
  OH: number;
  OW: number;
}

/**
 * The range [lo, hi) of output positions o ∈ [0, out) whose input position
 * o·stride − pad + offset lies in [0, size).
 */
function validRange(out: number, stride: number, pad: number, offset: number, size: number): [number, number] {
  // o·s ≥ pad − offset  and  o·s ≤ size − 1 + pad − offset.
  const lo = Math.max(0, Math.ceil((pad - offset) / stride));
  const hi = Math.min(out, Math.floor((size - 1 + pad - offset) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/** The number of column entries of one sample, C·KH·KW·OH·OW. */
function columnsLength(g: WindowGeometry): number {
  return g.C * g.KH * g.KW * g.OH * g.OW;
}

/** Fills `cols` ([C·KH·KW, OH·OW]) from the sample of `x` starting at `xOffset` ([C, H, W]). */
export function im2col(x: FloatArray, xOffset: number, g: WindowGeometry, cols: FloatArray): void {
  if (columnsLength(g) >= IM2COL_WASM_MIN_LENGTH && im2colWasm(x, xOffset, g, cols)) return;
  im2colJs(x, xOffset, g, cols);
}

/**
 * Adds the columns back into the sample of `x` at `xOffset` (the adjoint of
 * im2col): every input element receives the sum of the column entries that
 * read it, accumulated in x's dtype in the order (c, kh, kw, oh, ow).
 */
export function col2im(cols: FloatArray, g: WindowGeometry, x: FloatArray, xOffset: number): void {
  if (columnsLength(g) >= IM2COL_WASM_MIN_LENGTH && col2imWasm(cols, g, x, xOffset)) return;
  col2imJs(cols, g, x, xOffset);
}

/** im2col in JavaScript. */
export function im2colJs(x: FloatArray, xOffset: number, g: WindowGeometry, cols: FloatArray): void {
  const { C, H, W, KH, KW, strideH, strideW, padTop, padLeft, dilationH, dilationW, OH, OW } = g;
  const plane = H * W;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const channel = xOffset + c * plane;
    for (let kh = 0; kh < KH; kh++) {
      const [ohLo, ohHi] = validRange(OH, strideH, padTop, kh * dilationH, H);
      for (let kw = 0; kw < KW; kw++, row++) {
        const [owLo, owHi] = validRange(OW, strideW, padLeft, kw * dilationW, W);
        const base = row * OH * OW;
        const colShift = kw * dilationW - padLeft;
        for (let oh = 0; oh < OH; oh++) {
          const o = base + oh * OW;
          if (oh < ohLo || oh >= ohHi) {
            cols.fill(0, o, o + OW);
            continue;
          }
          const src = channel + (oh * strideH - padTop + kh * dilationH) * W + colShift;
          for (let ow = 0; ow < owLo; ow++) cols[o + ow] = 0;
          if (strideW === 1) {
            for (let ow = owLo; ow < owHi; ow++) cols[o + ow] = x[src + ow]!;
          } else {
            for (let ow = owLo; ow < owHi; ow++) cols[o + ow] = x[src + ow * strideW]!;
          }
          for (let ow = owHi; ow < OW; ow++) cols[o + ow] = 0;
        }
      }
    }
  }
}

/** col2im in JavaScript. */
export function col2imJs(cols: FloatArray, g: WindowGeometry, x: FloatArray, xOffset: number): void {
  const { C, H, W, KH, KW, strideH, strideW, padTop, padLeft, dilationH, dilationW, OH, OW } = g;
  const plane = H * W;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const channel = xOffset + c * plane;
    for (let kh = 0; kh < KH; kh++) {
      const [ohLo, ohHi] = validRange(OH, strideH, padTop, kh * dilationH, H);
      for (let kw = 0; kw < KW; kw++, row++) {
        const [owLo, owHi] = validRange(OW, strideW, padLeft, kw * dilationW, W);
        const base = row * OH * OW;
        const colShift = kw * dilationW - padLeft;
        for (let oh = ohLo; oh < ohHi; oh++) {
          const o = base + oh * OW;
          const dst = channel + (oh * strideH - padTop + kh * dilationH) * W + colShift;
          for (let ow = owLo; ow < owHi; ow++) x[dst + ow * strideW] += cols[o + ow]!;
        }
      }
    }
  }
}
