/**
 * layerNorm's row kernels in WebAssembly (wasm/layerNorm.c) for the common
 * case of a layer with γ and β: the same float64 operations in the same
 * order as layerNorm.ts's loops, so the same bits; clang vectorizes the
 * per-element loops (x̂, y, ∂x, ∂γ, ∂β), which V8 runs one element at a time.
 * A GPT's LayerNorm over [B·T, 128] takes ~3× less time, copies included
 * (forward ~0.7 → ~0.23 ms for [1024, 128] float32): several rows' sums, each
 * one chain in its own order, run side by side.
 *
 * The module is instantiated on first use from its bytes
 * (wasm/layerNormWasm.ts). A call copies the operands into the module's memory
 * (grown when a call needs more, and kept; a call needing more than 2 GiB is
 * declined), runs there and copies the results out. Where WebAssembly is
 * unavailable, or for mixed dtypes, the functions return false and
 * layerNorm.ts runs its loops.
 */
import type { FloatArray } from './dtype';
import { LAYER_NORM_WASM_BASE64 } from './wasm/layerNormWasm';
import { floatView, kernelRegions, lazyKernel, sameDtype } from './wasmOperands';

/** Elements (rows·D) below which the call and copies (~1 µs) cost more than the loops they save. */
export const LAYER_NORM_WASM_MIN_LENGTH = 512;

type Forward = (xs: number, w: number, b: number, y: number, xhats: number, rstd: number, rows: number, D: number, eps: number) => void;
type Backward = (g: number, w: number, xhats: number, rstd: number, rows: number, D: number, gx: number, scaled: number, gw: number, gb: number) => void;

interface Exports {
  layerNormForward32: Forward;
  layerNormForward64: Forward;
  layerNormBackward32: Backward;
  layerNormBackward64: Backward;
}

const load = lazyKernel<Exports>(LAYER_NORM_WASM_BASE64);

/**
 * y = x̂·γ + β row by row, with x̂ and r = 1/√(σ² + ε) kept (as layerNorm.ts's normalizeRows with
 * γ and β). False, with nothing written, without the module or for mixed dtypes.
 */
export function normalizeRowsWasm(
  xs: FloatArray, y: FloatArray, xhats: Float64Array, rstd: Float64Array,
  w: FloatArray, b: FloatArray, rows: number, D: number, eps: number,
): boolean {
  const K = load();
  if (!K || !sameDtype(xs, y) || !sameDtype(xs, w) || !sameDtype(xs, b)) return false;
  const single = xs instanceof Float32Array;
  const width = single ? 4 : 8;
  const n = rows * D;
  const at = kernelRegions(K, [n * width, D * width, D * width, n * width, n * 8, rows * 8]);
  if (at === null) return false;
  const [xAt, wAt, bAt, yAt, xhAt, rAt] = at as [number, number, number, number, number, number];
  const buffer = K.memory.buffer;
  floatView(buffer, single, xAt, n).set(xs);
  floatView(buffer, single, wAt, D).set(w);
  floatView(buffer, single, bAt, D).set(b);
  (single ? K.layerNormForward32 : K.layerNormForward64)(xAt, wAt, bAt, yAt, xhAt, rAt, rows, D, eps);
  y.set(floatView(buffer, single, yAt, n));
  xhats.set(new Float64Array(buffer, xhAt, n));
  rstd.set(new Float64Array(buffer, rAt, rows));
  return true;
}

/**
 * ∂x (into gx, when given), ∂γ (gw) and ∂β (gb) — each only when given; gw and gb are zeroed
 * float64 arrays of D — as layerNorm.ts's inputGradient with γ and affineGradients. False, with
 * nothing written, without the module or for mixed dtypes.
 */
export function layerNormBackwardWasm(
  g: FloatArray, w: FloatArray, xhats: Float64Array, rstd: Float64Array, D: number,
  gx: FloatArray | null, gw: Float64Array | null, gb: Float64Array | null,
): boolean {
  const K = load();
  if (!K || !sameDtype(g, w) || (gx !== null && !sameDtype(g, gx))) return false;
  const single = g instanceof Float32Array;
  const width = single ? 4 : 8;
  const rows = rstd.length;
  const n = rows * D;
  const at = kernelRegions(K, [n * width, D * width, n * 8, rows * 8, n * width, 2 * D * 8, D * 8, D * 8]); // `scaled`: two rows
  if (at === null) return false;
  const [gAt, wAt, xhAt, rAt, gxAt, scaledAt, gwAt, gbAt] = at as [number, number, number, number, number, number, number, number];
  const buffer = K.memory.buffer;
  floatView(buffer, single, gAt, n).set(g);
  floatView(buffer, single, wAt, D).set(w);
  new Float64Array(buffer, xhAt, n).set(xhats);
  new Float64Array(buffer, rAt, rows).set(rstd);
  const GW = new Float64Array(buffer, gwAt, D);
  const GB = new Float64Array(buffer, gbAt, D);
  GW.fill(0);
  GB.fill(0);
  (single ? K.layerNormBackward32 : K.layerNormBackward64)(gAt, wAt, xhAt, rAt, rows, D, gx ? gxAt : 0, scaledAt, gw ? gwAt : 0, gb ? gbAt : 0);
  if (gx) gx.set(floatView(buffer, single, gxAt, n));
  if (gw) gw.set(GW);
  if (gb) gb.set(GB);
  return true;
}
