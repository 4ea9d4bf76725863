/**
 * The multi-threaded GEMM: a product split over this thread and workers
 * gives the bits of the single-threaded kernel of the same build (fused or
 * portable, gemmWasm.ts), in every form and both dtypes, for any number of
 * threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gemm, PARALLEL_MIN_WORK, setGemmKernel, setGemmParallel, type GemmParallel } from '../../../engine/tensor/gemm';
import { TorchGenerator } from '../../../engine/random';
import { disableRelaxedSimd } from '../../../engine/numeric/relaxedSimd';
import { gemmBuild } from '../../../engine/tensor/gemmWasm';
import { gemmReference } from '../support/gemmReference';
import { defaultGemmThreads, GemmPool, installedGemmPool, installGemmPool, MAX_GEMM_THREADS } from '../../../worker/gemmPool';

const pool = new GemmPool(32 * 2 ** 20);
afterAll(() => {
  setGemmParallel(null);
  setGemmKernel('auto');
  pool.close();
});

function random(rng: TorchGenerator, length: number, single: boolean) {
  const x = single ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) x[i] = rng.normal();
  return x;
}

describe('GemmPool', () => {
  it('starts its worker', () => {
    expect(pool.waitUntilReady()).toBe(true);
  });

  it('splits large products over two threads, by rows or by columns, with the bits of one thread (A·B, Aᵀ·B, A·Bᵀ + bias; float32, float64)', () => {
    let used = 0;
    const counting: GemmParallel = (...args) => {
      expect(pool.waitUntilIdle()).toBe(true); // else `run` leaves the product to this thread alone
      const ran = pool.run(...args);
      if (ran) used++;
      return ran;
    };
    for (const [m, k, n] of [[163, 301, 131], [131, 301, 163]] as const) for (const single of [true, false]) {
      expect(m * k * n).toBeGreaterThanOrEqual(PARALLEL_MIN_WORK);
      const rng = new TorchGenerator(single ? 1 : 2);
      const a = random(rng, m * k, single);
      const b = random(rng, k * n, single);
      const bias = random(rng, n, single);
      const forms: [string, number, number, number, number, typeof bias | null][] = [
        ['A·B', k, 1, n, 1, null],
        ['Aᵀ·B', 1, m, n, 1, null],
        ['A·Bᵀ + bias', k, 1, 1, k, bias],
      ];
      for (const [label, aRow, aCol, bRow, bCol, withBias] of forms) {
        const make = () => (single ? new Float32Array(m * n) : new Float64Array(m * n));
        setGemmParallel(null);
        const expected = make(); // one thread, the same build
        gemm(a, aRow, aCol, b, bRow, bCol, m, k, n, expected, withBias);
        setGemmParallel(counting);
        const actual = make();
        gemm(a, aRow, aCol, b, bRow, bCol, m, k, n, actual, withBias);
        expect(Array.from(actual), `${label} ${m}×${k}×${n} ${single ? 'float32' : 'float64'}`).toEqual(Array.from(expected));
      }
    }
    expect(used).toBe(12);
  });

  it('grows its shared memory for larger products and keeps the bits (two or four blocks, edge rows and columns, bias)', () => {
    const rng = new TorchGenerator(3);
    for (const [m, k, n] of [[9, 20, 5], [203, 517, 261], [12, 3, 2049], [37, 1, 9], [601, 20, 30], [10, 40, 1001]] as const) {
      const a = random(rng, m * k, true);
      const b = random(rng, k * n, true);
      const bias = random(rng, n, true);
      const expected = gemmReference(a, k, 1, b, 1, k, m, k, n, bias, pool.build === 'fused' ? 'fused' : 'separate');
      const actual = new Float32Array(m * n);
      expect(pool.waitUntilIdle()).toBe(true);
      expect(pool.run(a, k, 1, b, 1, k, m, k, n, actual, bias), `${m}×${k}×${n} taken`).toBe(true);
      expect(Array.from(actual), `${m}×${k}×${n}`).toEqual(expected);
    }
  });

  it('runs the build this thread runs: fused here, and a portable pool when relaxed SIMD is off, each declining the other', () => {
    if (process.arch === 'x64' || process.arch === 'arm64') expect(pool.build).toBe('fused');
    const [m, k, n] = [64, 40, 50];
    const rng = new TorchGenerator(5);
    const a = random(rng, m * k, true);
    const b = random(rng, k * n, true);
    disableRelaxedSimd();
    try {
      expect(gemmBuild()).toBe('portable');
      expect(pool.waitUntilIdle()).toBe(true);
      expect(pool.run(a, k, 1, b, n, 1, m, k, n, new Float32Array(m * n), null)).toBe(false);
      const portable = new GemmPool(32 * 2 ** 20);
      expect(portable.build).toBe('portable');
      expect(portable.waitUntilReady()).toBe(true);
      const actual = new Float32Array(m * n);
      expect(portable.run(a, k, 1, b, n, 1, m, k, n, actual, null)).toBe(true);
      expect(Array.from(actual)).toEqual(gemmReference(a, k, 1, b, n, 1, m, k, n, null, 'separate'));
      disableRelaxedSimd(false);
      expect(portable.waitUntilIdle()).toBe(true);
      expect(portable.run(a, k, 1, b, n, 1, m, k, n, actual, null)).toBe(pool.build === 'portable');
      portable.close();
    } finally {
      disableRelaxedSimd(false);
    }
  });

  it('splits over 3 and 4 threads (more than this machine may have cores) with the same bits', () => {
    const rng = new TorchGenerator(6);
    for (const threads of [3, 4]) {
      const wide = new GemmPool(64 * 2 ** 20, threads);
      try {
        expect(wide.threads).toBe(threads);
        expect(wide.waitUntilReady()).toBe(true);
        // Row splits and column splits, sides that do not divide evenly, float32 with bias and float64.
        for (const [m, k, n, single] of [[203, 150, 61, true], [61, 150, 203, true], [530, 40, 70, false], [9, 33, 1030, true]] as const) {
          const a = random(rng, m * k, single);
          const b = random(rng, k * n, single);
          const bias = single ? random(rng, n, true) : null;
          const actual = single ? new Float32Array(m * n) : new Float64Array(m * n);
          expect(wide.waitUntilIdle()).toBe(true);
          expect(wide.run(a, k, 1, b, n, 1, m, k, n, actual, bias), `${threads} threads, ${m}×${k}×${n} taken`).toBe(true);
          const expected = gemmReference(a, k, 1, b, n, 1, m, k, n, bias, wide.build === 'fused' ? 'fused' : 'separate');
          expect(Array.from(actual), `${threads} threads, ${m}×${k}×${n}`).toEqual(expected);
        }
        expect(wide.products).toBe(4);
        expect(wide.waitUntilIdle()).toBe(true); // every worker has looked at every product
      } finally {
        wide.close();
      }
    }
  });

  it('takes 2 to MAX_GEMM_THREADS threads, and by default one per core up to 4', () => {
    expect(() => new GemmPool(1024, 1)).toThrow(RangeError);
    expect(() => new GemmPool(1024, MAX_GEMM_THREADS + 1)).toThrow(/threads must be an integer from 2/);
    expect(() => new GemmPool(1024, 2.5)).toThrow(RangeError);
    expect(defaultGemmThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultGemmThreads()).toBeLessThanOrEqual(4);
  });

  it('declines products that do not fit its shared region (they run on one thread)', () => {
    const small = new GemmPool(1024);
    expect(small.waitUntilReady()).toBe(true);
    const a = new Float32Array(64 * 64).fill(1);
    expect(small.run(a, 64, 1, a, 64, 1, 64, 64, 64, new Float32Array(64 * 64), null)).toBe(false);
    small.close();
  });

  it('installGemmPool starts the pool with the first large product and hands it the large ones, with the bits of one thread', () => {
    installGemmPool();
    installGemmPool();
    const rng = new TorchGenerator(4);
    const product = (m: number, k: number, n: number) => {
      const a = random(rng, m * k, true);
      const b = random(rng, k * n, true);
      const actual = new Float32Array(m * n);
      gemm(a, k, 1, b, n, 1, m, k, n, actual, null);
      const expected = gemmReference(a, k, 1, b, n, 1, m, k, n, null, gemmBuild() === 'fused' ? 'fused' : 'separate');
      expect(Array.from(actual), `${m}×${k}×${n}`).toEqual(expected);
    };
    product(8, 300, 120); // below PARALLEL_MIN_WORK: no thread is started
    expect(installedGemmPool()).toBeNull();
    const [m, k, n] = [128, 300, 120];
    expect(m * k * n).toBeGreaterThanOrEqual(PARALLEL_MIN_WORK);
    product(m, k, n); // starts the pool; this product runs here
    const installed = installedGemmPool();
    expect(installed).not.toBeNull();
    expect(installed!.waitUntilReady()).toBe(true);
    expect(installed!.waitUntilIdle()).toBe(true);
    const before = installed!.products;
    product(m, k, n);
    expect(installed!.products).toBe(before + 1);
    product(8, 300, 120);
    expect(installed!.products).toBe(before + 1);
    expect(installedGemmPool()).toBe(installed);
    installed!.close();
  });
});
