/**
 * torch 1.13's CPU sampling kernels (ATen native/cpu/DistributionTemplates.h,
 * as built for AVX2 CPUs), on flat arrays: the same draws from the generator,
 * in the same order, with the same float32/float64 arithmetic, so that a
 * tensor filled here has torch's bits.
 */
import { logf, sincosf, sincosOut } from './avxMath';
import { fma32, fma64 } from '../numeric/fma';
import type { TorchGenerator } from './generator';
import { bernoulliScaledWasm, normalFillFloatWasm, RANDOM_WASM_MIN_LENGTH, skipWordsWasm, uniformFillFloatWasm } from './kernelsWasm';
import { MT_STATE_WORDS } from './mt19937';

const f = Math.fround;
const TWO_POW_24 = 16777216;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
/** The float32 constant 2π of the vector kernel (`_mm256_set1_ps(2.0f * pi<double>)`). */
const TWO_PI_F = f(2 * Math.PI);

export type FloatArray = Float32Array | Float64Array;

/**
 * `tensor.uniform_(from, to)`. float32: from and to are rounded to float, and
 * each value is u·(to − from) + from in float32 (one fused multiply-add) with
 * u = (w mod 2²⁴)/2²⁴; float64: u = (w₁w₂ mod 2⁵³)/2⁵³, u·(to − from) + from in
 * double. One word (float32) or two (float64) per element, in order.
 */
export function uniformFill(gen: TorchGenerator, out: FloatArray, from: number, to: number): void {
  const mt = gen.engine;
  if (out instanceof Float32Array) {
    const lo = f(from);
    const width = f(f(to) - lo);
    if (out.length >= RANDOM_WASM_MIN_LENGTH && uniformFillFloatWasm(gen, out, lo, width)) return;
    uniformFillFloatJs(gen, out, lo, width);
  } else {
    const width = to - from;
    for (let i = 0; i < out.length; i++) {
      const hi = mt.next() & 0x1fffff;
      const u = (hi * TWO_POW_32 + mt.next()) / TWO_POW_53;
      out[i] = fma64(u, width, from);
    }
  }
}

/** The float32 uniformFill in JavaScript (the reference of kernelsWasm.ts, and the path for small tensors). */
export function uniformFillFloatJs(gen: TorchGenerator, out: Float32Array, lo: number, width: number): void {
  fillFloatUniforms(gen, out, 0, out.length);
  for (let i = 0; i < out.length; i++) out[i] = fma32(out[i]!, width, lo);
}

/**
 * `tensor.normal_(mean, std)`, by torch's three paths:
 * - float32, ≥ 16 elements (contiguous): fill the whole tensor with float
 *   uniforms, then turn each block of 16 into 8 Box–Muller pairs
 *   (u₁ = 1 − data[j], u₂ = data[j+8]; data[j] = r cos θ, data[j+8] = r sin θ,
 *   r = √(−2 log u₁), θ = 2π u₂) with the vector kernel's float32 log and
 *   sincos; when the size is not a multiple of 16, the last 16 elements are
 *   drawn again (16 more uniforms) and transformed once more;
 * - float64, ≥ 16 elements: the same layout in double with the C library's
 *   log/sin/cos;
 * - fewer than 16 elements: one scalar `normal_distribution<double>` per
 *   element (pairs, the second cached in the generator), rounded to the dtype.
 */
export function normalFill(gen: TorchGenerator, out: FloatArray, mean: number, std: number): void {
  const n = out.length;
  if (n >= 16) {
    if (out instanceof Float32Array) normalFillFloat(gen, out, f(mean), f(std));
    else normalFillDouble(gen, out, mean, std);
    return;
  }
  for (let i = 0; i < n; i++) out[i] = fma64(gen.normalDouble(), std, mean);
}

function normalFillFloat(gen: TorchGenerator, data: Float32Array, mean: number, std: number): void {
  if (data.length >= RANDOM_WASM_MIN_LENGTH && normalFillFloatWasm(gen, data, mean, std)) return;
  normalFillFloatJs(gen, data, mean, std);
}

/** The float32 vector path in JavaScript (the reference of kernelsWasm.ts, and the path for small tensors): n ≥ 16. */
export function normalFillFloatJs(gen: TorchGenerator, data: Float32Array, mean: number, std: number): void {
  const n = data.length;
  fillFloatUniforms(gen, data, 0, n);
  for (let i = 0; i + 16 <= n; i += 16) boxMullerFloat16(data, i, mean, std);
  if (n % 16 !== 0) {
    const start = n - 16;
    fillFloatUniforms(gen, data, start, n);
    boxMullerFloat16(data, start, mean, std);
  }
}

