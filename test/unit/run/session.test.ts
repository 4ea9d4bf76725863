import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { fastSummary, TrainingRun } from '../../../engine/run';
import { summarize } from '../../../engine/stats/summary';
import { Trainer } from '../../../engine/train/trainer';

const MODEL = '{"input": 10, "layers": [{"name": "fc1", "type": "Linear", "out_features": 16}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "loss": "BCEWithLogitsLoss", "optimizer": {"type": "AdamW", "lr": 0.01, "weight_decay": 0.01, "no_decay": ["*.bias"]}, "seed": 3}';
const spec = requireChain(parseModelText(MODEL, 'json', 'm').spec!, 'test');

describe('TrainingRun', () => {
  it('records every step per tensor, snapshots on schedule and at the last step, and validation losses', () => {
    // Snapshot schedule: t ≤ 10, then ⌊16·log10 t⌋ steps up at t = ⌈10^(j/16)⌉ (11.5 → 12, 13.3 → 14, …), and the last step.
    const run = new TrainingRun(spec, { steps: 60, validationSplit: 0.25, validationEvery: 20 });
    while (!run.done) run.advance();
    const steps = run.recorder.steps;
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(Object.keys(steps[0]!.layers)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(run.recorder.snapshots.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 21, 24, 28, 32, 37, 43, 49, 57, 60]);
    const withValidation = steps.filter((s) => s.valLoss !== null).map((s) => s.step);
    expect(withValidation).toContain(1);
    expect(withValidation).toContain(40);
    expect(withValidation).toContain(60);
    expect(withValidation).not.toContain(41);
    expect(run.validation!.count).toBe(256);
    expect(steps[59]!.layers['fc1.bias']!.effectiveDecay).toBe(0);
    expect(steps[59]!.layers['fc1.weight']!.effectiveDecay).toBeCloseTo(1e-4, 15);
  });

  it('trains exactly as the bare Trainer: tracing observes, it does not change the numbers', () => {
    const run = new TrainingRun(spec, { steps: 30 });
    const bare = new Trainer(spec);
    for (let i = 0; i < 30; i++) expect(run.advance().step.loss).toBe(bare.step().loss);
  });

  it('without tracing still records loss and gradient norm', () => {
    const run = new TrainingRun(spec, { steps: 5, trace: false });
    const s = run.advance();
    expect(s.step.loss).toBeGreaterThan(0);
    expect(s.step.layers).toEqual({});
    expect(s.snapshot).toBeUndefined();
  });

  it('rejects a non-positive step count with a clear message', () => {
    expect(() => new TrainingRun(spec, { steps: 0 })).toThrow('steps must be a positive integer, got 0');
  });
});

describe('fastSummary', () => {
  it('agrees with the careful summary on ordinary data, and falls back to it on NaN/Inf and extreme scales', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 0.01 + 0.003);
    const a = fastSummary(x);
    const b = summarize(x);
    for (const k of ['mean', 'std', 'min', 'max', 'l2Norm'] as const) expect(a[k]).toBeCloseTo(b[k], 12);
    const bad = fastSummary(Float64Array.of(1, NaN, Infinity, 2));
    expect([bad.nan, bad.posInf, bad.count, bad.l2Norm]).toEqual([1, 1, 2, Math.sqrt(5)]);
    expect(fastSummary(Float64Array.of(1e200, 1e200)).l2Norm).toBeCloseTo(Math.SQRT2 * 1e200, -186);
    expect(fastSummary(Float64Array.of(3e-170, 4e-170)).l2Norm).toBeCloseTo(5e-170, 180);
  });
});
