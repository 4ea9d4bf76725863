/**
 * The Trainer reuses each step's buffers in the next (engine/tensor/arena.ts).
 * Nothing may depend on it: with and without reuse, every loss and every
 * parameter bit is the same, for models that exercise every op's scratch
 * arrays, with a last batch of each epoch smaller than the others.
 */
import { describe, expect, it } from 'vitest';
import { syntheticDataset } from '../../../engine/data/synthetic';
import { parseModelText, requireChain } from '../../../engine/model';
import { Trainer } from '../../../engine/train/trainer';

const spec = (text: string) => {
  const { spec, diagnostics } = parseModelText(text, 'json', 'm');
  if (!spec) throw new Error(JSON.stringify(diagnostics));
  return requireChain(spec, 'test');
};

const MODELS: { name: string; text: string; task: 'regression' | 'binary' | 'multiclass'; outputs: number }[] = [
  {
    name: "the article's model, AdamW, MSE",
    text: '{"input": 10, "layers": [{"type": "Linear", "out_features": 100}, {"type": "ReLU"}, {"type": "Linear", "out_features": 10}, {"type": "ReLU"}, {"type": "Linear", "out_features": 1}], "loss": "MSELoss", "optimizer": {"type": "AdamW", "lr": 0.001, "weight_decay": 0.01}}',
    task: 'regression', outputs: 1,
  },
  {
    name: 'LayerNorm, GELU, Dropout, cross-entropy, Adam with amsgrad',
    text: '{"input": 6, "layers": [{"type": "Linear", "out_features": 160}, {"type": "LayerNorm", "normalized_shape": 160}, {"type": "GELU"}, {"type": "Dropout", "p": 0.2}, {"type": "Linear", "out_features": 4}], "loss": "CrossEntropyLoss", "optimizer": {"type": "Adam", "lr": 0.01, "amsgrad": true}}',
    task: 'multiclass', outputs: 4,
  },
  {
    name: 'Tanh, Sigmoid, BCE with logits, SGD with momentum',
    text: '{"input": 5, "layers": [{"type": "Linear", "out_features": 200}, {"type": "Tanh"}, {"type": "Linear", "out_features": 30}, {"type": "Sigmoid"}, {"type": "Linear", "out_features": 2}], "loss": "BCEWithLogitsLoss", "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9, "weight_decay": 0.001}}',
    task: 'binary', outputs: 2,
  },
];

describe('buffer reuse across training steps', () => {
  for (const model of MODELS) {
    it(`changes no bit: ${model.name}`, () => {
      const s = spec(model.text);
      // 70 examples in batches of 16: every fifth batch has 6 rows, so buffers of two sizes alternate.
      const dataset = syntheticDataset({ task: model.task, count: 70, inputDim: s.inputFeatures, outputDim: model.outputs, seed: 3 });
      const reused = new Trainer(s, { dataset, batchSize: 16 });
      const fresh = new Trainer(s, { dataset, batchSize: 16, reuseBuffers: false });
      for (let step = 1; step <= 40; step++) {
        const a = reused.step();
        const b = fresh.step();
        expect(a.loss).toBe(b.loss);
        expect(a.gradNorm).toBe(b.gradNorm);
      }
      for (const [name, t] of reused.built.parameters) {
        expect(t.data, name).toEqual(fresh.built.parameters.get(name)!.data);
      }
      expect(fresh.reusedBufferBytes).toBe(0);
    });
  }

  it('allocates nothing new once every batch size has been seen', () => {
    const s = spec(MODELS[0]!.text);
    const dataset = syntheticDataset({ task: 'regression', count: 70, inputDim: 10, outputDim: 1, seed: 3 });
    const trainer = new Trainer(s, { dataset, batchSize: 16 });
    for (let i = 0; i < 5; i++) trainer.step(); // one epoch: batches of 16 and of 6
    const held = trainer.reusedBufferBytes;
    expect(held).toBeGreaterThan(0);
    for (let i = 0; i < 100; i++) trainer.step();
    expect(trainer.reusedBufferBytes).toBe(held);
  });
});
