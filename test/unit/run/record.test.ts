import { describe, expect, it } from 'vitest';
import { adam, adamw, sgd, decayExcept, step, Tracer, type CollectingSink } from '../../../engine/optim';
import { decaySemantics, recordStep, snapshotOf, StatsTracer, type DecaySemantics } from '../../../engine/run';

/** One traced step on θ = [1, −2] with g = [0.5, 0.25] (float64), recorded. */
function oneStep(tx: ReturnType<typeof adamw>, decay: DecaySemantics, sink: CollectingSink = new StatsTracer()) {
  const params = { w: Float64Array.of(1, -2) };
  const grads = { w: Float64Array.of(0.5, 0.25) };
  const state = tx.init(params);
  const { trace } = step(tx, params, grads, state, sink);
  return { record: recordStep(trace!, { step: 1, epoch: 0, loss: 0.7, valLoss: null, gradNorm: Math.hypot(0.5, 0.25), decay }), params, trace: trace! };
}

const spec = (type: 'AdamW' | 'Adam' | 'SGD', lr: number, args: Record<string, number>, noDecay: string[] = []) => ({ type, lr, args, noDecay });

describe('run record of one AdamW step, against hand-computed values', () => {
  // t = 1: m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², √v̂ = |g| = [0.5, 0.25]
  const lr = 0.1;
  const lambda = 0.01;
  const { record, params } = oneStep(adamw({ lr, weightDecay: lambda }), decaySemantics(spec('AdamW', lr, { weight_decay: lambda })));
  const w = record.layers['w']!;

  it('bias corrections and lr', () => {
    expect(record.biasCorrection1).toBeCloseTo(10, 12); // 1/(1 − 0.9)
    expect(record.biasCorrection2).toBeCloseTo(1000, 9); // 1/(1 − 0.999)
    expect(record.lr).toBe(0.1);
  });

  it('norms of g, θ, m and m̂', () => {
    const gNorm = Math.hypot(0.5, 0.25);
    expect(w.gradNorm).toBeCloseTo(gNorm, 14);
    expect(w.weightNorm).toBeCloseTo(Math.sqrt(5), 14);
    expect(w.mNorm).toBeCloseTo(0.1 * gNorm, 14);
    expect(w.mHatNorm).toBeCloseTo(gNorm, 12);
  });

  it('√v̂ and the effective step size lr/(√v̂ + ε)', () => {
    expect(w.sqrtVHat!.mean).toBeCloseTo(0.375, 10);
    expect(w.sqrtVHat!.min).toBeCloseTo(0.25, 10);
    expect(w.sqrtVHat!.max).toBeCloseTo(0.5, 10);
    expect(w.sqrtVHat!.std).toBeCloseTo(0.25 / Math.SQRT2, 10); // unbiased std of two values
    expect(w.stepSize!.min).toBeCloseTo(lr / 0.5, 6);
    expect(w.stepSize!.max).toBeCloseTo(lr / 0.25, 6);
  });

  it('Adam and decay update norms, decay share, update-to-weight ratio, effective decay', () => {
    const adamNorm = lr * Math.SQRT2; // each element moves by lr·m̂/√v̂ = lr
    const decayNorm = lr * lambda * Math.sqrt(5);
    expect(w.stepNorm).toBeCloseTo(adamNorm, 7);
    expect(w.decayNorm).toBeCloseTo(decayNorm, 14);
    expect(w.decayShare).toBeCloseTo(decayNorm / (adamNorm + decayNorm), 7);
    // θ_after = θ − lr·λ·θ − lr·sign(g)
    expect(params.w[0]).toBeCloseTo(1 - 0.001 - 0.1, 7);
    expect(params.w[1]).toBeCloseTo(-2 + 0.002 - 0.1, 7);
    expect(w.updateNorm).toBeCloseTo(Math.hypot(0.101, 0.098), 7);
    expect(w.updateToWeight).toBeCloseTo(Math.hypot(0.101, 0.098) / Math.sqrt(5), 7);
    expect(w.effectiveDecay).toBeCloseTo(lr * lambda, 15);
  });

  it('the light StatsTracer and the full Tracer give the same record', () => {
    const full = oneStep(adamw({ lr, weightDecay: lambda }), decaySemantics(spec('AdamW', lr, { weight_decay: lambda })), new Tracer()).record;
    for (const [key, value] of Object.entries(full.layers['w']!)) {
      const light = (w as unknown as Record<string, unknown>)[key];
      if (typeof value === 'number') expect(light as number).toBeCloseTo(value, 10);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) expect((light as Record<string, number>)[k]).toBeCloseTo(v as number, 10);
    }
  });
});

