/**
 * Where WebAssembly is missing (or may not compile code), the engine falls
 * back to its JavaScript kernel: same results, no error. The global is
 * removed before the kernel module is loaded (vitest isolates each file).
 */
import { describe, expect, it } from 'vitest';
import { withoutGlobal } from '../support/withoutGlobal';

withoutGlobal('WebAssembly');

describe('GEMM without WebAssembly', () => {
  it('reports the SIMD kernel unavailable and multiplies with the JavaScript kernel', async () => {
    const { wasmGemmAvailable } = await import('../../../engine/tensor/gemmWasm');
    const { gemmNN, gemmKernel } = await import('../../../engine/tensor/gemm');
    expect(wasmGemmAvailable()).toBe(false);
    expect(gemmKernel()).toBe('auto');
    const n = 48; // 48³ multiply-adds: above the size the WebAssembly kernel would take
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const c = new Float32Array(n * n);
    gemmNN(a, b, n, n, n, c);
    for (const [i, j] of [[0, 0], [17, 31], [47, 47]] as const) {
      let s = 0; // float32 sums of float32 products, in the order p = 0 … n − 1
      for (let p = 0; p < n; p++) s = Math.fround(s + Math.fround(a[i * n + p]! * b[p * n + j]!));
      expect(c[i * n + j]).toBe(s);
    }
  });
});
