/**
 * The WebAssembly float32 normal_/uniform_ kernels and the word skip against
 * the JavaScript loops they replace on large tensors (kernels.ts; those are
 * checked against torch itself by test/golden/torchRng.test.ts): the same
 * bits for every value, and the generator left in the same state, over sizes
 * around the 16-element blocks, the 624-word twists and the 65,536-float
 * chunks, several seeds, means and stds, and fills that follow each other.
 * Both builds of the module: the relaxed one (relaxed_madd, where the runtime
 * fuses it, as it does on x86-64 with FMA3 and on arm64) and the portable one
 * (exact f64x2 emulation of the fused multiply-adds), which
 * disableRelaxedSimd() selects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableRelaxedSimd, relaxedSimd } from '../../../engine/numeric/relaxedSimd';
import { TorchGenerator } from '../../../engine/random/generator';
import { bernoulliFill, bernoulliScaledJs, normalFillFloatJs, uniformFillFloatJs } from '../../../engine/random/kernels';
import { bernoulliScaledWasm, normalFillFloatWasm, randomWasmAvailable, randomWasmVariant, skipWordsWasm, uniformFillFloatWasm } from '../../../engine/random/kernelsWasm';

const f = Math.fround;
const SIZES = [16, 17, 31, 32, 255, 256, 623, 624, 625, 1000, 1249, 4096 + 7, 65536, 65536 + 16, 65536 + 5, 200_003];

/** Bitwise equality of two float32 arrays (NaN payloads and −0 included), with the first difference on failure. */
function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) expect.fail(`${what}: element ${i} is ${actual[i]} (0x${a[i]!.toString(16)}), the JavaScript kernel gives ${expected[i]} (0x${e[i]!.toString(16)})`);
  }
}

function expectSameState(a: TorchGenerator, b: TorchGenerator, what: string): void {
  expect(a.engine.index, `${what}: index`).toBe(b.engine.index);
  expect(Array.from(a.engine.state), `${what}: state`).toEqual(Array.from(b.engine.state));
  // And the next words drawn from each.
  expect([a.random(), a.random(), a.random()], `${what}: next words`).toEqual([b.random(), b.random(), b.random()]);
}

