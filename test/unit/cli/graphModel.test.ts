/** The CLI on a model whose forward is a graph: `weightscope signal` lists its modules; training through the run session. */
import { describe, expect, it, vi } from 'vitest';
import { printSignal } from '../../../cli/inspect';
import { readPythonModel } from '../../../cli/pythonModel';
import { defaultDataset } from '../../../engine/train/defaults';
import { isGraphModel } from '../../../engine/model/spec';
import { TrainingRun } from '../../../engine/run/session';

const RESIDUAL = `import torch.nn as nn
import torch.nn.functional as F

class Block(nn.Module):
    def __init__(self, h):
        super().__init__()
        self.fc = nn.Linear(h, h)
        self.norm = nn.LayerNorm(h)

    def forward(self, x):
        return x + F.gelu(self.fc(self.norm(x)))

class Net(nn.Module):
    def __init__(self, d=8, h=16, depth=3):
        super().__init__()
        self.inp = nn.Linear(d, h)
        self.blocks = nn.ModuleList([Block(h) for _ in range(depth)])
        self.head = nn.Linear(h, 1)

    def forward(self, x):
        x = self.inp(x)
        for block in self.blocks:
            x = block(x)
        return self.head(x)

model = Net()
`;

describe('weightscope CLI on a forward graph', () => {
  it('signal prints every submodule, indented by depth', async () => {
    const { spec } = await readPythonModel(RESIDUAL, undefined);
    expect(isGraphModel(spec!)).toBe(true);
    if (!isGraphModel(spec!)) return;
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      printSignal(spec, defaultDataset(spec), undefined, false);
    } finally {
      log.mockRestore();
    }
    const text = lines.join('\n');
    expect(text).toMatch(/module\s+kind/);
    for (const name of ['inp', 'blocks.0', '  blocks.0.norm', '  blocks.0.fc', 'blocks.2', 'head']) expect(text).toContain(name);
  });

  it('a training run (what `weightscope train` and the Train command run) records every step of a graph model', async () => {
    const { spec } = await readPythonModel(RESIDUAL, undefined);
    if (!isGraphModel(spec!)) throw new Error('not a graph model');
    const run = new TrainingRun(spec, { steps: 5, batchSize: 16 });
    while (!run.done) run.advance();
    expect(run.stepCount).toBe(5);
  });
});