describe('effective decay rate', () => {
  it('Adam with L2: λ·mean(lr/(√v̂ + ε)), rescaled per element by the gradient size', () => {
    // g' = g + λθ = [0.5 + 0.1, 0.25 − 0.2] = [0.6, 0.05]; at t = 1 √v̂ = |g'|
    const lr = 0.1;
    const lambda = 0.1;
    const { record } = oneStep(adam({ lr, weightDecay: lambda }), decaySemantics(spec('Adam', lr, { weight_decay: lambda })));
    const w = record.layers['w']!;
    expect(w.sqrtVHat!.min).toBeCloseTo(0.05, 9);
    expect(w.sqrtVHat!.max).toBeCloseTo(0.6, 9);
    expect(w.stepSize!.mean).toBeCloseTo((lr / 0.6 + lr / 0.05) / 2, 5);
    expect(w.effectiveDecay).toBeCloseTo(lambda * (lr / 0.6 + lr / 0.05) / 2, 5);
    expect(w.decayNorm).toBe(0); // the decay is inside the Adam step, not a separate update
    expect(w.decayShare).toBe(0);
  });

  it('AdamW in the paper form decays by η_t·λ, and its lr is α·η_t', () => {
    const { record } = oneStep(adamw({ lr: 0.1, weightDecay: 0.01, decay: 'paper', multiplier: () => 0.5 }), decaySemantics(spec('AdamW', 0.1, { weight_decay: 0.01 })));
    expect(record.lr).toBeCloseTo(0.05, 15);
    expect(record.layers['w']!.effectiveDecay).toBeCloseTo(0.005, 15);
    expect(record.layers['w']!.decayNorm).toBeCloseTo(0.005 * Math.sqrt(5), 14);
  });

  it('is 0 for tensors in the no-decay group', () => {
    const d = decaySemantics(spec('AdamW', 0.1, { weight_decay: 0.01 }, ['*.bias']));
    expect(d.decays('fc.bias')).toBe(false);
    const params = { 'fc.weight': Float64Array.of(1, 2), 'fc.bias': Float64Array.of(3) };
    const grads = { 'fc.weight': Float64Array.of(0.1, 0.2), 'fc.bias': Float64Array.of(0.3) };
    const tx = adamw({ lr: 0.1, weightDecay: 0.01, mask: decayExcept(['*.bias']) });
    const { trace } = step(tx, params, grads, tx.init(params), new StatsTracer());
    const r = recordStep(trace!, { step: 1, epoch: 0, loss: 0, valLoss: null, gradNorm: 0, decay: d });
    expect(r.layers['fc.bias']!.effectiveDecay).toBe(0);
    expect(r.layers['fc.bias']!.decayNorm).toBe(0);
    expect(r.layers['fc.weight']!.effectiveDecay).toBeCloseTo(0.001, 15);
  });

  it('SGD with L2 decays at lr·λ, has no moments and no bias correction', () => {
    const { record } = oneStep(sgd({ lr: 0.5, weightDecay: 0.02 }) as ReturnType<typeof adamw>, decaySemantics(spec('SGD', 0.5, { weight_decay: 0.02 })));
    const w = record.layers['w']!;
    expect(record.biasCorrection1).toBeNull();
    expect(w.mNorm).toBeNull();
    expect(w.sqrtVHat).toBeNull();
    expect(w.effectiveDecay).toBeCloseTo(0.01, 15);
    // Δθ = −lr·(g + λθ) = −0.5·[0.52, 0.21]
    expect(w.updateNorm).toBeCloseTo(0.5 * Math.hypot(0.52, 0.21), 14);
  });
});

describe('a one-element tensor', () => {
  it('has no sample std of √v̂ or of the step size (null, not NaN): n − 1 = 0', () => {
    const params = { b: Float64Array.of(0.3) };
    const tx = adamw({ lr: 0.1 });
    const { trace } = step(tx, params, { b: Float64Array.of(0.5) }, tx.init(params), new StatsTracer());
    const b = recordStep(trace!, { step: 1, epoch: 0, loss: 0.7, valLoss: null, gradNorm: 0.5, decay: decaySemantics(undefined) }).layers['b']!;
    expect(b.sqrtVHat!.mean).toBeCloseTo(0.5, 10);
    expect(b.sqrtVHat!.std).toBeNull();
    expect(b.stepSize!.std).toBeNull();
    expect(b.stepSize!.min).toBeCloseTo(0.2, 6);
  });
});

describe('snapshots', () => {
  it('hold fixed-bin histograms of weights, m̂, √v̂ and the update', () => {
    const { trace } = oneStep(adamw({ lr: 0.1 }), decaySemantics(undefined), new Tracer({ histogram: { bins: 4 } }));
    const s = snapshotOf(1, trace);
    const h = s.layers['w']!;
    expect(Object.keys(h).sort()).toEqual(['mHat', 'sqrtVHat', 'update', 'weight']);
    expect(h.weight!.counts).toHaveLength(4);
    expect(h.weight!.lo).toBe(-2); // θ before the step is [1, −2]
    expect(h.weight!.hi).toBe(1);
    expect(h.weight!.counts).toEqual([1, 0, 0, 1]);
    expect(h.sqrtVHat!.lo).toBeCloseTo(0.25, 10);
  });
});