for (const variant of ['relaxed', 'portable'] as const) describe(`WebAssembly random kernels (${variant} build) = JavaScript kernels, bit for bit`, () => {
  beforeAll(() => disableRelaxedSimd(variant === 'portable'));
  afterAll(() => disableRelaxedSimd(false));

  it('loads (Node has WebAssembly SIMD; relaxed SIMD on, as the CLI and the worker turn it on)', () => {
    expect(randomWasmAvailable()).toBe(true);
    if (variant === 'relaxed') {
      // x86-64 with FMA3 and arm64 fuse relaxed_madd; elsewhere the portable build is the right one.
      if (process.arch === 'x64' || process.arch === 'arm64') expect(relaxedSimd().fusedMadd32).toBe(true);
      expect(randomWasmVariant()).toBe(relaxedSimd().fusedMadd32 ? 'relaxed' : 'portable');
    } else {
      expect(randomWasmVariant()).toBe('portable');
    }
  });

  for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
    it(`normal_ (float32) of many sizes, one after another, seed ${seed}`, () => {
      const wasm = new TorchGenerator(seed);
      const js = new TorchGenerator(seed);
      for (const [i, n] of SIZES.entries()) {
        const mean = f([0, 0.5, -3][i % 3]!);
        const std = f([1, 0.02, 2.5][i % 3]!);
        const a = new Float32Array(n);
        const b = new Float32Array(n);
        expect(normalFillFloatWasm(wasm, a, mean, std)).toBe(true);
        normalFillFloatJs(js, b, mean, std);
        expectSameBits(a, b, `seed ${seed}, n ${n}`);
      }
      expectSameState(wasm, js, `seed ${seed}`);
    });
  }

  it('normal_ (float32) starting mid-pass, after words already drawn', () => {
    for (const offset of [1, 5, 300, 620, 623]) {
      const wasm = new TorchGenerator(7);
      const js = new TorchGenerator(7);
      for (let i = 0; i < offset; i++) {
        wasm.random();
        js.random();
      }
      const a = new Float32Array(3001);
      const b = new Float32Array(3001);
      normalFillFloatWasm(wasm, a, 0, 1);
      normalFillFloatJs(js, b, 0, 1);
      expectSameBits(a, b, `offset ${offset}`);
      expectSameState(wasm, js, `offset ${offset}`);
    }
  });

  it('normal_ over 4M values (the rare float32 midpoints of the fused multiply-adds included)', () => {
    const wasm = new TorchGenerator(123);
    const js = new TorchGenerator(123);
    const a = new Float32Array(4_000_000);
    const b = new Float32Array(4_000_000);
    normalFillFloatWasm(wasm, a, 0, 1);
    normalFillFloatJs(js, b, 0, 1);
    expectSameBits(a, b, '4M normals');
  });

  it('uniform_ (float32) of many sizes and ranges', () => {
    const wasm = new TorchGenerator(3);
    const js = new TorchGenerator(3);
    for (const [i, n] of SIZES.entries()) {
      const lo = f([-1, 0, -0.0625, -3.7][i % 4]!);
      const width = f(f([1, 1, 0.0625, 11.3][i % 4]!) - lo);
      const a = new Float32Array(n);
      const b = new Float32Array(n);
      expect(uniformFillFloatWasm(wasm, a, lo, width)).toBe(true);
      uniformFillFloatJs(js, b, lo, width);
      expectSameBits(a, b, `n ${n}`);
    }
    expectSameState(wasm, js, 'uniform_');
  });

  it('skips words as Mt19937.skip does', () => {
    const wasm = new TorchGenerator(11);
    const js = new TorchGenerator(11);
    for (const count of [1, 623, 624, 625, 5000, 1_000_003, 0, 16]) {
      expect(skipWordsWasm(wasm, count)).toBe(true);
      js.engine.skip(count);
      expectSameState(wasm, js, `skip ${count}`);
    }
  });
});

describe('dropout noise (bernoulli_(p) times a scale) in WebAssembly = the JavaScript loop', () => {
  const sizes = [1, 3, 311, 312, 313, 624, 16383, 16384, 16385, 40_001];
  for (const [p, dtype] of [[0.75, 'float32'], [0.5, 'float64'], [0.9, 'float32'], [1e-9, 'float64'], [1 - 2 ** -53, 'float32']] as const) {
    it(`p = ${p}, ${dtype}: the same values, in the same order, and the same generator state`, () => {
      const wasm = new TorchGenerator(11);
      const js = new TorchGenerator(11);
      // Start mid-pass (an odd index: a value's two words straddle a twist for some sizes).
      for (const g of [wasm, js]) for (let i = 0; i < 5; i++) g.random();
      const make = (n: number) => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
      const scale = dtype === 'float32' ? f(1 / f(p)) : 1 / p;
      for (const n of sizes) {
        const a = make(n);
        const b = make(n);
        expect(bernoulliScaledWasm(wasm, a, p, scale)).toBe(true);
        bernoulliScaledJs(js, b, p, scale);
        expect(Array.from(a), `n ${n}`).toEqual(Array.from(b));
      }
      expectSameState(wasm, js, `p ${p}`);
    });
  }

  it('is bernoulliFill times the scale: the uniforms bernoulli_ draws', () => {
    const n = 5000;
    const mask = new Float64Array(n);
    bernoulliFill(new TorchGenerator(3), mask, 0.3);
    const noise = new Float64Array(n);
    expect(bernoulliScaledWasm(new TorchGenerator(3), noise, 0.3, 2.5)).toBe(true);
    expect(Array.from(noise)).toEqual(Array.from(mask, (m) => m * 2.5));
    const kept = mask.reduce((s, m) => s + m, 0);
    expect(Math.abs(kept - 0.3 * n)).toBeLessThan(5 * Math.sqrt(n * 0.3 * 0.7));
  });
});
