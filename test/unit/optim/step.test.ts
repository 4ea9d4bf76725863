import { describe, expect, it } from 'vitest';
import { adamw, sgd, step } from '../../../engine/optim';

describe('step', () => {
  it('updates the parameters in place and returns the new state', () => {
    const params = { w: Float32Array.of(1, 2) };
    const w = params.w;
    const tx = sgd({ lr: 0.5 });
    const { state, trace } = step(tx, params, { w: Float32Array.of(1, -1) }, tx.init(params));
    expect(params.w).toBe(w);
    expect(Array.from(w)).toEqual([0.5, 2.5]);
    expect(state).toHaveLength(3);
    expect(trace).toBeUndefined();
  });

  it('a parameter without a gradient is left alone, as torch skips p.grad = None', () => {
    const params = { a: Float64Array.of(1), b: Float64Array.of(1) };
    const tx = adamw({ lr: 0.1 });
    step(tx, params, { a: Float64Array.of(1) }, tx.init(params));
    expect(params.b[0]).toBe(1);
    expect(params.a[0]).not.toBe(1);
  });

  it('rejects gradients that do not fit their parameter', () => {
    const params = { w: Float32Array.of(1, 2) };
    const tx = sgd({ lr: 0.1 });
    const state = tx.init(params);
    expect(() => step(tx, params, { v: Float32Array.of(1, 2) }, state)).toThrow("gradient for unknown parameter 'v'");
    expect(() => step(tx, params, { w: Float32Array.of(1) }, state)).toThrow("gradient of 'w' is a Float32Array(1), its parameter a Float32Array(2)");
    expect(() => step(tx, params, { w: Float64Array.of(1, 2) }, state)).toThrow(/Float64Array\(2\), its parameter a Float32Array\(2\)/);
  });
});
