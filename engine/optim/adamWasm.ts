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
 * arrays that no memory growth can detach. A tensor of one chunk is copied
 * in whole and out through views made once per length, so that a
 * steady-state call allocates nothing. Calls still pay a fixed cost (each
 * copy ~10 ns, the call itself), so callers use this only for tensors of at
 * least ADAMW_WASM_MIN_LENGTH elements.
 *
 * A traced step's sums (adam.ts's adamSums: Σm², the moments of √v̂ and of
 * 1/(√v̂ + ε), Σ(m/q)²; apply.ts's Σθ_before² and ΣΔθ²) come from the same
 * calls, in double, so that a step traced by sums runs no per-element
 * JavaScript loop either. They are summed in another order than the
 * JavaScript loops (f64x2 lanes), so they may differ in the last bits.
 */
import type { FloatArray } from '../tensor/dtype';
import { instantiateKernel, OperandSlots, part, sameDtype } from '../tensor/wasmOperands';
import { ADAMW_WASM_BASE64 } from './wasm/adamwWasm';

/**
 * The smallest tensor the WebAssembly kernels take: where a call's fixed
 * cost stops outweighing its per-element gain. Measured in Node 20 with
 * scripts/bench-adamw-kernels.mjs (ns per element, JavaScript → WebAssembly,
 * the copies and the call included; medians of alternating rounds), float32:
 *
 *     elements   moments     θ update    moments + sums   θ update + sums
 *            1   14 → 90     12 → 66     24 → 123         10 → 81
 *           10   7.5 → 10    3.3 → 7.0   10 → 14          3.9 → 8.7
 *           16   7.3 → 6.5   3.0 → 4.4   9.9 → 9.5        3.7 → 5.5
 *           32   7.2 → 3.8   2.6 → 2.2   9.5 → 5.7        3.4 → 2.9
 *          100   7.2 → 2.1   2.5 → 0.85  9.5 → 3.3        3.4 → 1.3
 *        1,000   7.0 → 1.4   2.3 → 0.33  9.1 → 2.3        3.3 → 0.7
 *        4,096   7.1 → 1.4   2.3 → 0.30  9.1 → 2.2        3.3 → 0.64
 *
 * float64: moments 8.4 → 5.6 and θ update 2.1 → 2.7 at 32 elements, 8.0 →
 * 3.6 and 2.1 → 1.3 at 100. The moments win from ~16 elements, the θ update
 * from ~28 (float64 ~48); a step runs both, and both together win from ~24
 * elements in either dtype. 32 takes the article model's tensors of 1,000
 * and 100 elements (its 10s and 1 stay in JavaScript, where a call would
 * cost more than their loop).
 */
export const ADAMW_WASM_MIN_LENGTH = 32;

type AdamExport = (
  g: number, m: number, v: number, vMax: number, denom: number, n: number,
  beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, root: number, epsilon: number, sums: number,
) => void;
type AdamWExport = (theta: number, numer: number, denom: number, n: number, keep: number, c: number, squares: number) => void;

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
/** Doubles in the sums area after the slots: adam32's eight running sums (the θ update uses two). */
const SUMS = 8;

interface Kernel {
  adam32: AdamExport;
  adam64: AdamExport;
  adamw32: AdamWExport;
  adamw64: AdamWExport;
  /** g, m, v, denom, vMax (Adam); θ, numer, denom (the θ update); then the sums area. */
  slots: OperandSlots;
  /** The sums area as SUMS doubles. */
  sums: Float64Array;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const exports = instantiateKernel<Pick<Kernel, 'adam32' | 'adam64' | 'adamw32' | 'adamw64'>>(ADAMW_WASM_BASE64);
  if (exports === null) return (kernel = null); // no WebAssembly, or no SIMD: the JavaScript kernels it is
  const slots = new OperandSlots(exports, SLOTS, CHUNK, SUMS * 8);
  const { adam32, adam64, adamw32, adamw64 } = exports;
  return (kernel = { adam32, adam64, adamw32, adamw64, slots, sums: slots.scratch(SUMS) });
}

/** Whether the WebAssembly kernels can run here. */
export function adamWasmAvailable(): boolean {
  return load() !== null;
}

