import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { optimizerVariants, TrainingRun } from '../../../engine/run';

const spec = requireChain(parseModelText('{"input": 6, "layers": [{"name": "fc1", "type": "Linear", "out_features": 12}, {"type": "ReLU"}, {"name": "ln", "type": "LayerNorm", "normalized_shape": 12}, {"name": "fc2", "type": "Linear", "out_features": 1}], "loss": "BCEWithLogitsLoss", "optimizer": {"type": "AdamW", "lr": 0.002, "weight_decay": 0.05}, "seed": 1}', 'json', 'm').spec!, 'test');

describe('optimizer comparison variants', () => {
  const variants = optimizerVariants(spec);
  const runs = variants.map((v) => {
    const run = new TrainingRun(v.spec, { steps: 20 });
    while (!run.done) run.advance();
    return { label: v.label, steps: run.recorder.steps };
  });
  const at = (label: string, step: number, param: string) => runs.find((r) => r.label === label)!.steps[step - 1]!.layers[param]!;

  it('are the five comparisons, on the same weights and data: the first loss is the same', () => {
    expect(variants.map((v) => v.label)).toEqual(['AdamW', 'Adam + L2', 'SGD', 'AdamW, no-decay group', 'AdamW, paper decay']);
    const first = runs.map((r) => r.steps[0]!.loss);
    expect(new Set(first).size).toBe(1);
    expect(runs[0]!.steps[19]!.loss).not.toBe(runs[1]!.steps[19]!.loss);
  });

  it('show the effective decay rate per layer: lr·λ (AdamW), λ·mean(lr/(√v̂+ε)) (Adam + L2), η·λ (paper), 0 in the no-decay group', () => {
    expect(at('AdamW', 20, 'fc1.weight').effectiveDecay).toBeCloseTo(0.002 * 0.05, 15);
    expect(at('AdamW', 20, 'fc2.bias').effectiveDecay).toBeCloseTo(0.002 * 0.05, 15);
    const l2 = at('Adam + L2', 20, 'fc1.weight');
    expect(l2.effectiveDecay).toBeCloseTo(0.05 * l2.stepSize!.mean, 15);
    expect(l2.effectiveDecay).toBeGreaterThan(10 * 0.002 * 0.05); // √v̂ ≪ 1 here, so coupled L2 decays far more than lr·λ …
    expect(at('Adam + L2', 20, 'fc2.weight').effectiveDecay).not.toBeCloseTo(l2.effectiveDecay, 6); // … and unequally per layer
    expect(at('SGD', 20, 'fc1.weight').effectiveDecay).toBeCloseTo(0.02 * 0.05, 15);
    expect(at('AdamW, no-decay group', 20, 'fc1.bias').effectiveDecay).toBe(0);
    expect(at('AdamW, no-decay group', 20, 'ln.weight').effectiveDecay).toBe(0);
    expect(at('AdamW, no-decay group', 20, 'fc1.weight').effectiveDecay).toBeCloseTo(1e-4, 15);
    expect(at('AdamW, paper decay', 20, 'fc1.weight').effectiveDecay).toBeCloseTo(0.05, 15);
  });

  it('offer "decay on all" when the model already has a no-decay group', () => {
    const withGroup = { ...spec, optimizer: { ...spec.optimizer!, noDecay: ['*.bias'] } };
    expect(optimizerVariants(withGroup)[3]!.label).toBe('AdamW, decay on all');
    expect(optimizerVariants(withGroup)[3]!.spec.optimizer!.noDecay).toEqual([]);
  });
});
