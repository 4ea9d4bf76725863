/**
 * nn.GLU and nn.Upsample read from a .py file and run by the graph: GLU halves the channels as a ⊙ σ(b), and
 * Upsample is F.interpolate with the module's arguments (the same op the engine's interpolate tests compare with torch).
 */
import { describe, expect, it } from 'vitest';
import { initializeParameters } from '../../../engine/model/initialize';
import { TorchGenerator } from '../../../engine/random';
import { GraphNetwork } from '../../../engine/graph/network';
import { Tensor, interpolate } from '../../../engine/tensor';
import { graphModelOf } from '../pymodel/helpers';

const MODEL = `import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 1)
        self.glu = nn.GLU(dim=1)
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)

    def forward(self, x):
        return self.up(self.glu(self.conv(x)))

model = Net()
`;

describe('GLU and Upsample in a forward graph', () => {
  it('run as a ⊙ σ(b) over dim 1, then bilinear interpolation to twice the size', async () => {
    const spec = await graphModelOf(MODEL);
    expect(spec.forwardUnavailable).toBeUndefined();
    const rng = new TorchGenerator(0);
    const initial = initializeParameters(spec, rng, 'float64');
    const params = new Map(initial.map((p) => [p.name, p]));
    const net = new GraphNetwork(spec, initial, rng, 'float64');
    const x = Tensor.from(Float64Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => Math.sin(i)), [2, 2, 3, 3]);
    const w = params.get('conv.weight')!.data;
    const b = params.get('conv.bias')!.data;
    // The 1×1 convolution by hand, then GLU over the 4 channels: channels 0–1 gated by σ(channels 2–3).
    const conv = new Float64Array(2 * 4 * 9);
    for (let n = 0; n < 2; n++) for (let o = 0; o < 4; o++) for (let p = 0; p < 9; p++) {
      let s = b[o]!;
      for (let c = 0; c < 2; c++) s += w[o * 2 + c]! * x.data[(n * 2 + c) * 9 + p]!;
      conv[(n * 4 + o) * 9 + p] = s;
    }
    const gated = new Float64Array(2 * 2 * 9);
    for (let n = 0; n < 2; n++) for (let c = 0; c < 2; c++) for (let p = 0; p < 9; p++) {
      gated[(n * 2 + c) * 9 + p] = conv[(n * 4 + c) * 9 + p]! / (1 + Math.exp(-conv[(n * 4 + c + 2) * 9 + p]!));
    }
    const expected = interpolate(Tensor.from(gated, [2, 2, 3, 3]), { scaleFactor: 2, mode: 'bilinear', alignCorners: true });
    const y = net.forward([x]) as Tensor;
    expect(y.shape).toEqual([2, 2, 6, 6]);
    for (let i = 0; i < y.data.length; i++) expect(y.data[i]).toBeCloseTo(expected.data[i]!, 12);
  });
});
