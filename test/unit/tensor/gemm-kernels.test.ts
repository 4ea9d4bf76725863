/**
 * The GEMM kernels — WebAssembly SIMD (wasm/gemm.c, its fused and portable
 * builds) and JavaScript (gemm.ts) — against the textbook loop with the
 * multiply-add gemm.ts says each runs (test/unit/support/gemmReference.ts),
 * bit for bit, for all three transposition forms, both dtypes, with and
 * without bias, on shapes that cross every cache block (KC = 256; MC = 64 and
 * 128, NC = 128 and 2048 in the JavaScript and WebAssembly kernels) and edge
 * tiles.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { gemm, gemmKernel, gemmNN, gemmNT, gemmTN, setGemmKernel, WASM_MIN_WORK, type GemmKernel } from '../../../engine/tensor/gemm';
import { gemmBuild, gemmWasm, wasmGemmAvailable, type GemmBuild } from '../../../engine/tensor/gemmWasm';
import { disableRelaxedSimd, relaxedSimd } from '../../../engine/numeric/relaxedSimd';
import { TorchGenerator } from '../../../engine/random';
import { gemmReference, type Madd } from '../support/gemmReference';

function random(rng: TorchGenerator, length: number, dtype: 'float32' | 'float64') {
  const x = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) x[i] = rng.normal();
  return x;
}

/** The multiply-add a product of m·k·n multiply-adds takes through `gemm` (gemm.ts's header). */
function maddOf(kind: GemmKernel, build: GemmBuild, m: number, k: number, n: number): Madd {
  return kind === 'auto' && build === 'fused' && m * k * n >= WASM_MIN_WORK ? 'fused' : 'separate';
}

function useBuild(build: GemmBuild): void {
  disableRelaxedSimd(build === 'portable');
  expect(gemmBuild()).toBe(build);
}

afterEach(() => {
  setGemmKernel('auto');
  disableRelaxedSimd(false);
});

