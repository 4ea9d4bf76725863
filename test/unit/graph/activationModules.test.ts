/**
 * nn.ReLU6, nn.Hardtanh, nn.Hardsigmoid and nn.Hardswish (MobileNet's and
 * DeepSpeech's activations) and their functional forms run in a forward
 * graph: the model's output is that of the engine ops called by hand; a
 * clip model of 3-D convolutions reads, finds its input size and trains.
 */
import { describe, expect, it } from 'vitest';
import { GraphNetwork } from '../../../engine/graph/network';
import { initializeParameters } from '../../../engine/model/initialize';
import { isGraphModel } from '../../../engine/model/spec';
import { TorchGenerator } from '../../../engine/random';
import { add, embedding, hardsigmoid, hardswish, hardtanh, linear, mean, mul, multiHeadAttentionForward, relu6, sum, Tensor, transpose } from '../../../engine/tensor';
import { LongTensor } from '../../../engine/graph/values';
import { syntheticImages } from '../../../engine/data/sequences';
import { Trainer } from '../../../engine/train/trainer';
import { resolveText } from '../pymodel/helpers';

describe('hard activations in a forward graph', () => {
  it('compute what the engine ops compute by hand', async () => {
    const file = await resolveText(`import torch
import torch.nn as nn
import torch.nn.functional as F

class Mobile(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 8)
        self.act = nn.Hardswish()
        self.gate = nn.Hardsigmoid()
        self.clip = nn.Hardtanh(-2.0, 2.0)
        self.r6 = nn.ReLU6()
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        h = self.fc(x)
        h = self.act(h) * self.gate(h) + self.clip(h)
        return self.out(self.r6(h) + F.hardtanh(h) + F.relu6(h))

model = Mobile()
`);
    const spec = file.models[0]!.result.spec!;
    if (!isGraphModel(spec)) throw new Error(`not a graph model: ${spec.forwardUnavailable}`);
    const rng = new TorchGenerator(spec.seed);
    const net = new GraphNetwork(spec, initializeParameters(spec, rng, 'float64'), rng, 'float64');
    const xr = new TorchGenerator(3);
    const x = Tensor.from(Array.from({ length: 20 }, () => 4 * xr.normal()), [4, 5], { dtype: 'float64' });
    const p = (n: string): Tensor => net.parameters.get(n)!;
    let h = linear(x, p('fc.weight'), p('fc.bias'));
    h = add(mul(hardswish(h), hardsigmoid(h)), hardtanh(h, -2, 2));
    const expected = linear(add(add(relu6(h), hardtanh(h)), relu6(h)), p('out.weight'), p('out.bias'));
    expect(Array.from((net.forward([x]) as Tensor).data)).toEqual(Array.from(expected.data));
  });
});

describe('a 3-D convolutional model in a forward graph', () => {
  it('reads a clip model (Conv3d, BatchNorm3d, AdaptiveAvgPool3d), finds its input size, and trains', async () => {
    const file = await resolveText(`import torch
import torch.nn as nn

class Clip(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv3d(3, 4, kernel_size=(3, 5, 5), stride=(1, 2, 2), padding=(1, 2, 2), bias=False), nn.BatchNorm3d(4), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc = nn.Linear(4, 5)

    def forward(self, x):
        x = self.pool(self.stem(x))
        return self.fc(x.flatten(1))

model = Clip()
criterion = nn.CrossEntropyLoss()
`);
    const spec = file.models[0]!.result.spec!;
    if (!isGraphModel(spec)) throw new Error(`not a graph model: ${spec.forwardUnavailable}`);
    expect(spec.graph.input).toEqual({ kind: 'values', shape: [3, 28, 28, 28] });
    const trainer = new Trainer(spec, { batchSize: 2, dataset: syntheticImages({ count: 4, shape: [3, 4, 8, 8], classes: 5, seed: 1 }) });
    expect(Number.isFinite(trainer.step().loss)).toBe(true);
  });
});

describe('nn.MultiheadAttention in a forward graph', () => {
  it('batch_first self-attention: the module forward transposes around the packed in_proj, as torch', async () => {
    const file = await resolveText(`import torch
import torch.nn as nn

class Attend(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 8)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        h = self.emb(x)
        y, w = self.attn(h, h, h, need_weights=True)
        z, _ = self.attn(h, h, h, need_weights=False)
        return self.fc((y + z).mean(1)) + w.sum()

model = Attend()
`);
    const spec = file.models[0]!.result.spec!;
    if (!isGraphModel(spec)) throw new Error(`not a graph model: ${spec.forwardUnavailable}`);
    const rng = new TorchGenerator(spec.seed);
    const net = new GraphNetwork(spec, initializeParameters(spec, rng, 'float64'), rng, 'float64');
    const ids = Int32Array.from({ length: 10 }, (_, i) => (i * 7) % 20);
    const p = (n: string): Tensor => net.parameters.get(n)!;
    const h = embedding({ data: ids, shape: [2, 5] }, p('emb.weight'));
    const seq = transpose(h, 1, 0);
    const attend = (needWeights: boolean) => multiHeadAttentionForward(seq, seq, seq, { numHeads: 2, inProjWeight: p('attn.in_proj_weight'), inProjBias: p('attn.in_proj_bias'), outProjWeight: p('attn.out_proj.weight'), outProjBias: p('attn.out_proj.bias'), needWeights, training: true });
    const a = attend(true);
    const b = attend(false);
    const y = add(transpose(a.output, 1, 0), transpose(b.output, 1, 0));
    const expected = add(linear(mean(y, 1), p('fc.weight'), p('fc.bias')), sum(a.weights!));
    const out = net.forward([new LongTensor(ids, [2, 5])]) as Tensor;
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.data)).toEqual(Array.from(expected.data));
  });
});
