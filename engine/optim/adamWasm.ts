/**
 * The WebAssembly build of AdamW's two per-element kernels (wasm/adamw.c):
 * Adam's moments and denominator (adam.ts's adamKernel) and the decayed θ
 * update (apply.ts's fuseDecayAndRatio), with the same bits as the
 * JavaScript loops in float32 and float64 — the fma32 / fma64 emulations
 * included. In JavaScript Adam's moments cost ~6.5 ns per float32 element,
 * mostly the FMA emulation (float32.ts), and the θ update ~2.4 ns; compiled
 * ahead of time, four elements per SIMD instruction (the FMA's common case
 * in f64x2 halves), ~1.6 and ~0.35 ns, copies included. float64: 7.3 → 3.1
 * and 2.1 → 0.8 ns (two elements per instruction, fma64 without branches).
 *
 * The module is instantiated on first use from its bytes (wasm/adamwWasm.ts).
 * Where WebAssembly or SIMD is unavailable, `adamWasmAvailable()` is false
 * and both kernels stay in JavaScript: the same bits, only slower.
 *
 * Operands are copied into the module's memory for each call, a chunk at a
 * time, and results copied back (memcpy speed, a small part of the
 * per-element work), so the optimizer's state stays in ordinary typed
 * arrays that no memory growth can detach. Calls pay a fixed cost (the
 * copies' setup, the call itself), so callers use this only for tensors of at least
 * ADAMW_WASM_MIN_LENGTH elements; the small tensors of the article's model
 * keep the JavaScript loops.
 */
import type { FloatArray } from '../tensor/dtype';
import { decodeBase64, ensureMemory } from '../tensor/gemmWasm';
import { ADAMW_WASM_BASE64 } from './wasm/adamwWasm';

/**
 * The smallest tensor the WebAssembly kernels take. Measured in Node 20 on
 * float32 tensors (ns per element, JavaScript → WebAssembly, copies
 * included): Adam's moments 7.0 → 4.1 at 256 elements, 7.3 → 1.8 at 1,024,
 * 6.6 → 1.6 from 4,096 on; the θ update 3.2 → 2.3 at 256, 2.9 → 0.5 at
 * 1,024, 2.5 → 0.35 from 4,096 on. The crossover is below 1,024 elements; 4,096 leaves a margin for the
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

/**
 * Tensors go through the module in chunks of this many elements: the
 * module's memory then has a fixed size (five operands of CHUNK doubles,
 * 640 KiB, grown once when it is loaded: the views below stay attached and
 * no tensor is too large for a 32-bit memory), and each chunk's copies and
 * work stay within the L2 cache.
 */
const CHUNK = 16384;
/** Operand slots per call: g, m, v, denom, vMax (Adam); θ, numer, denom (the θ update). */
const SLOTS = 5;

interface Kernel {
  adam32: AdamExport;
  adam64: AdamExport;
  adamw32: AdamWExport;
  adamw64: AdamWExport;
  /** Byte offset of each slot. */
  at: number[];
  /** Each slot as CHUNK float32 and as CHUNK float64 values. */
  single: Float32Array[];
  double: Float64Array[];
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const module = new WebAssembly.Module(decodeBase64(ADAMW_WASM_BASE64));
    const exports = new WebAssembly.Instance(module, {}).exports as {
      memory: WebAssembly.Memory; adam32: AdamExport; adam64: AdamExport; adamw32: AdamWExport; adamw64: AdamWExport; __heap_base: WebAssembly.Global;
    };
    const { memory, adam32, adam64, adamw32, adamw64 } = exports;
    const base = (Number(exports.__heap_base.value) + 15) & ~15;
    const at = Array.from({ length: SLOTS }, (_, i) => base + i * CHUNK * 8);
    ensureMemory(memory, base + SLOTS * CHUNK * 8);
    const buffer = memory.buffer;
    kernel = {
      adam32, adam64, adamw32, adamw64, at,
      single: at.map((offset) => new Float32Array(buffer, offset, CHUNK)),
      double: at.map((offset) => new Float64Array(buffer, offset, CHUNK)),
    };
  } catch {
    kernel = null; // no WebAssembly, or no SIMD: the JavaScript kernels it is
  }
  return kernel;
}

/** Whether the WebAssembly kernels can run here. */
export function adamWasmAvailable(): boolean {
  return load() !== null;
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
  if (!sameDtype(g, m) || !sameDtype(v, m) || !sameDtype(denom, m) || (vMax !== null && !sameDtype(vMax, m))) return false;
  const single = m instanceof Float32Array;
  const [G, M, V, D, X] = (single ? K.single : K.double) as [FloatArray, FloatArray, FloatArray, FloatArray, FloatArray];
  const [gAt, mAt, vAt, dAt, xAt] = K.at as [number, number, number, number, number];
  const run = single ? K.adam32 : K.adam64;
  const n = m.length;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const length = end - start;
    G.set(g.subarray(start, end));
    M.set(m.subarray(start, end));
    V.set(v.subarray(start, end));
    if (vMax) X.set(vMax.subarray(start, end));
    run(gAt, mAt, vAt, vMax ? xAt : 0, dAt, length, beta1, oneMinusBeta1, beta2, oneMinusBeta2, root, epsilon);
    m.set(M.subarray(0, length), start);
    v.set(V.subarray(0, length), start);
    if (vMax) vMax.set(X.subarray(0, length), start);
    denom.set(D.subarray(0, length), start);
  }
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
  const single = theta instanceof Float32Array;
  const [T, N, D] = (single ? K.single : K.double) as [FloatArray, FloatArray, FloatArray];
  const [tAt, nAt, dAt] = K.at as [number, number, number];
  const run = single ? K.adamw32 : K.adamw64;
  const n = theta.length;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    T.set(theta.subarray(start, end));
    N.set(numer.subarray(start, end));
    D.set(denom.subarray(start, end));
    run(tAt, nAt, dAt, end - start, keep, c);
    theta.set(T.subarray(0, end - start), start);
  }
  return true;
}
