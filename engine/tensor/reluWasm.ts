/**
 * ReLU forward and backward in WebAssembly SIMD (wasm/relu.c): the same bits
 * as activation.ts's JavaScript loops, about seven times faster on a
 * hidden layer's activations copies included (float32, 3,200 elements:
 * ~1.9 → ~0.25 ns per element). In V8 the loop stays scalar, one element
 * per iteration; the module does four.
 *
 * The module is instantiated on first use from its bytes (wasm/reluWasm.ts).
 * Where WebAssembly or SIMD is unavailable, the functions return false and
 * activation.ts keeps its loops.
 *
 * Operands are copied into the module's memory, CHUNK elements at a time, and
 * the result copied back (wasmOperands.ts), so a call in steady state
 * allocates nothing.
 */
import type { FloatArray } from './dtype';
import { RELU_WASM_BASE64 } from './wasm/reluWasm';
import { instantiateKernel, OperandSlots, part, sameDtype } from './wasmOperands';

/**
 * The smallest array worth the call: below it the copies' and the call's
 * fixed cost (~0.1 µs) is more than the loop it saves (~1.5 ns per element).
 */
export const RELU_WASM_MIN_LENGTH = 128;

/** Elements per chunk: three operands of CHUNK float64 values are 384 KiB of module memory, within L2. */
const CHUNK = 16384;

type Forward = (x: number, y: number, n: number) => void;
type Backward = (y: number, g: number, gx: number, n: number) => void;

interface Kernel {
  relu32: Forward;
  relu64: Forward;
  reluBackward32: Backward;
  reluBackward64: Backward;
  /** x, y (forward); y, g, ∂x (backward). */
  slots: OperandSlots;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const exports = instantiateKernel<Omit<Kernel, 'slots'>>(RELU_WASM_BASE64);
  kernel = exports && { relu32: exports.relu32, relu64: exports.relu64, reluBackward32: exports.reluBackward32, reluBackward64: exports.reluBackward64, slots: new OperandSlots(exports, 3, CHUNK) };
  return kernel;
}

/** y ← relu(x). False (nothing written) without WebAssembly or for mixed dtypes. */
export function reluWasm(x: FloatArray, y: FloatArray): boolean {
  const K = load();
  if (K === null || !sameDtype(x, y) || x.length !== y.length) return false;
  const run = x instanceof Float32Array ? K.relu32 : K.relu64;
  const [xAt, yAt] = K.slots.at as [number, number];
  for (let start = 0; start < x.length; start += CHUNK) {
    const length = Math.min(CHUNK, x.length - start);
    const [X, Y] = K.slots.of(length, x instanceof Float32Array) as [FloatArray, FloatArray];
    X.set(part(x, start, length));
    run(xAt, yAt, length);
    y.set(Y, start);
  }
  return true;
}

/** ∂x ← g where y > 0, else +0. False (nothing written) without WebAssembly or for mixed dtypes. */
export function reluBackwardWasm(y: FloatArray, g: FloatArray, gx: FloatArray): boolean {
  const K = load();
  if (K === null || !sameDtype(y, g) || !sameDtype(y, gx) || y.length !== g.length || y.length !== gx.length) return false;
  const run = y instanceof Float32Array ? K.reluBackward32 : K.reluBackward64;
  const [yAt, gAt, gxAt] = K.slots.at as [number, number, number];
  for (let start = 0; start < y.length; start += CHUNK) {
    const length = Math.min(CHUNK, y.length - start);
    const [Y, G, GX] = K.slots.of(length, y instanceof Float32Array) as [FloatArray, FloatArray, FloatArray];
    Y.set(part(y, start, length));
    G.set(part(g, start, length));
    run(yAt, gAt, gxAt, length);
    gx.set(GX, start);
  }
  return true;
}
