/**
 * The two GEMM kernels — WebAssembly SIMD (wasm/gemm.c) and JavaScript
 * (gemm.ts) — against the textbook loop, bit for bit, for all three
 * transposition forms, both dtypes, with and without bias, on shapes that
 * cross every cache block (KC = 256; MC = 64 and 128, NC = 128 and 2048 in
 * the JavaScript and WebAssembly kernels) and edge tiles.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { gemm, gemmKernel, gemmNN, gemmNT, gemmTN, setGemmKernel } from '../../../engine/tensor/gemm';
import { wasmGemmAvailable } from '../../../engine/tensor/gemmWasm';
import { TorchGenerator } from '../../../engine/random';

/**
 * s = init; s = fl(s + fl(a·b)) for p = 0 … k − 1, with A(i, p) and B(p, j)
 * read through strides, fl rounding to the operands' dtype (float32 arrays:
 * Math.fround after every operation, which is float32 arithmetic).
 */
function reference(a: Float32Array | Float64Array, aRow: number, aCol: number, b: ArrayLike<number>, bRow: number, bCol: number, m: number, k: number, n: number, bias: ArrayLike<number> | null) {
  const fl = a instanceof Float32Array ? Math.fround : (x: number) => x;
  const c: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j]! : 0;
      for (let p = 0; p < k; p++) s = fl(s + fl(a[i * aRow + p * aCol]! * b[p * bRow + j * bCol]!));
      c.push(s);
    }
  }
  return c;
}

function random(rng: TorchGenerator, length: number, dtype: 'float32' | 'float64') {
  const x = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) x[i] = rng.normal();
  return x;
}

afterEach(() => setGemmKernel('auto'));

describe('GEMM kernels', () => {
  it('has the WebAssembly SIMD kernel in this runtime (Node ≥ 16)', () => {
    expect(wasmGemmAvailable()).toBe(true);
    expect(gemmKernel()).toBe('auto');
  });

  for (const kind of ['auto', 'js'] as const) {
    it(`${kind}: every form equals the sequential loop bit for bit, across cache blocks and edge tiles`, () => {
      setGemmKernel(kind);
      const shapes: [number, number, number][] = [[70, 517, 133], [5, 300, 9], [129, 33, 3], [64, 256, 128], [1, 700, 1], [133, 21, 18], [6, 258, 2061]];
      for (const dtype of ['float32', 'float64'] as const) {
        shapes.forEach(([m, k, n], s) => {
          const rng = new TorchGenerator(100 + s);
          const a = random(rng, m * k, dtype); // A [m×k], or Aᵀ's storage [k×m] for TN
          const b = random(rng, k * n, dtype); // B [k×n], or Bᵀ's storage [n×k] for NT
          const bias = random(rng, n, dtype);
          const out = () => (dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n));
          const c = out();
          gemmNN(a, b, m, k, n, c);
          expect(Array.from(c), `NN ${m}×${k}×${n} ${dtype}`).toEqual(reference(a, k, 1, b, n, 1, m, k, n, null));
          gemmTN(a, b, m, k, n, c);
          expect(Array.from(c), `TN ${m}×${k}×${n} ${dtype}`).toEqual(reference(a, 1, m, b, n, 1, m, k, n, null));
          gemmNT(a, b, m, k, n, c, bias);
          expect(Array.from(c), `NT+bias ${m}×${k}×${n} ${dtype}`).toEqual(reference(a, k, 1, b, 1, k, m, k, n, bias));
        });
      }
    });

    it(`${kind}: random shapes around the WebAssembly threshold agree with the loop`, () => {
      setGemmKernel(kind);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 40 }), fc.integer(), fc.boolean(), (m, k, n, seed, withBias) => {
          const rng = new TorchGenerator(seed);
          const a = random(rng, m * k, 'float32');
          const b = random(rng, k * n, 'float32');
          const bias = withBias ? random(rng, n, 'float32') : null;
          const c = new Float32Array(m * n);
          gemm(a, k, 1, b, n, 1, m, k, n, c, bias);
          expect(Array.from(c)).toEqual(reference(a, k, 1, b, n, 1, m, k, n, bias));
        }),
        { numRuns: 40 },
      );
    });
  }
});
