/**
 * torch's float32 `normal_` and `uniform_` kernels, and skipping words of the
 * twister, through the WebAssembly SIMD module of wasm/normal.c: the same bits
 * as kernels.ts's JavaScript loops, ~10× faster on large tensors (the 16-wide
 * Box–Muller's float32 log and sincos four lanes at a time, the twist and the
 * tempering too).
 *
 * The generator's 624 state words are copied into the module's memory for a
 * call and back after it (2.5 KB each way), and the values go through a
 * buffer of CHUNK floats there, copied out to the caller's array after each
 * chunk: the module's memory is grown once and never holds a whole tensor.
 * Each function returns false (having drawn nothing) where WebAssembly or its
 * SIMD is unavailable; the caller then runs its JavaScript loop.
 *
 * Two builds of the module: where the start-up probe finds `f32x4.relaxed_madd`
 * fused (numeric/relaxedSimd.ts) torch's fused multiply-adds are that one
 * instruction (normalRelaxedWasm.ts); elsewhere each is emulated exactly in
 * f64x2 lanes (normalWasm.ts). The same bits either way.
 */
import { ensureMemory } from '../tensor/gemmWasm';
import { instantiateKernel } from '../tensor/wasmOperands';
import type { TorchGenerator } from './generator';
import { MT_STATE_WORDS } from './mt19937';
import { relaxedSimd } from '../numeric/relaxedSimd';
import { NORMAL_RELAXED_WASM_BASE64 } from './wasm/normalRelaxedWasm';
import { NORMAL_WASM_BASE64 } from './wasm/normalWasm';

/**
 * Below this many elements the JavaScript loops are used: the two state
 * copies and the calls cost about what the JavaScript loops spend on a few
 * hundred values.
 */
export const RANDOM_WASM_MIN_LENGTH = 256;

/** Floats per chunk (a multiple of 16, whole Box–Muller blocks): 256 KB, within L2. */
const CHUNK = 65536;

interface NormalExports {
  uniform_f32(state: number, index: number, out: number, n: number): number;
  uniform_range_f32(state: number, index: number, out: number, n: number, lo: number, width: number): number;
  box_muller_f32(data: number, blocks: number, mean: number, std: number): void;
  mt_skip(state: number, index: number, n: number): number;
  bernoulli_f32(state: number, index: number, words: number, out: number, n: number, p: number, scale: number): number;
  bernoulli_f64(state: number, index: number, words: number, out: number, n: number, p: number, scale: number): number;
}

interface Loaded {
  k: NormalExports;
  stateAt: number;
  bufferAt: number;
  state: Int32Array;
  buffer: Float32Array;
}

/** Each build once instantiated (null: it would not load here). */
let portable: Loaded | null | undefined;
let relaxed: Loaded | null | undefined;

/** The relaxed build where relaxed_madd is fused here (and not turned off), else the portable one. */
function load(): Loaded | null {
  if (relaxedSimd().fusedMadd32) {
    relaxed ??= instantiate(NORMAL_RELAXED_WASM_BASE64);
    if (relaxed) return relaxed;
  }
  return (portable ??= instantiate(NORMAL_WASM_BASE64));
}

function instantiate(base64: string): Loaded | null {
  const k = instantiateKernel<NormalExports>(base64);
  if (!k) return null;
  const stateAt = (Number(k.__heap_base.value) + 15) & ~15;
  const bufferAt = stateAt + MT_STATE_WORDS * 4;
  ensureMemory(k.memory, bufferAt + CHUNK * 4);
  const memory = k.memory.buffer;
  return { k, stateAt, bufferAt, state: new Int32Array(memory, stateAt, MT_STATE_WORDS), buffer: new Float32Array(memory, bufferAt, CHUNK) };
}

/** Which build the kernels run now: 'relaxed', 'portable', or null (no WebAssembly SIMD: JavaScript loops). */
export function randomWasmVariant(): 'relaxed' | 'portable' | null {
  const m = load();
  return m === null ? null : m === relaxed ? 'relaxed' : 'portable';
}

/** Whether the module loaded (WebAssembly with SIMD). */
export function randomWasmAvailable(): boolean {
  return load() !== null;
}

/** Runs `draw` on the module's copy of gen's state (index in, index out) and stores the state back. */
function withState(m: Loaded, gen: TorchGenerator, draw: (index: number) => number): void {
  const mt = gen.engine;
  m.state.set(mt.state);
  const index = draw(mt.index);
  mt.state.set(m.state);
  mt.index = index;
}

