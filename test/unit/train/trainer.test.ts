import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { NonFiniteError, Trainer } from '../../../engine/train/trainer';

const spec = (text: string) => {
  const { spec, diagnostics } = parseModelText(text, 'json', 'm');
  if (!spec) throw new Error(JSON.stringify(diagnostics));
  return requireChain(spec, 'test');
};

describe('trainer', () => {
  it('AdamW on the fixed SimpleModel lowers the BCE-with-logits loss on its synthetic task', () => {
    const s = spec('{"input": 10, "layers": [{"name": "fc1", "type": "Linear", "out_features": 100}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 10}, {"type": "ReLU"}, {"name": "fc3", "type": "Linear", "out_features": 1}], "loss": "BCEWithLogitsLoss", "optimizer": {"type": "AdamW", "lr": 0.001, "weight_decay": 0.01}}');
    const trainer = new Trainer(s);
    const first = Array.from({ length: 20 }, () => trainer.step().loss);
    for (let i = 0; i < 300; i++) trainer.step();
    const last = Array.from({ length: 20 }, () => trainer.step().loss);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(first)).toBeGreaterThan(0.6); // ≈ ln 2 at a random start
    expect(mean(last)).toBeLessThan(0.8 * mean(first));
    expect(trainer.stepCount).toBe(340);
  });

  it('is reproducible: same spec and seed, same losses', () => {
    const s = spec('{"input": 4, "layers": [{"type": "Linear", "out_features": 8}, {"type": "Tanh"}, {"type": "Linear", "out_features": 2}], "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9}}');
    const a = new Trainer(s);
    const b = new Trainer(s);
    for (let i = 0; i < 10; i++) expect(a.step().loss).toBe(b.step().loss);
  });

  it('cross-entropy models train on class indices', () => {
    const s = spec('{"input": 6, "layers": [{"type": "Linear", "out_features": 16}, {"type": "GELU"}, {"type": "Linear", "out_features": 3}], "loss": "CrossEntropyLoss", "optimizer": {"type": "Adam", "lr": 0.01}}');
    const t = new Trainer(s);
    const r = t.step();
    expect(r.loss).toBeCloseTo(Math.log(3), 0);
    expect(r.gradNorm).toBeGreaterThan(0);
  });

  it('with tracing, every step reports the optimizer terms per parameter', () => {
    const s = spec('{"input": 4, "layers": [{"name": "fc", "type": "Linear", "out_features": 2}], "optimizer": {"type": "AdamW", "lr": 0.01, "weight_decay": 0.1}}');
    const t = new Trainer(s, { trace: { histogram: { bins: 8 } } });
    const r = t.step();
    expect(Object.keys(r.trace!)).toEqual(['fc.weight', 'fc.bias']);
  });

  it('stops with a clear error at the first non-finite loss', () => {
    const s = spec('{"input": 4, "layers": [{"type": "Linear", "out_features": 1, "init": {"weight": {"fn": "constant_", "val": 1e30}}}], "loss": "MSELoss", "optimizer": {"type": "SGD", "lr": 1}}');
    const t = new Trainer(s);
    expect(() => { for (let i = 0; i < 5; i++) t.step(); }).toThrow(NonFiniteError);
  });
});

describe('trainer: the article model as written', () => {
  it('fails at step 1 the way torch does (BCELoss on a Linear output), naming the step', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseModelFile } = await import('../../../engine/model');
    const { StepError } = await import('../../../engine/train/trainer');
    const path = 'examples/simple-model.nn.json';
    const s = requireChain(parseModelFile(path, readFileSync(path, 'utf8')).spec!, 'test');
    const t = new Trainer(s);
    expect(() => t.step()).toThrow(StepError);
    expect(() => new Trainer(s).step()).toThrow(/step 1: .*all elements of input should be between 0 and 1/);
  });

  it('the fixed example trains cleanly', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseModelFile } = await import('../../../engine/model');
    const path = 'examples/simple-model-fixed.nn.json';
    const { spec: s, diagnostics } = parseModelFile(path, readFileSync(path, 'utf8'));
    expect(diagnostics).toEqual([]);
    const t = new Trainer(requireChain(s!, 'test'));
    for (let i = 0; i < 50; i++) expect(Number.isFinite(t.step().loss)).toBe(true);
  });
});
