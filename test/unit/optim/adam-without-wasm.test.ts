/**
 * Where WebAssembly is missing, AdamW's kernels stay in JavaScript for every
 * size: the large-tensor path reports the WebAssembly kernels unavailable and
 * still computes torch's roundings. The global is removed before the kernel
 * module is loaded (vitest isolates each file).
 */
import { describe, expect, it } from 'vitest';
import { withoutGlobal } from '../support/withoutGlobal';

withoutGlobal('WebAssembly');

describe('AdamW kernels without WebAssembly', () => {
  it('report WebAssembly unavailable and take an AdamW step on a large float32 tensor in JavaScript', async () => {
    const { ADAMW_WASM_MIN_LENGTH, adamWasmAvailable } = await import('../../../engine/optim/adamWasm');
    const { scaleByAdam } = await import('../../../engine/optim/adam');
    const { applyUpdates } = await import('../../../engine/optim/apply');
    const { fma32, fround } = await import('../../../engine/optim/float32');
    expect(adamWasmAvailable()).toBe(false);
    const n = ADAMW_WASM_MIN_LENGTH + 5; // large enough for the WebAssembly kernels, were they there
    const g = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e-2);
    const theta = Float32Array.from({ length: n }, (_, i) => Math.cos(2 * i));
    const params = { w: theta.slice() };
    const adam = scaleByAdam();
    const { updates, state } = adam.update({ w: g }, adam.init(params), params);
    const [ratio] = updates.w as Exclude<(typeof updates)['w'], Float32Array | Float64Array>;
    applyUpdates(params, { w: [{ kind: 'decay', label: 'decay', scale: -1e-3 * 1e-2, divisor: 1 }, { ...ratio!, scale: -1e-3 }] });
    const s = state.w!;
    const root = fround(Math.sqrt(1 - 0.999));
    const keep = fround(1 - 1e-3 * 1e-2);
    const c = fround(-1e-3 / (1 - 0.9));
    for (const i of [0, 1, 4097, n - 1]) {
      // adam.ts and apply.ts's formulas, element by element, with torch's float32 roundings.
      // Step 1 from m = v = 0.
      const m = fma32(fround(1 - 0.9), g[i]!, 0);
      const v = fma32(fround(fround(1 - 0.999) * g[i]!), g[i]!, 0);
      const q = fround(fround(fround(Math.sqrt(v)) / root) + fround(1e-8));
      expect([s.m[i], s.v[i], s.denom[i]]).toEqual([m, v, q]);
      expect(params.w[i]).toBe(fround(fround(theta[i]! * keep) + fround(fround(c * m) / q)));
    }
  });
});