/**
 * kernels.ts's normalFillFloat (n ≥ 16): all n uniforms in order, each whole
 * block of 16 transformed, then, for a ragged n, 16 more uniforms for the
 * last 16 places, transformed once more. mean and std are float32 already.
 */
export function normalFillFloatWasm(gen: TorchGenerator, data: Float32Array, mean: number, std: number): boolean {
  const m = load();
  if (!m) return false;
  const { k, stateAt, bufferAt, buffer } = m;
  const n = data.length;
  withState(m, gen, (start) => {
    let index = fillByChunks(m, data, start, (from, length) => {
      const next = k.uniform_f32(stateAt, from, bufferAt, length);
      k.box_muller_f32(bufferAt, length >> 4, mean, std);
      return next;
    });
    if (n % 16 !== 0) {
      index = k.uniform_f32(stateAt, index, bufferAt, 16);
      k.box_muller_f32(bufferAt, 1, mean, std);
      data.set(buffer.subarray(0, 16), n - 16);
    }
    return index;
  });
  return true;
}

/** kernels.ts's float32 uniformFill: u·width + lo with one rounding, lo and width float32. */
export function uniformFillFloatWasm(gen: TorchGenerator, data: Float32Array, lo: number, width: number): boolean {
  const m = load();
  if (!m) return false;
  const { k, stateAt, bufferAt } = m;
  withState(m, gen, (start) => fillByChunks(m, data, start, (index, length) => k.uniform_range_f32(stateAt, index, bufferAt, length, lo, width)));
  return true;
}

/**
 * Fills `data` a CHUNK at a time: `fill(index, length)` writes `length` floats into the module's buffer from
 * generator position `index` and returns the position after them; each chunk is then copied out in order.
 */
function fillByChunks(m: Loaded, data: Float32Array, start: number, fill: (index: number, length: number) => number): number {
  const { buffer } = m;
  let index = start;
  for (let at = 0, n = data.length; at < n; at += CHUNK) {
    const length = Math.min(CHUNK, n - at);
    index = fill(index, length);
    data.set(length === CHUNK ? buffer : buffer.subarray(0, length), at);
  }
  return index;
}

/**
 * Values per chunk of `bernoulliScaledWasm`: its 2·BERNOULLI_CHUNK words and as many float64 results fill the
 * module's buffer (CHUNK floats) exactly.
 */
const BERNOULLI_CHUNK = CHUNK / 4;

/**
 * kernels.ts's `bernoulliScaled`: out[i] = scale where a double uniform is below p, else 0, the uniforms
 * drawn in order (two words each). `scale` is a value of out's dtype.
 */
export function bernoulliScaledWasm(gen: TorchGenerator, out: Float32Array | Float64Array, p: number, scale: number): boolean {
  const m = load();
  if (!m) return false;
  const { k, stateAt, bufferAt } = m;
  const single = out instanceof Float32Array;
  const outAt = bufferAt + 2 * BERNOULLI_CHUNK * 4;
  // The module's memory is grown once, at load, so its buffer stays the one the views were made on.
  const memory = m.buffer.buffer;
  withState(m, gen, (start) => {
    let index = start;
    for (let at = 0, n = out.length; at < n; at += BERNOULLI_CHUNK) {
      const length = Math.min(BERNOULLI_CHUNK, n - at);
      index = single ? k.bernoulli_f32(stateAt, index, bufferAt, outAt, length, p, scale) : k.bernoulli_f64(stateAt, index, bufferAt, outAt, length, p, scale);
      out.set(single ? new Float32Array(memory, outAt, length) : new Float64Array(memory, outAt, length), at);
    }
    return index;
  });
  return true;
}

/** Mt19937.skip(count) in the module (its twists vectorized). */
export function skipWordsWasm(gen: TorchGenerator, count: number): boolean {
  const m = load();
  if (!m) return false;
  const { k, stateAt } = m;
  withState(m, gen, (start) => {
    let index = start;
    // The module counts in int32: a skip of more than 2³⁰ words goes in parts.
    for (let left = count; left > 0; left -= 2 ** 30) index = k.mt_skip(stateAt, index, Math.min(left, 2 ** 30));
    return index;
  });
  return true;
}
