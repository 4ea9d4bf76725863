/**
 * im2col and col2im in WebAssembly SIMD (wasm/im2col.c): the same bits as
 * im2col.ts's JavaScript loops, whose rows of a stride-1 window become block
 * copies (memory.copy) and four-lane additions. On the MNIST example's second
 * convolution (32 channels of 26×26, 3×3) one sample's columns take ~0.06 ms
 * against ~0.27 ms for the JavaScript loop, copies included.
 *
 * The module is instantiated on first use from its bytes (wasm/im2colWasm.ts).
 * A call copies one sample's operands into the module's memory (grown when a
 * geometry needs more, and kept), runs the loop there and copies the result
 * out. Where WebAssembly or SIMD is unavailable the functions return false and
 * im2col.ts runs its loops.
 */
import type { FloatArray } from './dtype';
import { ensureMemory } from './gemmWasm';
import type { WindowGeometry } from './im2col';
import { IM2COL_WASM_BASE64 } from './wasm/im2colWasm';
import { align16, lazyKernel } from './wasmOperands';

/** Columns (C·KH·KW·OH·OW values) below this are left to JavaScript: the call and copies cost ~1 µs. */
export const IM2COL_WASM_MIN_LENGTH = 2048;

type Run = (source: number, geometry: number, target: number, samples: number) => void;

interface Exports {
  im2col32: Run;
  im2col64: Run;
  col2im32: Run;
  col2im64: Run;
}

const load = lazyKernel<Exports>(IM2COL_WASM_BASE64);

/** Whether the module loaded (WebAssembly with SIMD). */
export function im2colWasmAvailable(): boolean {
  return load() !== null;
}

const GEOMETRY_INTS = 13;

/**
 * Writes g into the module's memory and lays out one sample's x and columns
 * after it: their byte offsets and views of them.
 */
function layout(K: NonNullable<ReturnType<typeof load>>, g: WindowGeometry, single: boolean) {
  const width = single ? 4 : 8;
  const xLength = g.C * g.H * g.W;
  const colsLength = g.C * g.KH * g.KW * g.OH * g.OW;
  const gAt = K.base;
  const xAt = align16(gAt + GEOMETRY_INTS * 4);
  const colsAt = align16(xAt + xLength * width);
  ensureMemory(K.memory, colsAt + colsLength * width);
  const buffer = K.memory.buffer;
  new Int32Array(buffer, gAt, GEOMETRY_INTS).set([g.C, g.H, g.W, g.KH, g.KW, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW, g.OH, g.OW]);
  const X = single ? new Float32Array(buffer, xAt, xLength) : new Float64Array(buffer, xAt, xLength);
  const cols = single ? new Float32Array(buffer, colsAt, colsLength) : new Float64Array(buffer, colsAt, colsLength);
  return { gAt, xAt, colsAt, X, cols, xLength };
}

/** im2col.ts's im2col (one sample of x at xOffset into cols); false, with nothing written, without WebAssembly or for mixed dtypes. */
export function im2colWasm(x: FloatArray, xOffset: number, g: WindowGeometry, cols: FloatArray): boolean {
  const K = load();
  const single = x instanceof Float32Array;
  if (!K || single !== cols instanceof Float32Array) return false;
  const at = layout(K, g, single);
  at.X.set(x.subarray(xOffset, xOffset + at.xLength));
  (single ? K.im2col32 : K.im2col64)(at.xAt, at.gAt, at.colsAt, 1);
  cols.set(at.cols);
  return true;
}

/** im2col.ts's col2im (x's sample at xOffset += the adjoint of cols); false, with nothing written, without WebAssembly or for mixed dtypes. */
export function col2imWasm(cols: FloatArray, g: WindowGeometry, x: FloatArray, xOffset: number): boolean {
  const K = load();
  const single = x instanceof Float32Array;
  if (!K || single !== cols instanceof Float32Array) return false;
  const at = layout(K, g, single);
  const sample = x.subarray(xOffset, xOffset + at.xLength);
  at.X.set(sample);
  at.cols.set(cols.length === at.cols.length ? cols : cols.subarray(0, at.cols.length));
  (single ? K.col2im32 : K.col2im64)(at.colsAt, at.gAt, at.xAt, 1);
  sample.set(at.X);
  return true;
}
