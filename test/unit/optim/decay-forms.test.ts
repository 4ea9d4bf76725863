/**
 * AdamW's two decay forms: torch's θ ← θ − lr_t·λ·θ − lr_t·m̂/(√v̂+ε) and the
 * paper's θ ← θ − η_t·(α·m̂/(√v̂+ε) + λ·θ); and Adam's coupled L2.
 */
import { describe, expect, it } from 'vitest';
import { adam, adamw, cosineDecay, step, Tracer, type GradientTransformation } from '../../../engine/optim';

const grads = (t: number) => ({ w: Float32Array.from([0.3, -0.01, 2, -1.5], (x) => x * Math.cos(t + 1)) });
const start = () => ({ w: Float32Array.of(1, -2, 0.5, 3) });

function train(tx: GradientTransformation<any>, steps: number, tracer?: Tracer) {
  const params = start();
  let state = tx.init(params);
  /** Per step, the decay term of the first weight divided by that weight before the step. */
  const decayRates: number[] = [];
  for (let t = 0; t < steps; t++) {
    const out = step(tx, params, grads(t), state, tracer);
    state = out.state;
    const terms = out.trace?.['w']?.terms;
    if (terms) decayRates.push((terms['update.decay']?.values?.[0] ?? 0) / terms['param']!.values![0]!);
  }
  return { params: params.w, decayRates };
}

describe('AdamW decay forms', () => {
  it("with a constant schedule, paper(λ' = α·λ) equals torch(λ) bit for bit", () => {
    const alpha = 1e-2;
    const torch = train(adamw({ lr: alpha, weightDecay: 0.1 }), 8).params;
    const paper = train(adamw({ lr: alpha, weightDecay: alpha * 0.1, decay: 'paper' }), 8).params;
    expect(paper).toEqual(torch);
  });

  it('with a schedule, torch decays by lr_t·λ = α·η_t·λ, the paper by η_t·λ', () => {
    const alpha = 1e-2;
    const lambda = 0.1;
    const eta = cosineDecay(1, 6, 0.1);
    const keep = { keepValues: true };
    const torch = train(adamw({ lr: alpha, multiplier: eta, weightDecay: lambda }), 6, new Tracer(keep));
    const paper = train(adamw({ lr: alpha, multiplier: eta, weightDecay: lambda, decay: 'paper' }), 6, new Tracer(keep));
    for (let t = 0; t < 6; t++) {
      expect(torch.decayRates[t]).toBeCloseTo(-alpha * eta(t) * lambda, 14);
      expect(paper.decayRates[t]).toBeCloseTo(-eta(t) * lambda, 14);
    }
    expect(paper.params).not.toEqual(torch.params);
  });

  it("tuning α changes torch's decay per step but not the paper's", () => {
    const decayAt = (decay: 'torch' | 'paper', lr: number) => train(adamw({ lr, weightDecay: 0.1, decay }), 1, new Tracer({ keepValues: true })).decayRates[0]!;
    expect(decayAt('torch', 1e-2)).toBeCloseTo(10 * decayAt('torch', 1e-3), 12);
    expect(decayAt('paper', 1e-2)).toBe(decayAt('paper', 1e-3));
  });
});

describe("Adam's coupled L2 vs AdamW's decoupled decay", () => {
  it('differ: Adam rescales λθ by 1/√v̂, AdamW does not', () => {
    const l2 = train(adam({ lr: 1e-2, weightDecay: 0.1 }), 5).params;
    const decoupled = train(adamw({ lr: 1e-2, weightDecay: 0.1 }), 5).params;
    expect(l2).not.toEqual(decoupled);
  });

  it('agree when λ = 0', () => {
    expect(train(adam({ lr: 1e-2 }), 5).params).toEqual(train(adamw({ lr: 1e-2, weightDecay: 0 }), 5).params);
  });
});
