/** Module roll-ups of the AdamW terms and the layer × step grid of the update-to-weight ratio. */
import { describe, expect, it } from 'vitest';
import { adamw, sgd, step, type StepTrace } from '../../../engine/optim';
import { binRecords, decaySemantics, ratioGrid, recordStep, rollUp, rollupRows, StatsTracer, type LayerStep, type RunStep } from '../../../engine/run';

const LR = 0.05;
const LAMBDA = 0.1;

/** One recorded AdamW (or SGD) step of `params` with gradients `grads`, after `warm` earlier steps (so m̂, v̂ differ from g). */
function recorded(params: Record<string, Float64Array>, grads: Record<string, Float64Array>, tx = adamw({ lr: LR, weightDecay: LAMBDA }), type: 'AdamW' | 'SGD' = 'AdamW'): RunStep {
  let state = tx.init(params);
  let trace: StepTrace | undefined;
  for (let t = 0; t < 3; t++) {
    // Gradients that change between steps (the same rule for every element, so splitting a tensor changes nothing).
    const g = Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, v.map((x) => x * (1 + t) - 0.02 * t)]));
    ({ state, trace } = step(tx, params, g, state, new StatsTracer()));
  }
  return recordStep(trace!, { step: 3, epoch: 0, loss: 1, valLoss: null, gradNorm: 0, decay: decaySemantics({ type, lr: LR, args: { weight_decay: LAMBDA }, noDecay: [] }) });
}

const a = () => Float64Array.of(1, -2, 0.5);
const b = () => Float64Array.of(0.02, 3, -1, 0.25, 4);
const ga = () => Float64Array.of(0.5, 0.25, -0.1);
const gb = () => Float64Array.of(-3, 0.001, 0.2, 1.5, -0.4);
const cat = (x: Float64Array, y: Float64Array) => Float64Array.from([...x, ...y]);

describe('rollUp: a module is its tensors concatenated into one vector', () => {
  // AdamW is elementwise, so stepping a and b as two tensors moves every element as stepping [a, b] as one does:
  // the module's roll-up of the two records must equal the record of the concatenated tensor.
  const split = recorded({ a: a(), b: b() }, { a: ga(), b: gb() });
  const joined = recorded({ ab: cat(a(), b()) }, { ab: cat(ga(), gb()) }).layers['ab']!;
  const group = [{ name: 'a', numel: 3 }, { name: 'b', numel: 5 }];
  const r = rollUp(split, group)!;

  it('norms combine as √Σ‖·‖²', () => {
    for (const key of ['gradNorm', 'weightNorm', 'mNorm', 'mHatNorm', 'stepNorm', 'decayNorm', 'updateNorm'] as const) {
      expect(r[key], key).toBeCloseTo(joined[key] as number, 12);
    }
  });

  it('the ratio and the decay share are those of the combined norms', () => {
    expect(r.updateToWeight).toBeCloseTo(joined.updateToWeight, 12);
    expect(r.decayShare).toBeCloseTo(joined.decayShare, 12);
    // Not the mean of the tensors' ratios: b's large weights dominate, as they do in ‖[a, b]‖.
    const meanOfRatios = (split.layers['a']!.updateToWeight + split.layers['b']!.updateToWeight) / 2;
    expect(Math.abs(r.updateToWeight - meanOfRatios)).toBeGreaterThan(1e-3 * r.updateToWeight);
  });

  it('per-element means are weighted by numel', () => {
    expect(r.sqrtVHatMean).toBeCloseTo(joined.sqrtVHat!.mean, 12);
    expect(r.stepSizeMean).toBeCloseTo(joined.stepSize!.mean, 8);
    expect(r.effectiveDecay).toBeCloseTo(joined.effectiveDecay, 15);
    expect(r.effectiveDecay).toBeCloseTo(LR * LAMBDA, 15);
    expect(r.tensors).toBe(2);
  });

  it('a term one tensor lacks (m̂ of SGD) is null; a group the record does not have is undefined', () => {
    const plain = recorded({ a: a() }, { a: ga() }, sgd({ lr: LR }), 'SGD');
    expect(rollUp(plain, [{ name: 'a', numel: 3 }])!.mHatNorm).toBeNull();
    expect(rollUp(split, [{ name: 'c', numel: 1 }])).toBeUndefined();
  });
});

