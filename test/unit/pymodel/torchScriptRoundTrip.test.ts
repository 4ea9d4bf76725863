/**
 * "Open as PyTorch script", then opened in Weightscope: the Python front end
 * reads back the model the run trained, so Inspect and Train on the script
 * use the run's initializers, parameter groups, optimizer and loss (only the
 * random draws differ, as the script's header says).
 */
import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';
import { requireChain, type ChainModelSpec } from '../../../engine/model/spec';
import { runMetaFor, torchScript } from '../../../engine/run';
import { resolveText } from './helpers';

const MODELS: Record<string, string> = {
  'named layers, torch.nn.init per layer, a no-decay group': '{"name": "Named", "input": 4, "layers": [{"name": "fc1", "type": "Linear", "out_features": 6, "init": {"weight": {"fn": "kaiming_normal_", "nonlinearity": "relu"}, "bias": "zeros_"}}, {"type": "ReLU"}, {"name": "out", "type": "Linear", "out_features": 1, "init": {"weight": {"fn": "normal_", "std": 0.01}, "bias": {"fn": "normal_", "std": 0.01}}}], "loss": "BCEWithLogitsLoss", "optimizer": {"type": "AdamW", "lr": 0.003, "weight_decay": 0.02, "no_decay": ["*.bias"]}, "seed": 5}',
  "unnamed layers (model[0]), the article's uniform init, Adam": '{"name": "Unnamed", "input": 10, "layers": [{"type": "Linear", "out_features": 100, "init": {"weight": {"fn": "uniform_", "a": -0.01, "b": 0.01}}}, {"type": "Tanh"}, {"type": "Linear", "out_features": 1}], "loss": "MSELoss", "optimizer": {"type": "Adam", "lr": 0.001, "betas": [0.8, 0.99]}, "seed": 2}',
};

function initsOf(spec: ChainModelSpec): Record<string, unknown> {
  return Object.fromEntries(spec.layers.flatMap((layer, i) => (layer.type === 'Linear' ? [[`${i}`, layer.init ?? null]] : [])));
}

describe('a run saved as a PyTorch script reads back as its model', () => {
  for (const [what, text] of Object.entries(MODELS)) {
    it(what, async () => {
      const spec = requireChain(parseModelText(text, 'json', 'm').spec!, 'test');
      const meta = runMetaFor(spec, { id: 'r', steps: 300, createdAt: '2026-01-01T00:00:00.000Z', batchSize: 16 });
      const file = await resolveText(torchScript(meta, spec));
      expect(file.models).toHaveLength(1);
      const read = file.models[0]!.result.spec;
      expect(read, JSON.stringify(file.models[0]!.result.diagnostics)).toBeDefined();
      const back = requireChain(read!, 'the script read back');
      // No part of the model is left unread (the training loop is the script's own).
      const unread = file.models[0]!.result.diagnostics.filter((d) => d.code === 'py-not-modelled');
      expect(unread.map((d) => d.message)).toEqual([]);
      expect(back.layers.map((l) => l.type)).toEqual(spec.layers.map((l) => l.type));
      expect(initsOf(back)).toEqual(initsOf(spec));
      expect(back.optimizer).toMatchObject({ type: spec.optimizer!.type, lr: spec.optimizer!.lr, args: spec.optimizer!.args });
      expect([...back.optimizer!.noDecay].sort()).toEqual(spec.optimizer!.noDecay.length ? ['fc1.bias', 'out.bias'] : []);
      expect(back.loss).toEqual(spec.loss);
      expect(back.seed).toBe(spec.seed);
      expect(back.training).toMatchObject({ steps: 300, batchSize: 16 });
    });
  }
});
