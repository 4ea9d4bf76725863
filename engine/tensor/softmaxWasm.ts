/**
 * Softmax along contiguous rows (the last dimension: attention weights,
 * logits) in WebAssembly (wasm/softmax.c), forward and backward: the same
 * bits as softmax.ts's loops. The module imports Math.exp itself, so every
 * exponential is the one JavaScript computes; the row maximum, the sums, the
 * divisions and the backward's products run in the module, the per-element
 * ones vectorized, where V8 runs them one element at a time.
 *
 * The module is instantiated on first use from its bytes
 * (wasm/softmaxWasm.ts). A call copies the operands into the module's memory
 * (grown when a call needs more, and kept; a call needing more than 2 GiB is
 * declined), runs there and copies the result out. Where WebAssembly is
 * unavailable, or for mixed dtypes, the functions return false and softmax.ts
 * runs its loops.
 */
import type { FloatArray } from './dtype';
import { SOFTMAX_WASM_BASE64 } from './wasm/softmaxWasm';
import { floatView, kernelRegions, lazyKernel, sameDtype } from './wasmOperands';

/** Elements below which the call and copies (~1 µs) cost more than the loops they save. */
export const SOFTMAX_WASM_MIN_LENGTH = 512;

type Forward = (xs: number, ys: number, row: number, rows: number, C: number) => void;
type Backward = (gs: number, ys: number, gxs: number, rows: number, C: number) => void;

interface Exports {
  softmaxForward32: Forward;
  softmaxForward64: Forward;
  softmaxBackward32: Backward;
  softmaxBackward64: Backward;
}

const load = lazyKernel<Exports>(SOFTMAX_WASM_BASE64, { env: { exp: Math.exp } });

/** y = softmax of each row of C elements of xs. False, with nothing written, without the module or for mixed dtypes. */
export function softmaxForwardWasm(xs: FloatArray, y: FloatArray, C: number): boolean {
  const K = load();
  if (!K || !sameDtype(xs, y) || C === 0 || xs.length % C !== 0) return false;
  const single = xs instanceof Float32Array;
  const n = xs.length;
  const bytes = n * (single ? 4 : 8);
  const at = kernelRegions(K, [bytes, bytes, C * 8]);
  if (at === null) return false;
  const [xAt, yAt, rowAt] = at as [number, number, number];
  const buffer = K.memory.buffer;
  floatView(buffer, single, xAt, n).set(xs);
  (single ? K.softmaxForward32 : K.softmaxForward64)(xAt, yAt, rowAt, n / C, C);
  y.set(floatView(buffer, single, yAt, n));
  return true;
}

/** ∂x = y·(g − Σ g·y) per row of C elements. False, with nothing written, without the module or for mixed dtypes. */
export function softmaxBackwardWasm(g: FloatArray, y: FloatArray, gx: FloatArray, C: number): boolean {
  const K = load();
  if (!K || !sameDtype(g, y) || !sameDtype(g, gx) || C === 0 || g.length % C !== 0) return false;
  const single = g instanceof Float32Array;
  const n = g.length;
  const bytes = n * (single ? 4 : 8);
  const at = kernelRegions(K, [bytes, bytes, bytes]);
  if (at === null) return false;
  const [gAt, yAt, gxAt] = at as [number, number, number];
  const buffer = K.memory.buffer;
  floatView(buffer, single, gAt, n).set(g);
  floatView(buffer, single, yAt, n).set(y);
  (single ? K.softmaxBackward32 : K.softmaxBackward64)(gAt, yAt, gxAt, n / C, C);
  gx.set(floatView(buffer, single, gxAt, n));
  return true;
}