/** data[from..to) ← float U[0, 1) draws, one word each, reading the twister's state directly (a call per word costs more than the word). */
function fillFloatUniforms(gen: TorchGenerator, data: Float32Array, from: number, to: number): void {
  const mt = gen.engine;
  const state = mt.state;
  let index = mt.index;
  for (let i = from; i < to; i++) {
    if (index >= MT_STATE_WORDS) {
      mt.twist();
      index = 0;
    }
    let y = state[index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    data[i] = (y & 0xffffff) / TWO_POW_24;
  }
  mt.index = index;
}

/** normal_fill_16_AVX2: data[at..at+16) holds uniforms; leaves 16 normals. */
function boxMullerFloat16(data: Float32Array, at: number, mean: number, std: number): void {
  for (let j = at; j < at + 8; j++) {
    const u1 = f(1 - data[j]!);
    const u2 = data[j + 8]!;
    const radius = f(Math.sqrt(f(-2 * logf(u1))));
    sincosf(f(TWO_PI_F * u2));
    data[j] = fma32(f(radius * sincosOut.cos), std, mean);
    data[j + 8] = fma32(f(radius * sincosOut.sin), std, mean);
  }
}

function normalFillDouble(gen: TorchGenerator, data: Float64Array, mean: number, std: number): void {
  const n = data.length;
  for (let i = 0; i < n; i++) data[i] = gen.uniformDouble();
  for (let i = 0; i + 16 <= n; i += 16) boxMullerDouble16(data, i, mean, std);
  if (n % 16 !== 0) {
    const start = n - 16;
    for (let i = start; i < n; i++) data[i] = gen.uniformDouble();
    boxMullerDouble16(data, start, mean, std);
  }
}

/** normal_fill_16<double>: θ = 2π·u₂ with 2π = (double)(2.0f · π). */
function boxMullerDouble16(data: Float64Array, at: number, mean: number, std: number): void {
  for (let j = at; j < at + 8; j++) {
    const u1 = 1 - data[j]!;
    const u2 = data[j + 8]!;
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    data[j] = fma64(radius * Math.cos(theta), std, mean);
    data[j + 8] = fma64(radius * Math.sin(theta), std, mean);
  }
}

/** Advances `gen` as `uniformFill` of `n` elements of `dtype` would, without computing them. */
export function skipUniform(gen: TorchGenerator, n: number, dtype: 'float32' | 'float64'): void {
  skipWords(gen, dtype === 'float64' ? 2 * n : n);
}

/** Words past which a skip runs in WebAssembly (its twists four words at a time): ~5 twists. */
const WASM_SKIP_MIN_WORDS = 4096;

function skipWords(gen: TorchGenerator, words: number): void {
  if (words >= WASM_SKIP_MIN_WORDS && skipWordsWasm(gen, words)) return;
  gen.engine.skip(words);
}

/**
 * Advances `gen` as `normalFill` of `n` elements of `dtype` would: the vector
 * path's uniforms (and the 16 redrawn for a ragged tail) are skipped; the
 * scalar path is run, since it leaves a cached normal behind.
 */
export function skipNormal(gen: TorchGenerator, n: number, dtype: 'float32' | 'float64'): void {
  if (n >= 16) {
    const words = n + (n % 16 === 0 ? 0 : 16);
    skipWords(gen, dtype === 'float64' ? 2 * words : words);
  } else {
    for (let i = 0; i < n; i++) gen.normalDouble();
  }
}

/** Advances `gen` as `randperm(n)` would. */
export function skipRandperm(gen: TorchGenerator, n: number): void {
  gen.engine.skip(Math.max(0, n - 1));
}

/** `tensor.bernoulli_(p)` with a scalar p (no MKL): element i is 1 when a double uniform is < p, else 0. */
export function bernoulliFill(gen: TorchGenerator, out: FloatArray | Uint8Array, p: number): void {
  for (let i = 0; i < out.length; i++) out[i] = gen.uniformDouble() < p ? 1 : 0;
}

/**
 * Dropout's noise: `bernoulli_(p)` times `scale` (a value of out's dtype), i.e. out[i] = scale when the
 * i-th double uniform is below p, else 0; the same draws, in the same order, as bernoulliFill.
 */
export function bernoulliScaled(gen: TorchGenerator, out: FloatArray, p: number, scale: number): void {
  if (out.length >= RANDOM_WASM_MIN_LENGTH && bernoulliScaledWasm(gen, out, p, scale)) return;
  bernoulliScaledJs(gen, out, p, scale);
}

/** bernoulliScaled in JavaScript (the reference of kernelsWasm.ts, and the path for small tensors). */
export function bernoulliScaledJs(gen: TorchGenerator, out: FloatArray, p: number, scale: number): void {
  for (let i = 0; i < out.length; i++) out[i] = gen.uniformDouble() < p ? scale : 0;
}

/**
 * `torch.randperm(n)` on the CPU: start from 0..n−1 and, for i = 0..n−2, swap
 * element i with element i + (random() mod (n − i)).
 */
export function randperm(gen: TorchGenerator, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const mt = gen.engine;
  for (let i = 0; i < n - 1; i++) {
    const z = mt.next() % (n - i);
    const t = p[i]!;
    p[i] = p[z + i]!;
    p[z + i] = t;
  }
  return p;
}

/** `torch.randint(low, high, (n,))` (int64): (w mod (high − low)) + low, w one word when the range is < 2³², else two. */
export function randint(gen: TorchGenerator, low: number, high: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(gen.randomFromTo(high - low, low, true));
  return out;
}
