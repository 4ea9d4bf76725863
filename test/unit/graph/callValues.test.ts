/**
 * A module or a function passed to a call computed now or inlined
 * (`hasattr(self, …)`, a helper given a function) is read; passed to an op
 * it is still a diagnostic on the call.
 */
import { describe, expect, it } from 'vitest';
import { isGraphModel } from '../../../engine/model/spec';
import { resolveText } from '../pymodel/helpers';

const model = (forward: string) => `import torch
import torch.nn as nn
import torch.nn.functional as F

def scaled(fn, x, k=2.0):
    return fn(x) * k

class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
${forward}

model = M()
`;

describe('modules and functions as values in calls', () => {
  it('hasattr on the module and a helper given a function are read', async () => {
    const file = await resolveText(model('        if hasattr(self, "fc"):\n            x = scaled(torch.tanh, x)\n        return self.fc(x)'));
    const spec = file.models[0]!.result.spec!;
    expect(isGraphModel(spec), spec.forwardUnavailable).toBe(true);
    if (!isGraphModel(spec)) return;
    expect(spec.graph.root.nodes.map((n) => (n.call.kind === 'op' ? n.call.name : n.call.path))).toEqual(['torch.tanh', 'operator.mul', 'fc']);
  });

  it('a module passed to an op is a diagnostic on the call', async () => {
    const text = model('        return torch.cat([self.fc(x), self.fc], dim=1)');
    const file = await resolveText(text);
    const d = file.diagnostics.find((x) => x.code === 'py-no-forward')!;
    expect(d.message).toMatch(/passes a module as a value/);
  });
});
