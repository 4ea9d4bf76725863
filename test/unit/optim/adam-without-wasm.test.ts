/**
 * Where WebAssembly is missing, AdamW's kernels stay in JavaScript for every
 * size: the large-tensor path reports the WebAssembly kernels unavailable and
 * still computes torch's roundings. The global is removed before the kernel
 * module is loaded (vitest isolates each file).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

beforeAll(() => {
  vi.stubGlobal('WebAssembly', undefined);
});
afterAll(() => {
  vi.unstubAllGlobals();
});

describe('AdamW kernels without WebAssembly', () => {
  it('report WebAssembly unavailable and update a large float32 tensor in JavaScript', async () => {
    const { ADAMW_WASM_MIN_LENGTH, adamWasmAvailable } = await import('../../../engine/optim/adamWasm');
    const { adamKernel } = await import('../../../engine/optim/adam');
    const { fuseDecayAndRatio } = await import('../../../engine/optim/apply');
    const { FLOAT32_FUSED, fma32, fround } = await import('../../../engine/optim/float32');
    expect(adamWasmAvailable()).toBe(false);
    const n = ADAMW_WASM_MIN_LENGTH + 5; // large enough for the WebAssembly kernels, were they there
    const g = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e-2);
    const m0 = Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 1e-3);
    const v0 = Float32Array.from({ length: n }, (_, i) => (1 + Math.sin(3 * i)) * 1e-6);
    const s = { step: 1, m: m0.slice(), v: v0.slice(), vMax: null, denom: new Float32Array(n) };
    const root = fround(Math.sqrt(0.001));
    adamKernel(g, s, 0.9, 0.999, 1e-8, Math.sqrt(0.001), 0);
    const theta = Float32Array.from({ length: n }, (_, i) => Math.cos(2 * i));
    const after = theta.slice();
    const keep = fround(1 - 1e-3 * 1e-2);
    const c = fround(-1e-3 / 0.1);
    expect(fuseDecayAndRatio(after, [
      { kind: 'decay', label: 'decay', scale: -1e-3 * 1e-2, divisor: 1 },
      { kind: 'ratio', label: 'adam', numer: s.m, denom: s.denom, scale: -1e-3, divisor: 0.1 },
    ], FLOAT32_FUSED, 0)).toBe(true);
    for (const i of [0, 1, 4097, n - 1]) {
      // adam.ts and apply.ts's formulas, element by element, with torch's float32 roundings.
      const m = fma32(fround(0.1), g[i]!, fround(m0[i]! * fround(0.9)));
      const v = fma32(fround(fround(1 - 0.999) * g[i]!), g[i]!, fround(v0[i]! * fround(0.999)));
      const q = fround(fround(fround(Math.sqrt(v)) / root) + fround(1e-8));
      expect([s.m[i], s.v[i], s.denom[i]]).toEqual([m, v, q]);
      expect(after[i]).toBe(fround(fround(theta[i]! * keep) + fround(fround(c * m) / q)));
    }
  });
});
