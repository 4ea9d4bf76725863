import { describe, expect, it } from 'vitest';
import { adamw, chain, scaleByAdam, scaleByLearningRate, sgd, step, Tracer, type GradientTransformation, type TraceSink } from '../../../engine/optim';

/** Deterministic pseudo-random float32 values in (−scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

function train(tx: GradientTransformation<any>, steps: number, tracer?: Tracer) {
  const params = { 'fc.weight': values(50, 1), 'fc.bias': values(7, 2) };
  let state = tx.init(params);
  const traces = [];
  for (let t = 0; t < steps; t++) {
    const grads = { 'fc.weight': values(50, 100 + t, 0.1), 'fc.bias': values(7, 200 + t, 0.1) };
    const out = step(tx, params, grads, state, tracer);
    state = out.state;
    traces.push(out.trace);
  }
  return { params, traces };
}

const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));

describe('tracing', () => {
  it('on or off, the parameters are bit-identical', () => {
    const off = train(adamw({ lr: 1e-2, weightDecay: 0.1, amsgrad: true }), 6);
    const on = train(adamw({ lr: 1e-2, weightDecay: 0.1, amsgrad: true }), 6, new Tracer({ histogram: { bins: 10 }, keepValues: true }));
    expect(on.params).toEqual(off.params);
    expect(off.traces.every((t) => t === undefined)).toBe(true);
  });

  it('reports every AdamW term, consistent with each other and with the step', () => {
    const tracer = new Tracer({ keepValues: true, histogram: { bins: 8 } });
    const lr = 1e-2;
    const wd = 0.1;
    const params = { w: values(40, 7) };
    const before = Float64Array.from(params.w);
    const g = values(40, 8, 0.5);
    const tx = adamw({ lr, weightDecay: wd });
    const { trace } = step(tx, params, { w: g }, tx.init(params), tracer);
    const w = trace!['w']!;
    expect(Object.keys(w.terms).sort()).toEqual(['direction', 'grad', 'm', 'mHat', 'param', 'sqrtVHat', 'stepScale', 'update', 'update.adam', 'update.decay', 'v', 'vHat'].sort());
    expect(w.scalars).toMatchObject({ lr, step: 1 });
    expect(w.scalars['biasCorrection1']).toBeCloseTo(0.1, 15);
    expect(w.scalars['biasCorrection2']).toBeCloseTo(0.001, 15);
    const at = (k: string, i: number) => w.terms[k]!.values![i]!;
    for (let i = 0; i < 40; i++) {
      expect(at('grad', i)).toBe(g[i]);
      expect(at('param', i)).toBe(before[i]);
      expect(at('mHat', i)).toBeCloseTo(g[i]!, 6);
      expect(at('sqrtVHat', i)).toBeCloseTo(Math.abs(g[i]!), 6); // t = 1: v̂ = g²
      // 1/q as the step applies it: q = √v̂ + ε rounded to float32 by the kernel (a few float32 ulp from √v̂ + ε in double).
      expect(Math.abs(at('stepScale', i) * (at('sqrtVHat', i) + 1e-8) - 1)).toBeLessThan(3e-7);
      const q = 1 / at('stepScale', i);
      expect(Math.abs(Math.fround(q) - q)).toBeLessThanOrEqual(1e-15 * q); // q is a float32 value
      // √v̂ as the step used it (float32), within float32 rounding of √v̂ in double; the direction follows it.
      expect(Math.abs(at('sqrtVHat', i) / Math.sqrt(at('vHat', i)) - 1)).toBeLessThan(3e-7);
      expect(at('direction', i)).toBeCloseTo(at('mHat', i) / (at('sqrtVHat', i) + 1e-8), 12);
      // update.adam comes from the stored float32 m and √v̂ + ε; direction from m̂, v̂ in double.
      expect(Math.abs(at('update.adam', i) + lr * at('direction', i))).toBeLessThan(1e-6 * lr);
      expect(at('update.decay', i)).toBeCloseTo(-lr * wd * before[i]!, 12);
      expect(at('update', i)).toBe(params.w[i]! - before[i]!);
      // float32 rounding aside, the applied update is the sum of the terms
      expect(Math.abs(at('update', i) - at('update.adam', i) - at('update.decay', i))).toBeLessThan(1e-7);
    }
    // Summary statistics are those of the values.
    const dec = w.terms['update.decay']!;
    expect(dec.l2Norm).toBeCloseTo(norm(dec.values!), 14);
    expect(dec.mean).toBeCloseTo(dec.values!.reduce((s, v) => s + v, 0) / 40, 15);
    expect(dec.min).toBe(Math.min(...dec.values!));
    expect(dec.histogram!.counts.reduce((s, c) => s + c, 0)).toBe(40);
    // Ratios.
    expect(w.updateToWeight).toBeCloseTo(norm(w.terms['update']!.values!) / norm(before), 12);
    const adamNorm = w.terms['update.adam']!.l2Norm;
    expect(w.decayShare).toBeCloseTo(dec.l2Norm / (adamNorm + dec.l2Norm), 14);
    expect(w.decayShare).toBeGreaterThan(0);
    expect(w.decayShare).toBeLessThan(1);
  });

  it('decay share is 0 without decay, and the amsgrad second moment is vMaxHat', () => {
    const { traces } = train(adamw({ weightDecay: 0, amsgrad: true }), 2, new Tracer());
    const t = traces[1]!['fc.weight']!;
    expect(t.decayShare).toBe(0);
    expect(t.terms['vMax']).toBeDefined();
    expect(t.terms['vMaxHat']).toBeDefined();
    expect(t.terms['vHat']).toBeUndefined();
  });

  it('SGD reports its momentum buffer and its single update term', () => {
    const { traces } = train(sgd({ lr: 0.1, momentum: 0.9 }), 2, new Tracer());
    const t = traces[1]!['fc.bias']!;
    expect(Object.keys(t.terms).sort()).toEqual(['grad', 'momentum', 'param', 'update', 'update.direction']);
    expect(t.scalars['lr']).toBe(0.1);
  });

  it('reuses its buffers from step to step', () => {
    const tracer = new Tracer();
    expect(tracer.buffer('w', 'mHat', 5)).toBe(tracer.buffer('w', 'mHat', 5));
    expect(tracer.buffer('w', 'mHat', 6)).toHaveLength(6);
  });

  it('`keys` limits which tensors are summarized; update terms are always kept for the ratios', () => {
    const { traces } = train(adamw(), 1, new Tracer({ keys: ['m'] }));
    expect(Object.keys(traces[0]!['fc.weight']!.terms).sort()).toEqual(['m', 'param', 'update', 'update.adam', 'update.decay']);
  });

  it('transformations talk to the sink only when one is given', () => {
    const calls: string[] = [];
    const sink: TraceSink = {
      tensor: (_p, k) => void calls.push(k),
      buffer: (_p, _k, n) => new Float64Array(n),
      scalar: (_p, k) => void calls.push(k),
    };
    const tx = chain(scaleByAdam(), scaleByLearningRate(0.1));
    const params = { w: values(3, 1) };
    const state = tx.init(params);
    tx.update({ w: values(3, 2) }, state, params);
    expect(calls).toEqual([]);
    tx.update({ w: values(3, 2) }, state, params, sink);
    expect(calls).toEqual(['step', 'biasCorrection1', 'biasCorrection2', 'm', 'v', 'mHat', 'vHat', 'sqrtVHat', 'stepScale', 'direction', 'lr']);
  });
});
