/**
 * Each transformation on its own, on small float64 tensors with values
 * computed by hand (the expected numbers are written out from the formulas).
 */
import { describe, expect, it } from 'vitest';
import {
  addDecayedWeights,
  addL2,
  applyUpdates,
  chain,
  maximize,
  scale,
  scaleByAdam,
  scaleByLearningRate,
  scaleBySchedule,
  traceMomentum,
  type GradientTransformation,
  type Params,
  type Term,
  type Updates,
} from '../../../engine/optim';

const f64 = (...x: number[]) => Float64Array.from(x);

/** Run one update and return the updates and the new state. */
function once<S>(tx: GradientTransformation<S>, grads: Params, params: Params, state = tx.init(params)) {
  return tx.update(grads, state, params);
}

/** Δθ of the updates, by applying them to a copy of the params. */
function delta(updates: Updates, params: Params): Record<string, number[]> {
  const copy = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.slice()]));
  applyUpdates(copy, updates);
  return Object.fromEntries(Object.entries(copy).map(([k, v]) => [k, Array.from(v, (x, i) => x - params[k]![i]!)]));
}

function expectClose(got: ArrayLike<number>, want: number[], tol = 1e-14): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w), `element ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w))));
}

describe('scaleByAdam', () => {
  const theta = { w: f64(1, -2) };

  it('step 1: m̂ = g, v̂ = g², direction = g/(|g| + ε)', () => {
    const tx = scaleByAdam({ b1: 0.9, b2: 0.999, eps: 1e-8 });
    const { updates, state } = once(tx, { w: f64(0.5, -4) }, theta);
    // m = 0.1·g, v = 0.001·g², bias corrections 0.1 and 0.001.
    expectClose(state['w']!.m, [0.05, -0.4]);
    expectClose(state['w']!.v, [0.00025, 0.016]);
    expect(state['w']!.step).toBe(1);
    expectClose(delta(updates, theta)['w']!, [0.5 / (0.5 + 1e-8), -4 / (4 + 1e-8)]);
  });

  it('step 2 with bias corrections 1 − β^2', () => {
    const tx = scaleByAdam({ b1: 0.9, b2: 0.999, eps: 1e-8 });
    const { state } = once(tx, { w: f64(0.5, -4) }, theta);
    const { updates } = once(tx, { w: f64(-1, 2) }, theta, state);
    const m = [0.9 * 0.05 + 0.1 * -1, 0.9 * -0.4 + 0.1 * 2];
    const v = [0.999 * 0.00025 + 0.001 * 1, 0.999 * 0.016 + 0.001 * 4];
    const bc1 = 1 - 0.81;
    const bc2 = 1 - 0.998001;
    const want = m.map((mi, i) => (mi / bc1) / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + 1e-8));
    expectClose(delta(updates, theta)['w']!, want, 1e-13);
  });

  it('amsgrad divides by the running maximum of v', () => {
    const tx = scaleByAdam({ b1: 0, b2: 0.5, eps: 0, amsgrad: true });
    const first = once(tx, { w: f64(2, 2) }, theta);
    // v = 0.5·4 = 2; vMax = 2. Next g = (1, 0): v = (1.5, 1), vMax = (2, 2).
    const { updates, state } = once(tx, { w: f64(1, 0) }, theta, first.state);
    expectClose(state['w']!.v, [0.5 * 2 + 0.5 * 1, 1]);
    expectClose(state['w']!.vMax!, [2, 2]);
    // b1 = 0: m = g, bc1 = 1; bc2 = 1 − 0.25 = 0.75.
    expectClose(delta(updates, theta)['w']!, [1 / Math.sqrt(2 / 0.75), 0]);
  });

  it('outputs one ratio term with divisor 1 − β1^t', () => {
    const tx = scaleByAdam();
    const { updates } = once(tx, { w: f64(1, 1) }, theta);
    const [term] = updates['w'] as Term[];
    expect(term).toMatchObject({ kind: 'ratio', label: 'adam', scale: 1 });
    expect(term!.divisor).toBeCloseTo(0.1, 15);
  });

  it('keeps a step count per parameter (torch: state["step"])', () => {
    const params = { a: f64(1), b: f64(1) };
    const tx = scaleByAdam();
    let { state } = once(tx, { a: f64(1), b: f64(1) }, params);
    ({ state } = tx.update({ a: f64(1) }, state, params));
    expect(state['a']!.step).toBe(2);
    expect(state['b']!.step).toBe(1);
  });
});

describe('addDecayedWeights (decoupled)', () => {
  it('adds λθ as a decay term; with −lr it shrinks θ by lr·λ·θ', () => {
    const params = { w: f64(2, -4) };
    const tx = chain(addDecayedWeights(0.1), scaleByLearningRate(0.5));
    const { updates } = once(tx, { w: f64(0, 0) }, params);
    expectClose(delta(updates, params)['w']!, [-0.5 * 0.1 * 2, -0.5 * 0.1 * -4]);
  });

  it('leaves masked-out parameters alone, and λ = 0 adds nothing', () => {
    const params = { 'l.weight': f64(1), 'l.bias': f64(1) };
    const tx = chain(addDecayedWeights(0.1, (n) => n.endsWith('weight')), scaleByLearningRate(1));
    const d = delta(once(tx, { 'l.weight': f64(0), 'l.bias': f64(0) }, params).updates, params);
    expectClose(d['l.weight']!, [-0.1]);
    expectClose(d['l.bias']!, [0]);
    const none = once(addDecayedWeights(0), { w: f64(3) }, { w: f64(1) }).updates;
    expect(none['w']).toEqual(f64(3));
  });
});

describe('addL2 (coupled)', () => {
  it('adds λθ to the gradient before the moments', () => {
    const params = { w: f64(2, -4) };
    const { updates } = once(addL2(0.5), { w: f64(1, 1) }, params);
    expect(Array.from(updates['w'] as Float64Array)).toEqual([1 + 0.5 * 2, 1 + 0.5 * -4]);
  });

  it('so Adam rescales the decay: a constant-gradient weight barely decays', () => {
    // With g = 0 and L2, Adam's step is λθ/(|λθ| + ε) ≈ sign(θ): not proportional to θ.
    const params = { w: f64(10, 0.001) };
    const tx = chain(addL2(0.1), scaleByAdam({ eps: 0 }), scaleByLearningRate(0.01));
    expectClose(delta(once(tx, { w: f64(0, 0) }, params).updates, params)['w']!, [-0.01, -0.01]);
  });

  it('respects its mask', () => {
    const params = { a: f64(2), b: f64(2) };
    const { updates } = once(addL2(1, (n) => n === 'a'), { a: f64(0), b: f64(0) }, params);
    expect(Array.from(updates['a'] as Float64Array)).toEqual([2]);
    expect(Array.from(updates['b'] as Float64Array)).toEqual([0]);
  });
});

describe('scaling', () => {
  const params = { w: f64(1, 1) };
  const g = { w: f64(2, -6) };

  it('scale(k) multiplies, scaleByLearningRate(lr) multiplies by −lr', () => {
    expectClose(delta(once(scale(3), g, params).updates, params)['w']!, [6, -18]);
    expectClose(delta(once(scaleByLearningRate(0.1), g, params).updates, params)['w']!, [-0.2, 0.6]);
  });

  it('a schedule is evaluated at the number of updates so far', () => {
    const tx = scaleBySchedule((t) => 10 ** t);
    let state = tx.init(params);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const out = tx.update(g, state, params);
      state = out.state;
      seen.push((out.updates['w'] as Term[])[0]!.scale);
    }
    expect(seen).toEqual([1, 10, 100]);
  });

  it('maximize negates the gradient', () => {
    const { updates } = once(maximize(), g, params);
    expect(Array.from(updates['w'] as Float64Array)).toEqual([-2, 6]);
    expectClose(delta(once(chain(maximize(), scaleByLearningRate(0.5)), g, params).updates, params)['w']!, [1, -3]);
  });
});

describe('traceMomentum', () => {
  const params = { w: f64(0) };
  const run = (tx: GradientTransformation<any>, grads: number[]) => {
    let state = tx.init(params);
    return grads.map((x) => {
      const out = tx.update({ w: f64(x) }, state, params);
      state = out.state;
      return delta(out.updates, params)['w']![0]!;
    });
  };

  it('first step is the gradient, then b = μb + (1 − τ)g', () => {
    const steps = run(traceMomentum({ momentum: 0.9, dampening: 0.5 }), [1, 1, 2]);
    const b2 = 0.9 * 1 + 0.5 * 1;
    expectClose(steps, [1, b2, 0.9 * b2 + 0.5 * 2]);
  });

  it('Nesterov returns g + μb', () => {
    const steps = run(traceMomentum({ momentum: 0.5, nesterov: true }), [1, 2]);
    expectClose(steps, [1 + 0.5 * 1, 2 + 0.5 * (0.5 * 1 + 2)]);
  });

  it('μ = 0 is the identity', () => {
    expectClose(run(traceMomentum({ momentum: 0 }), [3, -1]), [3, -1]);
  });
});

describe('chain', () => {
  it('threads updates and keeps one state per transformation', () => {
    const params = { w: f64(1) };
    const tx = chain(scale(2), scaleBySchedule((t) => t + 1), scaleByLearningRate(1));
    const state = tx.init(params);
    expect(state).toHaveLength(3);
    const out = tx.update({ w: f64(1) }, state, params);
    expect((out.state[1] as { count: number }).count).toBe(1);
    expectClose(delta(out.updates, params)['w']!, [-2]);
  });

  it('a gradient transformation after a scaling works on the evaluated Δθ', () => {
    const params = { w: f64(1) };
    const tx = chain(scale(-1), maximize());
    expectClose(delta(once(tx, { w: f64(5) }, params).updates, params)['w']!, [5]);
  });
});
