/**
 * Elementwise +, −, ×, ÷ over a broadcast plan, gradient accumulation
 * (target += source) and masked_fill with its gradient, in WebAssembly SIMD
 * (wasm/elementwise.c): the same bits as binary.ts's and autograd.ts's
 * loops, four float32 lanes at a time where V8 does one element per
 * iteration. In a transformer these are the residual sums, the scores'
 * division by √d, the causal mask's fill and every gradient that meets
 * another.
 *
 * The module is instantiated on first use from its bytes
 * (wasm/elementwiseWasm.ts). A call copies the operands and the plan's row
 * offsets into the module's memory (grown when a call needs more, and kept; a
 * call needing more than 2 GiB is declined), runs there and copies the result
 * out. Where WebAssembly is unavailable, or for mixed dtypes, the functions
 * return false and the callers run their loops.
 */
import type { BroadcastPlan } from './broadcast';
import type { FloatArray } from './dtype';
import { ELEMENTWISE_WASM_BASE64 } from './wasm/elementwiseWasm';
import { floatView, kernelRegions, lazyKernel, sameDtype } from './wasmOperands';

/** Output elements below which the call and copies (~1 µs) cost more than the loop they save. */
export const ELEMENTWISE_WASM_MIN_LENGTH = 2048;

/** The operations, numbered as binary.ts's ADD, SUB, MUL, DIV. */
export const WASM_ADD = 0;

type Arithmetic = (kind: number, a: number, b: number, out: number, offsetsA: number, offsetsB: number, rows: number, L: number, innerB: number) => void;
type Masked = (x: number, mask: number, out: number, offsetsA: number, offsetsB: number, rows: number, L: number, innerA: number, innerB: number, value: number, zero: number) => void;

interface Exports {
  arithmetic32: Arithmetic;
  arithmetic64: Arithmetic;
  masked32: Masked;
  masked64: Masked;
}

const load = lazyKernel<Exports>(ELEMENTWISE_WASM_BASE64);

/** A single row from offset 0, for operands without a plan (accumulation: equal lengths). */
const WHOLE = new Int32Array(1);

/**
 * out = a ∘ b (kind: binary.ts's ADD, SUB, MUL or DIV) over the plan, a stepping 1 along a row and b 1
 * or 0 (combineContiguous's forms). False, with nothing written, without the module or for mixed dtypes.
 */
export function arithmeticWasm(kind: number, a: FloatArray, b: FloatArray, out: FloatArray, plan: BroadcastPlan): boolean {
  const K = load();
  if (!K || !sameDtype(a, b) || !sameDtype(a, out) || plan.innerA !== 1) return false;
  const at = stageBroadcast(K, a, b, out, plan);
  if (at === null) return false;
  const [aAt, bAt, outAt, oaAt, obAt] = at;
  const single = a instanceof Float32Array;
  (single ? K.arithmetic32 : K.arithmetic64)(kind, aAt, bAt, outAt, oaAt, obAt, plan.offsetsA.length, plan.inner, plan.innerB);
  out.set(floatView(K.memory.buffer, single, outAt, out.length));
  return true;
}

/**
 * Lays out a, b, out and the plan's row offsets in the module's memory and copies in all but out:
 * their byte offsets [a, b, out, offsetsA, offsetsB], or null when the memory cannot hold them.
 */
function stageBroadcast(K: NonNullable<ReturnType<typeof load>>, a: FloatArray, b: FloatArray, out: FloatArray, plan: BroadcastPlan) {
  const single = a instanceof Float32Array;
  const width = single ? 4 : 8;
  const rows = plan.offsetsA.length; // offsetsB has one per row too
  const at = kernelRegions(K, [a.length * width, b.length * width, out.length * width, rows * 4, rows * 4]);
  if (at === null) return null;
  const [aAt, bAt, , oaAt, obAt] = at as [number, number, number, number, number];
  const buffer = K.memory.buffer;
  floatView(buffer, single, aAt, a.length).set(a);
  floatView(buffer, single, bAt, b.length).set(b);
  new Int32Array(buffer, oaAt, rows).set(plan.offsetsA);
  new Int32Array(buffer, obAt, rows).set(plan.offsetsB);
  return at as [number, number, number, number, number];
}

/** target += source elementwise (equal lengths). False, with nothing written, without the module or for mixed dtypes. */
export function addIntoWasm(target: FloatArray, source: FloatArray): boolean {
  const K = load();
  if (!K || !sameDtype(target, source) || target.length !== source.length) return false;
  const single = target instanceof Float32Array;
  const n = target.length;
  const bytes = n * (single ? 4 : 8);
  const at = kernelRegions(K, [bytes, bytes, 4]);
  if (at === null) return false;
  const [tAt, sAt, offAt] = at as [number, number, number];
  const buffer = K.memory.buffer;
  const T = floatView(buffer, single, tAt, n);
  T.set(target);
  floatView(buffer, single, sAt, n).set(source);
  new Int32Array(buffer, offAt, 1).set(WHOLE);
  (single ? K.arithmetic32 : K.arithmetic64)(WASM_ADD, tAt, sAt, tAt, offAt, offAt, 1, n, 1);
  target.set(T);
  return true;
}

/**
 * out = value where the mask is nonzero, else x, over the plan of x (a) and the mask (b); with
 * `zero`, ∂x = +0 where the mask is nonzero, else g (x is then g, of the output's shape). False,
 * with nothing written, without the module or for mixed dtypes.
 */
export function maskedWasm(x: FloatArray, mask: FloatArray, out: FloatArray, plan: BroadcastPlan, value: number, zero: boolean): boolean {
  const K = load();
  if (!K || !sameDtype(x, mask) || !sameDtype(x, out)) return false;
  const at = stageBroadcast(K, x, mask, out, plan);
  if (at === null) return false;
  const [xAt, mAt, outAt, oaAt, obAt] = at;
  const single = x instanceof Float32Array;
  (single ? K.masked32 : K.masked64)(xAt, mAt, outAt, oaAt, obAt, plan.offsetsB.length, plan.inner, plan.innerA, plan.innerB, value, zero ? 1 : 0);
  out.set(floatView(K.memory.buffer, single, outAt, out.length));
  return true;
}
