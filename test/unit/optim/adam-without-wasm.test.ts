/**
 * Where WebAssembly is missing, AdamW's kernels stay in JavaScript for every
 * size: the path of tensors above the threshold reports the WebAssembly
 * kernels unavailable and still computes torch's roundings, untraced and
 * traced (a traced step's sums then come from the JavaScript loops). The
 * global is removed before the kernel module is loaded (vitest isolates
 * each file).
 */
import { describe, expect, it } from 'vitest';
import { withoutGlobal } from '../support/withoutGlobal';

withoutGlobal('WebAssembly');

describe('AdamW kernels without WebAssembly', () => {
  it('report WebAssembly unavailable and take an AdamW step on a float32 tensor above the threshold in JavaScript', async () => {
    const { ADAMW_WASM_MIN_LENGTH, adamWasmAvailable } = await import('../../../engine/optim/adamWasm');
    const { scaleByAdam } = await import('../../../engine/optim/adam');
    const { applyUpdates } = await import('../../../engine/optim/apply');
    const { fma32, fround } = await import('../../../engine/optim/float32');
    expect(adamWasmAvailable()).toBe(false);
    const n = ADAMW_WASM_MIN_LENGTH + 5; // large enough for the WebAssembly kernels, were they there (SIMD blocks and a tail)
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
    for (const i of [0, 1, n >> 1, n - 1]) {
      // adam.ts and apply.ts's formulas, element by element, with torch's float32 roundings.
      // Step 1 from m = v = 0.
      const m = fma32(fround(1 - 0.9), g[i]!, 0);
      const v = fma32(fround(fround(1 - 0.999) * g[i]!), g[i]!, 0);
      const q = fround(fround(fround(Math.sqrt(v)) / root) + fround(1e-8));
      expect([s.m[i], s.v[i], s.denom[i]]).toEqual([m, v, q]);
      expect(params.w[i]).toBe(fround(fround(theta[i]! * keep) + fround(fround(c * m) / q)));
    }
  });

  it('take traced AdamW steps in JavaScript: the same bits as untraced, and the full Tracer\'s norms from the light trace\'s sums', async () => {
    const { ADAMW_WASM_MIN_LENGTH } = await import('../../../engine/optim/adamWasm');
    const { adamw, step, Tracer } = await import('../../../engine/optim');
    const { StatsTracer } = await import('../../../engine/run');
    const sizes = { 'fc1.weight': 1000, 'fc1.bias': ADAMW_WASM_MIN_LENGTH + 3, 'fc2.bias': 1 };
    const run = (sink?: () => InstanceType<typeof Tracer> | InstanceType<typeof StatsTracer>) => {
      const params = Object.fromEntries(Object.entries(sizes).map(([name, n]) => [name, Float32Array.from({ length: n }, (_, i) => Math.cos(3 * i + n))]));
      const tx = adamw({ lr: 1e-2, weightDecay: 0.1 });
      let state = tx.init(params);
      const traces = [];
      for (let t = 1; t <= 3; t++) {
        const grads = Object.fromEntries(Object.entries(sizes).map(([name, n]) => [name, Float32Array.from({ length: n }, (_, i) => Math.sin(i * t + n) * 1e-2)]));
        const r = step(tx, params, grads, state, sink?.());
        state = r.state;
        traces.push(r.trace);
      }
      return { params, state, traces };
    };
    const untraced = run();
    const light = run(() => new StatsTracer());
    const full = run(() => new Tracer());
    for (const name of Object.keys(sizes)) {
      expect(Array.from(light.params[name]!)).toEqual(Array.from(untraced.params[name]!));
      expect(Array.from(full.params[name]!)).toEqual(Array.from(untraced.params[name]!));
    }
    let compared = 0;
    light.traces.forEach((trace, t) => {
      for (const [name, p] of Object.entries(trace!)) {
        for (const [key, term] of Object.entries(p.terms)) {
          const expected = full.traces[t]![name]!.terms[key]!.l2Norm;
          expect(Math.abs(term.l2Norm - expected), `${name} ${key} at step ${t + 1}`).toBeLessThanOrEqual(1e-12 * expected);
          compared++;
        }
      }
    });
    expect(compared).toBeGreaterThan(30);
  });
});
