/**
 * A forward with several inputs (`forward(self, x, a)`): the graph names its
 * inputs, each takes its own array of the data or a synthetic default of its
 * kind, and the model trains and measures its signal. An input named like the
 * targets is the targets only when a loss in forward reads it; a forward that
 * returns a tuple without a loss has the model's loss taken on its first item.
 */
import { describe, expect, it } from 'vitest';
import { graphDataMismatch, graphDefaultDataset, forwardArguments, withExtraInputs } from '../../../engine/graph/data';
import { GraphNetwork } from '../../../engine/graph/network';
import { isTensor } from '../../../engine/graph/values';
import { measureSignal } from '../../../engine/inspect/signal';
import { initializeParameters } from '../../../engine/model/initialize';
import { TorchGenerator } from '../../../engine/random';
import { add, linear, relu, Tensor } from '../../../engine/tensor';
import { Trainer } from '../../../engine/train/trainer';
import { graphModelOf } from '../pymodel/helpers';

const PRELUDE = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';

const TWO_TOWERS = `${PRELUDE}
class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.fx = nn.Linear(6, 16)
        self.fa = nn.Linear(2, 16)
        self.out = nn.Linear(16, 1)

    def forward(self, x, a):
        h = F.relu(self.fx(x)) + F.relu(self.fa(a))
        return self.out(h)

model = Critic()
criterion = nn.MSELoss()
`;

const graphModel = graphModelOf;

function normals(shape: number[], seed: number): Tensor {
  const rng = new TorchGenerator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(Array.from({ length: n }, () => rng.normal()), shape, { dtype: 'float64' });
}

describe('a forward with several inputs', () => {
  it('names its inputs and reads the kind of each from the layer it meets', async () => {
    const spec = await graphModel(TWO_TOWERS);
    expect(spec.graph.inputNames).toEqual(['x', 'a']);
    expect(spec.graph.input).toEqual({ kind: 'values', shape: [6] });
    expect(spec.graph.extraInputs).toEqual([{ position: 1, name: 'a', kind: { kind: 'values', shape: [2] } }]);
    expect(spec.graph.loss).toBeUndefined();
  });

  it('computes what the same engine ops compute by hand on both inputs', async () => {
    const spec = await graphModel(TWO_TOWERS);
    const rng = new TorchGenerator(spec.seed);
    const net = new GraphNetwork(spec, initializeParameters(spec, rng, 'float64'), rng, 'float64');
    const x = normals([4, 6], 1);
    const a = normals([4, 2], 2);
    const out = net.forward([x, a]);
    const p = (name: string): Tensor => net.parameters.get(name)!;
    const expected = linear(add(relu(linear(x, p('fx.weight'), p('fx.bias'))), relu(linear(a, p('fa.weight'), p('fa.bias')))), p('out.weight'), p('out.bias'));
    expect(isTensor(out)).toBe(true);
    expect(Array.from((out as Tensor).data)).toEqual(Array.from(expected.data));
  });

  it('gets a seeded synthetic default per further input, and the batch feeds each in forward\'s order', async () => {
    const spec = await graphModel(TWO_TOWERS);
    const data = graphDefaultDataset(spec, 'float64', 32);
    const a = data.extraInputs!.a!;
    expect(a.shape).toEqual([2]);
    expect(a.data.length).toBe(64);
    expect(Array.from(graphDefaultDataset(spec, 'float64', 32).extraInputs!.a!.data)).toEqual(Array.from(a.data));
    // Not the first input's values again: its own draw.
    expect(Array.from(a.data.slice(0, 4))).not.toEqual(Array.from(data.inputs.slice(0, 4)));
    const extra = { a: Tensor.from(a.data.slice(0, 6), [3, 2], { dtype: 'float64' }) };
    const args = forwardArguments(spec, data, Tensor.from(data.inputs.slice(0, 18), [3, 6], { dtype: 'float64' }), Tensor.zeros([3, 1]), extra);
    expect(args).toHaveLength(2);
    expect(args[1]).toBe(extra.a);
  });

  it('trains on its default data (same seed, same losses) and measures its signal', async () => {
    const spec = await graphModel(TWO_TOWERS);
    const run = (): number[] => {
      const trainer = new Trainer(spec, { batchSize: 16 });
      return Array.from({ length: 60 }, () => trainer.step().loss);
    };
    const losses = run();
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(run()).toEqual(losses);
    const report = measureSignal(spec, { examples: 16 });
    expect(report.layers.map((l) => l.name)).toEqual(['fx', 'fa', 'out']);
  });

  it('takes a further input from the data by its name, and refuses a name forward does not have', async () => {
    const spec = await graphModel(TWO_TOWERS);
    const base = graphDefaultDataset(spec, 'float32', 8);
    const given = { ...base, extraInputs: { a: { shape: [2], kind: 'values' as const, data: new Float32Array(16).fill(0.5) } } };
    expect(graphDataMismatch(spec, given)).toBeUndefined();
    expect(withExtraInputs(spec, given).extraInputs!.a!.data[0]).toBe(0.5);
    const wrongWidth = { ...base, extraInputs: { a: { shape: [3], kind: 'values' as const, data: new Float32Array(24) } } };
    expect(graphDataMismatch(spec, wrongWidth)).toMatch(/shape|size|expected/i);
    const unknown = { ...base, extraInputs: { ...base.extraInputs, action: { shape: [2], kind: 'values' as const, data: new Float32Array(16) } } };
    expect(graphDataMismatch(spec, unknown)).toMatch(/"action", which is not an input of forward \(its further inputs: a\)/);
  });

  it('an input whose kind the reader cannot tell has no default: the message names it and how to give it', async () => {
    const spec = await graphModel(`${PRELUDE}
class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x, scale):
        return self.fc(x) * scale

model = Scaled()
`);
    expect(spec.graph.extraInputs).toEqual([{ position: 1, name: 'scale' }]);
    expect(() => graphDefaultDataset(spec)).toThrow(/forward's input `scale`.*"scale": "scale\.npy"/);
  });

  it('an input named like the targets that no loss reads is an input; a tuple without a loss is trained on its first item', async () => {
    const spec = await graphModel(`${PRELUDE}
class Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.fx = nn.Linear(5, 8)
        self.fy = nn.Linear(3, 8)
        self.head = nn.Linear(8, 4)

    def forward(self, x, y):
        h = torch.tanh(self.fx(x) + self.fy(y))
        return self.head(h), h

model = Pair()
criterion = nn.CrossEntropyLoss()
`);
    expect(spec.graph.loss).toBeUndefined();
    expect(spec.graph.extraInputs).toEqual([{ position: 1, name: 'y', kind: { kind: 'values', shape: [3] } }]);
    const trainer = new Trainer(spec, { batchSize: 8 });
    expect(trainer.dataset.targets.kind).toBe('classes');
    expect(Number.isFinite(trainer.step().loss)).toBe(true);
  });

  it('an optional targets=None that no loss reads is read at its default, as a call without it', async () => {
    const spec = await graphModel(`${PRELUDE}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x, targets=None):
        if targets is None:
            return self.fc(x)
        return self.fc(x) * 0

model = Net()
`);
    expect(spec.graph.root.inputs).toHaveLength(1);
    expect(spec.graph.extraInputs).toBeUndefined();
    expect(spec.graph.root.nodes.some((n) => n.call.kind === 'op' && n.call.name === 'operator.mul')).toBe(false);
  });
});
