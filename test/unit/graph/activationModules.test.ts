/**
 * nn.ReLU6, nn.Hardtanh, nn.Hardsigmoid and nn.Hardswish (MobileNet's and
 * DeepSpeech's activations) and their functional forms run in a forward
 * graph: the model's output is that of the engine ops called by hand.
 */
import { describe, expect, it } from 'vitest';
import { GraphNetwork } from '../../../engine/graph/network';
import { initializeParameters } from '../../../engine/model/initialize';
import { isGraphModel } from '../../../engine/model/spec';
import { TorchGenerator } from '../../../engine/random';
import { add, hardsigmoid, hardswish, hardtanh, linear, mul, relu6, Tensor } from '../../../engine/tensor';
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
