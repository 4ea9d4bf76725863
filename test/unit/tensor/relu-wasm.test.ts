/**
 * ReLU in WebAssembly (reluWasm.ts) against the JavaScript loops it stands in
 * for: the same bits for every value a float can hold (±0, ±∞, NaN,
 * subnormals, the extremes), in float32 and float64, for lengths with and
 * without a SIMD tail and across the copy chunks.
 */
import { describe, expect, it } from 'vitest';
import { relu } from '../../../engine/tensor/activation';
import { RELU_WASM_MIN_LENGTH, reluBackwardWasm, reluWasm } from '../../../engine/tensor/reluWasm';
import { Tensor } from '../../../engine/tensor/tensor';
import type { FloatArray } from '../../../engine/tensor/dtype';

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, -NaN, 1e-45, -1e-45, 5e-324, -5e-324, 3.4e38, -3.4e38, 1.7e308, -1.7e308, 1, -1, 0.5, -0.5];

function values(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (i % 3 === 0 ? SPECIAL[(i / 3 + seed) % SPECIAL.length]! : Math.sin(i * 12.9898 + seed) * 10 ** ((i % 11) - 5)));
}

/** The bits, so that −0 and +0 (and NaN payloads) are told apart. */
function bits(a: FloatArray): number[] {
  return a instanceof Float32Array ? Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)) : Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), Number);
}

/** The plain definitions: y = x if x > 0 or NaN, else +0; ∂x = g where y > 0, else +0. */
function reference(x: FloatArray): { y: FloatArray; gx: (g: FloatArray) => FloatArray } {
  const y = x.map((v) => (v > 0 || Number.isNaN(v) ? v : 0));
  return { y, gx: (g) => g.map((gi, i) => (y[i]! > 0 ? gi : 0)) };
}

const LENGTHS = [1, 3, 4, 5, 127, 128, 131, 3200, 16384, 16387, 40000];

describe('ReLU in WebAssembly', () => {
  for (const Array_ of [Float32Array, Float64Array]) {
    const dtype = Array_ === Float32Array ? 'float32' : 'float64';
    it(`forward and backward give the loops' bits, ${dtype}, every special value, lengths ${LENGTHS.join(', ')}`, () => {
      for (const n of LENGTHS) {
        const x = Array_.from(values(n, n));
        const g = Array_.from(values(n, n + 7));
        const want = reference(x);
        const y = new Array_(n).fill(7);
        expect(reluWasm(x, y)).toBe(true);
        expect(bits(y)).toEqual(bits(want.y));
        const gx = new Array_(n).fill(7);
        expect(reluBackwardWasm(want.y, g, gx)).toBe(true);
        expect(bits(gx)).toEqual(bits(want.gx(g)));
      }
    });
  }

  it('is what relu() runs from RELU_WASM_MIN_LENGTH elements on, with the same results and gradients as below it', () => {
    for (const n of [RELU_WASM_MIN_LENGTH - 1, RELU_WASM_MIN_LENGTH, 1000]) {
      const data = Float32Array.from(values(n, 3));
      const x = new Tensor(data.slice(), [n], true);
      const y = relu(x);
      const want = reference(data);
      expect(bits(y.data)).toEqual(bits(want.y));
      y.backward(Float32Array.from(values(n, 5)));
      expect(bits(x.grad!)).toEqual(bits(want.gx(Float32Array.from(values(n, 5)))));
    }
  });

  it('declines mixed dtypes and mismatched lengths, writing nothing', () => {
    const y = new Float32Array(200).fill(7);
    expect(reluWasm(new Float64Array(200), y)).toBe(false);
    expect(reluWasm(new Float32Array(201), y)).toBe(false);
    expect(reluBackwardWasm(new Float32Array(200), new Float64Array(200), y)).toBe(false);
    expect(Array.from(y).every((v) => v === 7)).toBe(true);
  });
});