/** A hand-made record whose tensor `name` has ‖θ‖ = w and ‖Δθ‖ = u. */
function layer(w: number, u: number): LayerStep {
  return { gradNorm: 0, weightNorm: w, mNorm: null, mHatNorm: null, sqrtVHat: null, stepSize: null, stepNorm: u, decayNorm: 0, decayShare: 0, updateNorm: u, updateToWeight: u / w, effectiveDecay: 0 };
}
const rec = (s: number, layers: Record<string, LayerStep>): RunStep => ({ step: s, epoch: 0, loss: 0, valLoss: null, gradNorm: 0, lr: 0, biasCorrection1: null, biasCorrection2: null, layers });

describe('rollUp over steps, and the zero cases', () => {
  it('several records combine like several tensors: √(Σ‖Δθ‖²)/√(Σ‖θ‖²)', () => {
    const r = rollUp([rec(1, { w: layer(3, 0.3) }), rec(2, { w: layer(4, 0.04) })], [{ name: 'w', numel: 1 }])!;
    expect(r.updateToWeight).toBeCloseTo(Math.hypot(0.3, 0.04) / 5, 15);
    expect(r.tensors).toBe(1);
  });

  it('a zero weight: 0 when nothing moved, ∞ when it did', () => {
    expect(rollUp(rec(1, { w: layer(0, 0) }), [{ name: 'w', numel: 1 }])!.updateToWeight).toBe(0);
    expect(rollUp(rec(1, { w: { ...layer(1, 1), weightNorm: 0 } }), [{ name: 'w', numel: 1 }])!.updateToWeight).toBe(Infinity);
  });
});

describe('rollupRows', () => {
  const params = [
    { name: 'wte.weight', shape: [10, 4] },
    { name: 'h.0.attn.c_attn.weight', shape: [12, 4] },
    { name: 'h.0.attn.c_attn.bias', shape: [12] },
    { name: 'h.0.ln.weight', shape: [4] },
    { name: 'scale', shape: [1] },
  ];
  it('one row per tensor, in model order', () => {
    expect(rollupRows(params, 'tensor').map((r) => [r.name, r.tensors[0]!.numel])).toEqual([['wte.weight', 40], ['h.0.attn.c_attn.weight', 48], ['h.0.attn.c_attn.bias', 12], ['h.0.ln.weight', 4], ['scale', 1]]);
  });
  it('one row per module that holds tensors, in the order of its first tensor', () => {
    expect(rollupRows(params, 'module').map((r) => [r.name, r.tensors.map((t) => t.name)])).toEqual([
      ['wte', ['wte.weight']], ['h.0.attn.c_attn', ['h.0.attn.c_attn.weight', 'h.0.attn.c_attn.bias']], ['h.0.ln', ['h.0.ln.weight']], ['', ['scale']],
    ]);
  });
});

describe('binRecords and ratioGrid', () => {
  it('one column per record when they fit', () => {
    expect(binRecords(3, 10)).toEqual([[0, 1], [1, 2], [2, 3]]);
  });
  it('more records than columns: consecutive records, as evenly as possible, each exactly once', () => {
    const bins = binRecords(1000, 300);
    expect(bins).toHaveLength(300);
    expect(bins[0]![0]).toBe(0);
    expect(bins.at(-1)![1]).toBe(1000);
    for (let j = 1; j < bins.length; j++) expect(bins[j]![0]).toBe(bins[j - 1]![1]);
    const sizes = new Set(bins.map(([s, e]) => e - s));
    expect([...sizes].sort()).toEqual([3, 4]);
    expect(binRecords(7, 2)).toEqual([[0, 3], [3, 7]]);
    expect(binRecords(0, 5)).toEqual([]);
  });
  it('the grid holds each row\'s ratio per column, NaN where a row has no record, and the positive range', () => {
    const records = [1, 2, 5, 9].map((s) => rec(s, { x: layer(2, 0.002 * s), y: layer(1, s === 9 ? 0 : 0.1) }));
    const rows = [{ name: 'x', tensors: [{ name: 'x', numel: 1 }] }, { name: 'y', tensors: [{ name: 'y', numel: 1 }] }, { name: 'z', tensors: [{ name: 'z', numel: 1 }] }];
    const g = ratioGrid(records, rows, 2);
    expect(g.columns).toEqual([{ first: 1, last: 2, records: 2 }, { first: 5, last: 9, records: 2 }]);
    expect(g.values[0]).toBeCloseTo(Math.hypot(0.002, 0.004) / Math.hypot(2, 2), 15);
    expect(g.values[1]).toBeCloseTo(Math.hypot(0.01, 0.018) / Math.hypot(2, 2), 15);
    expect(g.values[3]).toBeCloseTo(0.1 / Math.SQRT2, 15);
    expect(Number.isNaN(g.values[4]!)).toBe(true);
    expect(g.range).toEqual({ lo: g.values[0], hi: g.values[2] });
  });
});
