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
import { normalFillFloatJs, uniformFillFloatJs } from '../../../engine/random/kernels';
import { normalFillFloatWasm, randomWasmAvailable, randomWasmVariant, skipWordsWasm, uniformFillFloatWasm } from '../../../engine/random/kernelsWasm';

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
