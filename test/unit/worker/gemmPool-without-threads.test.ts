/**
 * Where SharedArrayBuffer is missing (a browser page without cross-origin
 * isolation, a runtime started without it), the pool starts no worker and
 * declines every product, which then runs on one thread. The global is
 * removed before the pool is created (vitest isolates each file).
 */
import { describe, expect, it } from 'vitest';
import { withoutGlobal } from '../support/withoutGlobal';
import { gemmReference } from '../support/gemmReference';

withoutGlobal('SharedArrayBuffer');

describe('GemmPool without SharedArrayBuffer', () => {
  it('is not ready and declines products without throwing; the product still runs on one thread', async () => {
    const { GemmPool } = await import('../../../worker/gemmPool');
    const { gemmNN, setGemmParallel } = await import('../../../engine/tensor/gemm');
    const { gemmBuild } = await import('../../../engine/tensor/gemmWasm');
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
    // One thread's product: the bits of the loop with the build's multiply-add (engine/tensor/gemm.ts).
    expect(Array.from(c)).toEqual(gemmReference(a, n, 1, a, n, 1, n, n, n, null, gemmBuild() === 'fused' ? 'fused' : 'separate'));
    pool.close();
  });
});
