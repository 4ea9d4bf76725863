import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';
import { buildOptimizer, buildSchedule } from '../../../engine/model/build';
import { step } from '../../../engine/optim';

const model = (optimizer: string) => `{"input": 2, "layers": [{"name": "fc1", "type": "Linear", "out_features": 2}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "optimizer": ${optimizer}}`;
const parse = (optimizer: string) => {
  const text = model(optimizer);
  const r = parseModelText(text, 'json', 'm');
  const at = (code: string) => r.diagnostics.filter((d) => d.code === code).map((d) => text.slice(d.range.start, d.range.end));
  return { ...r, at };
};

describe('optimizer schedule in a model file', () => {
  it('decodes each torch scheduler with its defaults', () => {
    expect(parse('{"type": "AdamW", "schedule": {"type": "StepLR", "step_size": 10}}').spec!.optimizer!.schedule).toEqual({ type: 'StepLR', stepSize: 10, gamma: 0.1 });
    expect(parse('{"type": "AdamW", "schedule": {"type": "CosineAnnealingLR", "T_max": 100}}').spec!.optimizer!.schedule).toEqual({ type: 'CosineAnnealingLR', tMax: 100, etaMin: 0 });
    expect(parse('{"type": "SGD", "lr": 0.1, "schedule": {"type": "ExponentialLR", "gamma": 0.9}}').spec!.optimizer!.schedule).toEqual({ type: 'ExponentialLR', gamma: 0.9 });
    expect(parse('{"type": "Adam", "schedule": {"type": "LinearWarmup", "warmup_steps": 5}}').spec!.optimizer!.schedule).toEqual({ type: 'LinearWarmup', warmupSteps: 5, startFactor: 0 });
    expect(parse('{"type": "AdamW", "schedule": {"type": "WarmupCosine", "warmup_steps": 5, "total_steps": 50, "eta_min": 1e-5}}').spec!.optimizer!.schedule)
      .toEqual({ type: 'WarmupCosine', warmupSteps: 5, totalSteps: 50, etaMin: 1e-5 });
  });

  it('reports an unknown schedule, a missing key and an impossible warmup on their ranges', () => {
    expect(parse('{"type": "AdamW", "schedule": {"type": "OneCycleLR"}}').at('bad-value')).toEqual(['"OneCycleLR"']);
    expect(parse('{"type": "AdamW", "schedule": {"type": "StepLR"}}').at('missing-key')).toEqual(['{"type": "StepLR"}']);
    expect(parse('{"type": "AdamW", "schedule": {"type": "WarmupCosine", "warmup_steps": 50, "total_steps": 5}}').at('bad-value')).toEqual(['5']);
    expect(parse('{"type": "AdamW", "schedule": {"type": "StepLR", "step_size": 0}}').at('type')).toEqual(['0']);
  });

  it('the built schedule steps the lr as torch does: StepLR halves every 2 steps', () => {
    const s = buildSchedule({ type: 'StepLR', stepSize: 2, gamma: 0.5 }, 0.1);
    expect([0, 1, 2, 3, 4].map(s)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });
});

describe('param groups and decay semantics in a model file', () => {
  it('decodes groups and checks their hyper-parameters', () => {
    expect(parse('{"type": "AdamW", "param_groups": [{"params": ["fc1.*"], "lr": 0.01, "weight_decay": 0}]}').spec!.optimizer!.paramGroups)
      .toEqual([{ params: ['fc1.*'], lr: 0.01, weightDecay: 0 }]);
    const r = parse('{"type": "AdamW", "param_groups": [{"params": ["fc1.*"], "lr": 0.01}, {"params": []}, {"params": ["fc2.bias"], "lr": -1}]}');
    expect(r.spec).toBeUndefined();
    expect(r.at('type')).toEqual(['[]']);
    expect(r.at('bad-hyperparameter')).toEqual(['-1']);
  });

  it('AdamW takes decay "torch" or "paper"; Adam does not know the key', () => {
    expect(parse('{"type": "AdamW", "decay": "paper"}').spec!.optimizer!.decay).toBe('paper');
    expect(parse('{"type": "AdamW", "decay": "coupled"}').at('bad-value')).toEqual(['"coupled"']);
    expect(parse('{"type": "Adam", "decay": "paper"}').at('unknown-key')).toEqual(['"decay"']);
  });

  it('a group with lr 0 leaves its parameters alone while the rest keeps the optimizer lr', () => {
    // One SGD step with lr 0.5 on g = 1: θ − 0.5 for ungrouped parameters, θ − 0.1 for fc1.* (lr 0.1).
    const spec = parse('{"type": "SGD", "lr": 0.5, "param_groups": [{"params": ["fc1.*"], "lr": 0.1}]}').spec!;
    const tx = buildOptimizer(spec.optimizer);
    const params = { 'fc1.weight': new Float64Array([1, 1]), 'fc2.weight': new Float64Array([1, 1]) };
    const grads = { 'fc1.weight': new Float64Array([1, 1]), 'fc2.weight': new Float64Array([1, 1]) };
    step(tx, params, grads, tx.init(params));
    expect(Array.from(params['fc1.weight'])).toEqual([0.9, 0.9]);
    expect(Array.from(params['fc2.weight'])).toEqual([0.5, 0.5]);
  });

  it("the paper's decay does not scale λ by lr: one AdamW step on g = 0 decays θ by λ, not lr·λ", () => {
    const run = (decay: string) => {
      const spec = parse(`{"type": "AdamW", "lr": 0.1, "weight_decay": 0.5, "decay": "${decay}"}`).spec!;
      const tx = buildOptimizer(spec.optimizer);
      const params = { w: new Float64Array([2]) };
      step(tx, params, { w: new Float64Array([0]) }, tx.init(params));
      return params.w[0];
    };
    expect(run('torch')).toBeCloseTo(2 * (1 - 0.1 * 0.5), 14);
    expect(run('paper')).toBeCloseTo(2 * (1 - 0.5), 14);
  });
});
