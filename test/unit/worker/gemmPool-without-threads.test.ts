/**
 * Where SharedArrayBuffer is missing (a browser page without cross-origin
 * isolation, a runtime started without it), the pool starts no worker and
 * declines every product, which then runs on one thread. The global is
 * removed before the pool is created (vitest isolates each file).
 */
import { describe, expect, it } from 'vitest';
import { withoutGlobal } from '../support/withoutGlobal';

withoutGlobal('SharedArrayBuffer');

describe('GemmPool without SharedArrayBuffer', () => {
  it('is not ready and declines products without throwing; the product still runs on one thread', async () => {
    const { GemmPool } = await import('../../../worker/gemmPool');
    const { gemmNN, setGemmParallel } = await import('../../../engine/tensor/gemm');
    const pool = new GemmPool();
    expect(pool.waitUntilReady(100)).toBe(false);
    const n = 200;
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const c = new Float32Array(n * n);
    expect(pool.run(a, n, 1, a, n, 1, n, n, n, c, null)).toBe(false);
    setGemmParallel(pool.run);
    try {
      gemmNN(a, a, n, n, n, c);
    } finally {
      setGemmParallel(null);
    }
    let s = 0;
    for (let p = 0; p < n; p++) s = Math.fround(s + Math.fround(a[7 * n + p]! * a[p * n + 3]!));
    expect(c[7 * n + 3]).toBe(s);
    pool.close();
  });
});
