/**
 * The WebAssembly build of AdamW's two per-element kernels (wasm/adamw.c):
 * Adam's moments and denominator (adam.ts's adamKernel) and the decayed θ
 * update (apply.ts's fuseDecayAndRatio), with the same bits as the
 * JavaScript loops in float32 and float64 — the fma32 / fma64 emulations
 * included. In JavaScript Adam's moments cost ~6.5 ns per float32 element,
 * mostly the FMA emulation (float32.ts), and the θ update ~2.4 ns; compiled
 * ahead of time, four elements per SIMD instruction (the FMA's common case
 * in f64x2 halves), ~2.4 and ~0.4 ns, copies included.
 *
 * The module is instantiated on first use from its bytes (wasm/adamwWasm.ts).
 * Where WebAssembly or SIMD is unavailable, `adamWasmAvailable()` is false
 * and both kernels stay in JavaScript: the same bits, only slower.
 *
 * Operands are copied into the module's memory for each call and results
 * copied back (memcpy speed, a small part of the per-element work), so the
 * optimizer's state stays in ordinary typed arrays: a memory growth never
 * detaches a view the engine holds. Calls pay a fixed cost (views, copies,
 * the call itself), so callers use this only for tensors of at least
 * ADAMW_WASM_MIN_LENGTH elements; the small tensors of the article's model
 * keep the JavaScript loops.
 */
import type { FloatArray } from '../tensor/dtype';
import { decodeBase64, ensureMemory } from '../tensor/gemmWasm';
import { ADAMW_WASM_BASE64 } from './wasm/adamwWasm';

/**
 * The smallest tensor the WebAssembly kernels take. Measured in Node 20 on
 * float32 tensors (ns per element, JavaScript → WebAssembly, copies
 * included): Adam's moments 6.6 → 4.7 at 256 elements, 6.6 → 2.5 at 1,024,
 * 6.4 → 2.5 at 200,704; the θ update 2.5 → 2.1 at 256, 2.4 → 0.4 from 4,096
 * on. The crossover is below 1,024 elements; 4,096 leaves a margin for the
 * fixed cost of a call (typed-array views, the copies' setup) and keeps
 * small models — the article's tensors have at most 1,000 elements — on
 * exactly the JavaScript code they always ran.
 */
export const ADAMW_WASM_MIN_LENGTH = 4096;

type AdamExport = (
  g: number, m: number, v: number, vMax: number, denom: number, n: number,
  beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, root: number, epsilon: number,
) => void;
type AdamWExport = (theta: number, numer: number, denom: number, n: number, keep: number, c: number) => void;

interface Kernel {
  memory: WebAssembly.Memory;
  heapBase: number;
  adam32: AdamExport;
  adam64: AdamExport;
  adamw32: AdamWExport;
  adamw64: AdamWExport;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const module = new WebAssembly.Module(decodeBase64(ADAMW_WASM_BASE64));
    const exports = new WebAssembly.Instance(module, {}).exports as Omit<Kernel, 'heapBase'> & { __heap_base: WebAssembly.Global };
    const { memory, adam32, adam64, adamw32, adamw64 } = exports;
    kernel = { memory, adam32, adam64, adamw32, adamw64, heapBase: Number(exports.__heap_base.value) };
  } catch {
    kernel = null; // no WebAssembly, or no SIMD: the JavaScript kernels it is
  }
  return kernel;
}

/** Whether the WebAssembly kernels can run here. */
export function adamWasmAvailable(): boolean {
  return load() !== null;
}

const align = (x: number) => (x + 15) & ~15;

/**
 * Byte offsets of `count` arrays of n elements of `width` bytes, one after
 * another from the heap base, after growing the memory to hold them; the
 * buffer is read after growing (a growth detaches the old one).
 */
function place(K: Kernel, count: number, n: number, width: number): { buffer: ArrayBuffer; at: number[] } {
  const stride = align(n * width);
  const at: number[] = [];
  for (let i = 0; i < count; i++) at.push(align(K.heapBase) + i * stride);
  ensureMemory(K.memory, at[count - 1]! + stride);
  return { buffer: K.memory.buffer, at };
}

function viewLike(like: FloatArray, buffer: ArrayBuffer, byteOffset: number, n: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(buffer, byteOffset, n) : new Float64Array(buffer, byteOffset, n);
}

const sameDtype = (x: FloatArray, y: FloatArray): boolean => (x instanceof Float32Array) === (y instanceof Float32Array);

/**
 * adamKernel's loop in WebAssembly: m, v, vMax (or null) and denom updated in
 * place from g, with the scalars already rounded to the arrays' dtype.
 * Returns false (and changes nothing) without WebAssembly or for mixed dtypes.
 */
export function adamStepWasm(
  g: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null, denom: FloatArray,
  beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, root: number, epsilon: number,
): boolean {
  const K = load();
  if (K === null) return false;
  const n = m.length;
  if (!sameDtype(g, m) || !sameDtype(v, m) || !sameDtype(denom, m) || (vMax !== null && !sameDtype(vMax, m))) return false;
  const single = m instanceof Float32Array;
  const { buffer, at } = place(K, vMax ? 5 : 4, n, single ? 4 : 8);
  const [gAt, mAt, vAt, denomAt, vMaxAt] = at as [number, number, number, number, number | undefined];
  viewLike(m, buffer, gAt, n).set(g);
  const mIn = viewLike(m, buffer, mAt, n);
  mIn.set(m);
  const vIn = viewLike(m, buffer, vAt, n);
  vIn.set(v);
  const vMaxIn = vMax ? viewLike(m, buffer, vMaxAt!, n) : null;
  if (vMax) vMaxIn!.set(vMax);
  (single ? K.adam32 : K.adam64)(gAt, mAt, vAt, vMax ? vMaxAt! : 0, denomAt, n, beta1, oneMinusBeta1, beta2, oneMinusBeta2, root, epsilon);
  m.set(mIn);
  v.set(vIn);
  if (vMax) vMax.set(vMaxIn!);
  denom.set(viewLike(m, buffer, denomAt, n));
  return true;
}

/**
 * fuseDecayAndRatio's loop in WebAssembly: θ ← θ·keep + (c·numer)/denom in
 * place, keep and c already rounded to θ's dtype. Returns false (and
 * changes nothing) without WebAssembly or for mixed dtypes.
 */
export function decayAndRatioWasm(theta: FloatArray, numer: FloatArray, denom: FloatArray, keep: number, c: number): boolean {
  const K = load();
  if (K === null) return false;
  if (!sameDtype(numer, theta) || !sameDtype(denom, theta)) return false;
  const n = theta.length;
  const single = theta instanceof Float32Array;
  const { buffer, at } = place(K, 3, n, single ? 4 : 8);
  const [thetaAt, numerAt, denomAt] = at as [number, number, number];
  const thetaIn = viewLike(theta, buffer, thetaAt, n);
  thetaIn.set(theta);
  viewLike(theta, buffer, numerAt, n).set(numer);
  viewLike(theta, buffer, denomAt, n).set(denom);
  (single ? K.adamw32 : K.adamw64)(thetaAt, numerAt, denomAt, n, keep, c);
  theta.set(thetaIn);
  return true;
}
