/**
 * max_pool2d(x, 2) in WebAssembly (maxPoolWasm.ts) against pool.ts's
 * JavaScript loop: the same maxima and the same indices, bit for bit, with
 * ties (the first position wins), NaNs (a NaN wins, the last NaN's index),
 * −0 against +0 and infinities, odd sizes (the last row and column dropped),
 * both dtypes, and inputs spread over several of the module's chunks (planes
 * larger than a chunk, and many small planes).
 */
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { maxPool2x2Wasm } from '../../../engine/tensor/maxPoolWasm';
import { maxPool2x2Planes } from '../../../engine/tensor/pool';

const SPECIALS = [Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 1];

function input(n: number, seed: number, single: boolean): Float32Array | Float64Array {
  const gen = new TorchGenerator(seed);
  const out = single ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = gen.uniform();
    // Mostly a few repeated values (ties), some specials, the rest random.
    out[i] = u < 0.3 ? Math.floor(gen.uniform() * 3) : u < 0.4 ? SPECIALS[Math.floor(gen.uniform() * SPECIALS.length)]! : gen.uniform() * 2 - 1;
  }
  return out;
}

describe('max_pool2d(x, 2) in WebAssembly = the JavaScript loop', () => {
  const cases: [number, number, number][] = [[1, 2, 2], [3, 5, 7], [64, 24, 24], [2, 301, 257], [700, 9, 11]];
  for (const single of [true, false]) {
    for (const [planes, H, W] of cases) {
      it(`${planes} planes of ${H}×${W}, ${single ? 'float32' : 'float64'}`, () => {
        const x = input(planes * H * W, planes + H + W, single);
        const OH = Math.floor(H / 2);
        const OW = Math.floor(W / 2);
        const make = (n: number) => (single ? new Float32Array(n) : new Float64Array(n));
        const y = make(planes * OH * OW).fill(5);
        const at = new Int32Array(y.length).fill(-1);
        const yRef = make(y.length);
        const atRef = new Int32Array(y.length);
        expect(maxPool2x2Wasm(x, planes, H, W, OH, OW, y, at)).toBe(true);
        maxPool2x2Planes(x, planes, H, W, OH, OW, yRef, atRef);
        expect(Array.from(at)).toEqual(Array.from(atRef));
        // toEqual tells NaN from a number and −0 from +0 (Object.is).
        expect(Array.from(y)).toEqual(Array.from(yRef));
      });
    }
  }
});
