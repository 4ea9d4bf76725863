/**
 * Buffers a forward reads: one drawn in the constructor (`register_buffer(..., torch.randn(n))`) takes its
 * place in torch's draw order, so the graph that trains reads the same values the init inspection shows, and
 * a buffer loaded from a checkpoint replaces the drawn one, as `load_state_dict` does.
 */
import { describe, expect, it } from 'vitest';
import { GraphNetwork } from '../../../engine/graph/network';
import { initializeTensors, initialTensors } from '../../../engine/model/initialize';
import type { GraphModelSpec } from '../../../engine/model/spec';
import { TorchGenerator } from '../../../engine/random';
import { Trainer } from '../../../engine/train/trainer';
import { graphModelOf } from '../pymodel/helpers';

const DRAWN_BUFFER = `import torch
import torch.nn as nn

class Shifted(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.register_buffer("shift", torch.randn(3))

    def forward(self, x):
        return self.fc(x) + self.shift

model = Shifted()
criterion = nn.MSELoss()
`;

const graphModel = graphModelOf;

/** The buffer's values as the init inspection draws them (every tensor of the model, in torch's order). */
function inspectedShift(spec: GraphModelSpec): number[] {
  for (const [entry, p] of initialTensors(spec, new TorchGenerator(spec.seed), 'float32')) {
    if (entry.name === 'shift') return Array.from(p.data);
  }
  throw new Error('no buffer named shift');
}

describe('buffers of a forward graph', () => {
  it('a buffer drawn with torch.randn trains, with the values the inspection shows', async () => {
    const spec = await graphModel(DRAWN_BUFFER);
    const shift = inspectedShift(spec);
    expect(shift.some((v) => v !== 0)).toBe(true);
    const trainer = new Trainer(spec, { batchSize: 8 });
    expect(Number.isFinite(trainer.step().loss)).toBe(true);
    expect(Array.from(trainer.built.graph!.tensor('shift')!.data)).toEqual(shift);
  });

  it('a checkpoint\'s buffer replaces the drawn one', async () => {
    const spec = await graphModel(DRAWN_BUFFER);
    const checkpoint = new Map([['shift', { data: [1, 2, 3] }]]);
    const network = new GraphNetwork(spec, initializeTensors(spec, new TorchGenerator(spec.seed), 'float32', checkpoint), new TorchGenerator(0));
    expect(Array.from(network.tensor('shift')!.data)).toEqual([1, 2, 3]);
  });
});