describe('GEMM kernels', () => {
  it('has the WebAssembly SIMD kernel in this runtime (Node ≥ 16), fused where relaxed_madd is', () => {
    expect(wasmGemmAvailable()).toBe(true);
    expect(gemmKernel()).toBe('auto');
    const { fusedMadd32, fusedMadd64 } = relaxedSimd();
    expect(gemmBuild()).toBe(fusedMadd32 && fusedMadd64 ? 'fused' : 'portable');
    // x86-64 with FMA3 and arm64 fuse (test/unit/numeric/relaxedSimd.test.ts): the fused build is tested there.
    if (process.arch === 'x64' || process.arch === 'arm64') expect(gemmBuild()).toBe('fused');
    disableRelaxedSimd();
    expect(gemmBuild()).toBe('portable');
  });

  for (const build of ['fused', 'portable'] as const) {
    for (const kind of ['auto', 'js'] as const) {
      it(`${build} build, ${kind}: every form equals the sequential loop bit for bit, across cache blocks and edge tiles`, () => {
        useBuild(build);
        setGemmKernel(kind);
        const shapes: [number, number, number][] = [[70, 517, 133], [5, 300, 9], [129, 33, 3], [64, 256, 128], [1, 700, 1], [133, 21, 18], [6, 258, 2061], [32, 10, 1], [3, 40, 17], [1, 32, 10]];
        for (const dtype of ['float32', 'float64'] as const) {
          shapes.forEach(([m, k, n], s) => {
            const rng = new TorchGenerator(100 + s);
            const a = random(rng, m * k, dtype); // A [m×k], or Aᵀ's storage [k×m] for TN
            const b = random(rng, k * n, dtype); // B [k×n], or Bᵀ's storage [n×k] for NT
            const bias = random(rng, n, dtype);
            const madd = maddOf(kind, build, m, k, n);
            const c = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
            const label = `${m}×${k}×${n} ${dtype} (${madd})`;
            gemmNN(a, b, m, k, n, c);
            expect(Array.from(c), `NN ${label}`).toEqual(gemmReference(a, k, 1, b, n, 1, m, k, n, null, madd));
            gemmTN(a, b, m, k, n, c);
            expect(Array.from(c), `TN ${label}`).toEqual(gemmReference(a, 1, m, b, n, 1, m, k, n, null, madd));
            gemmNT(a, b, m, k, n, c, bias);
            expect(Array.from(c), `NT+bias ${label}`).toEqual(gemmReference(a, k, 1, b, 1, k, m, k, n, bias, madd));
          });
        }
      });

      it(`${build} build, ${kind}: random shapes around the WebAssembly threshold agree with the loop`, () => {
        useBuild(build);
        setGemmKernel(kind);
        fc.assert(
          fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 40 }), fc.integer(), fc.boolean(), (m, k, n, seed, withBias) => {
            const rng = new TorchGenerator(seed);
            const a = random(rng, m * k, 'float32');
            const b = random(rng, k * n, 'float32');
            const bias = withBias ? random(rng, n, 'float32') : null;
            const c = new Float32Array(m * n);
            gemm(a, k, 1, b, n, 1, m, k, n, c, bias);
            expect(Array.from(c)).toEqual(gemmReference(a, k, 1, b, n, 1, m, k, n, bias, maddOf(kind, build, m, k, n)));
          }),
          { numRuns: 40 },
        );
      });
    }

    it(`${build} build: the WebAssembly kernel itself on small odd shapes (edge tiles only), every form, bias, both dtypes`, () => {
      useBuild(build);
      const madd: Madd = build === 'fused' ? 'fused' : 'separate';
      const rng = new TorchGenerator(7);
      for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [5, 1, 9], [4, 8, 8], [7, 13, 17], [9, 3, 2], [2, 33, 11]] as const) {
        for (const dtype of ['float32', 'float64'] as const) {
          const a = random(rng, m * k, dtype);
          const b = random(rng, k * n, dtype);
          const bias = random(rng, n, dtype);
          const forms: [string, number, number, number, number, typeof bias | null][] = [
            ['A·B', k, 1, n, 1, null], ['Aᵀ·B', 1, m, n, 1, bias], ['A·Bᵀ + bias', k, 1, 1, k, bias], ['Aᵀ·Bᵀ', 1, m, 1, k, null],
          ];
          for (const [label, aRow, aCol, bRow, bCol, withBias] of forms) {
            const c = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
            expect(gemmWasm(a, aRow, aCol, b, bRow, bCol, m, k, n, c, withBias)).toBe(true);
            expect(Array.from(c), `${label} ${m}×${k}×${n} ${dtype}`).toEqual(gemmReference(a, aRow, aCol, b, bRow, bCol, m, k, n, withBias, madd));
          }
        }
      }
    });
  }

  it('mixed dtypes (JavaScript only): float64 sums, one rounding into float32 C, thin or tiled', () => {
    const rng = new TorchGenerator(12);
    for (const [m, k, n] of [[32, 10, 1], [2, 50, 9], [9, 50, 9], [40, 300, 40]] as const) {
      const a = random(rng, m * k, 'float64');
      const b = random(rng, k * n, 'float64');
      const c = new Float32Array(m * n);
      gemmNN(a, b, m, k, n, c);
      expect(Array.from(c), `${m}×${k}×${n}`).toEqual(gemmReference(a, k, 1, b, n, 1, m, k, n, null, 'separate').map(Math.fround));
    }
  });

  it('the two builds differ (the fused one rounds once per step), by a few units in the last place', () => {
    const [m, k, n] = [32, 300, 24];
    for (const dtype of ['float32', 'float64'] as const) {
      const rng = new TorchGenerator(11);
      const a = random(rng, m * k, dtype);
      const b = random(rng, k * n, dtype);
      const run = (build: GemmBuild) => {
        useBuild(build);
        const c = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
        gemmNN(a, b, m, k, n, c);
        return c;
      };
      const fused = run('fused');
      const portable = run('portable');
      const exact = gemmReference(Float64Array.from(a), k, 1, Float64Array.from(b), n, 1, m, k, n, null, 'fused');
      let differ = 0;
      for (let i = 0; i < m * n; i++) {
        if (fused[i] !== portable[i]) differ++;
        // Both within γ_k·Σ|a·b| of the sum (float64 sums stand in for the exact one in float32).
        let scale = 0;
        for (let p = 0; p < k; p++) scale += Math.abs(a[Math.floor(i / n) * k + p]! * b[p * n + (i % n)]!);
        const u = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
        if (dtype === 'float32') {
          expect(Math.abs(fused[i]! - exact[i]!)).toBeLessThanOrEqual(k * u * scale);
          expect(Math.abs(portable[i]! - exact[i]!)).toBeLessThanOrEqual(2 * k * u * scale);
        }
      }
      expect(differ, dtype).toBeGreaterThan(m * n * 0.1);
    }
  });
});