/**
 * adamKernel's loop in WebAssembly: m, v, vMax (or null) and denom updated in
 * place from g, with the scalars already rounded to the arrays' dtype.
 * With `sums` (eight doubles), a traced step's sums over the new m and
 * denom come from the same call (wasm/adamw.c's adam_sums32, in double):
 * [Σm², Σr, Σr², min q, max q, Σk, Σk², Σ(m·k)²] for q = denom, r = q − ε,
 * k = 1/q, min and max skipping NaN. They may differ from a JavaScript
 * loop's in the last bits (another summation order).
 * Returns false (and changes nothing) without WebAssembly or for mixed dtypes.
 */
export function adamStepWasm(
  g: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null, denom: FloatArray,
  beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, root: number, epsilon: number,
  sums: Float64Array | null = null,
): boolean {
  const K = load();
  if (K === null) return false;
  if (!sameDtype(g, m) || !sameDtype(v, m) || !sameDtype(denom, m) || (vMax !== null && !sameDtype(vMax, m))) return false;
  const single = m instanceof Float32Array;
  const [gAt, mAt, vAt, dAt, xAt] = K.slots.at as [number, number, number, number, number];
  const run = single ? K.adam32 : K.adam64;
  const n = m.length;
  let sumsAt = 0;
  if (sums !== null) {
    sumsAt = K.slots.end;
    K.sums.fill(0);
    K.sums[3] = Infinity;
    K.sums[4] = -Infinity;
  }
  // A chunk at a time (a small tensor is one chunk: whole arrays in, views kept per length out, no allocation).
  for (let start = 0; start < n; start += CHUNK) {
    const length = Math.min(CHUNK, n - start);
    const [G, M, V, D, X] = K.slots.of(length, single) as [FloatArray, FloatArray, FloatArray, FloatArray, FloatArray];
    G.set(part(g, start, length));
    M.set(part(m, start, length));
    V.set(part(v, start, length));
    if (vMax) X.set(part(vMax, start, length));
    run(gAt, mAt, vAt, vMax ? xAt : 0, dAt, length, beta1, oneMinusBeta1, beta2, oneMinusBeta2, root, epsilon, sumsAt);
    m.set(M, start);
    v.set(V, start);
    if (vMax) vMax.set(X, start);
    denom.set(D, start);
  }
  if (sums !== null) sums.set(K.sums);
  return true;
}

/**
 * fuseDecayAndRatio's loop in WebAssembly: θ ← θ·keep + (c·numer)/denom in
 * place, keep and c already rounded to θ's dtype. With `squares` (two
 * doubles), a traced step's Σθ_before² and ΣΔθ² come from the same call
 * (in double; another summation order than a JavaScript loop's, so the
 * last bits may differ). Returns false (and changes nothing) without
 * WebAssembly or for mixed dtypes.
 */
export function decayAndRatioWasm(
  theta: FloatArray, numer: FloatArray, denom: FloatArray, keep: number, c: number, squares: Float64Array | null = null,
): boolean {
  const K = load();
  if (K === null) return false;
  if (!sameDtype(numer, theta) || !sameDtype(denom, theta)) return false;
  const single = theta instanceof Float32Array;
  const [tAt, nAt, dAt] = K.slots.at as [number, number, number];
  const run = single ? K.adamw32 : K.adamw64;
  const n = theta.length;
  let squaresAt = 0;
  if (squares !== null) {
    squaresAt = K.slots.end;
    K.sums[0] = 0;
    K.sums[1] = 0;
  }
  for (let start = 0; start < n; start += CHUNK) {
    const length = Math.min(CHUNK, n - start);
    const [T, N, D] = K.slots.of(length, single) as [FloatArray, FloatArray, FloatArray];
    T.set(part(theta, start, length));
    N.set(part(numer, start, length));
    D.set(part(denom, start, length));
    run(tAt, nAt, dAt, length, keep, c, squaresAt);
    theta.set(T, start);
  }
  if (squares !== null) {
    squares[0] = K.sums[0]!;
    squares[1] = K.sums[1]!;
  }
  return true;
}
