/**
 * Branches on runtime sizes (`if x.dim() == 3:`, `if x.size(-1) != 8:`): the
 * reader takes the side the example shapes decide, recorded as a branch node
 * that checks the decision wherever the graph runs; a branch on tensor values
 * is a diagnostic on its condition; data that takes the other side is refused
 * on the condition's line, never trained on the wrong graph.
 */
import { describe, expect, it } from 'vitest';
import { BRANCH_OP } from '../../../engine/graph/branch';
import { graphDataMismatch } from '../../../engine/graph/data';
import type { GraphNode } from '../../../engine/graph/ir';
import { GraphNetwork } from '../../../engine/graph/network';
import { initializeParameters } from '../../../engine/model/initialize';
import { isGraphModel, type GraphModelSpec } from '../../../engine/model/spec';
import { TorchGenerator } from '../../../engine/random';
import { Tensor } from '../../../engine/tensor';
import { resolveText } from '../pymodel/helpers';

const PRELUDE = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';

async function read(text: string) {
  const file = await resolveText(text);
  const spec = (file.models.find((m) => m.primary) ?? file.models[file.models.length - 1]!).result.spec!;
  return { spec, noForward: file.diagnostics.filter((d) => d.code === 'py-no-forward'), at: (d: { range: { start: number; end: number } }) => text.slice(d.range.start, d.range.end) };
}

const ops = (nodes: GraphNode[]): string[] => nodes.map((n) => (n.call.kind === 'op' ? n.call.name : `${n.call.kind} ${n.call.path}`));
const branches = (nodes: GraphNode[]): unknown[] => nodes.filter((n) => n.call.kind === 'op' && n.call.name === BRANCH_OP).map((n) => n.args[1]);

function graphModel(spec: unknown): GraphModelSpec {
  if (!isGraphModel(spec as GraphModelSpec)) throw new Error(`not a graph model: ${(spec as GraphModelSpec).forwardUnavailable}`);
  return spec as GraphModelSpec;
}

describe('branches on runtime sizes', () => {
  it('takes the side the shapes decide: read again on the other side when the first guess is wrong', async () => {
    const { spec } = await read(`${PRELUDE}
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        h = self.fc(x)
        if h.size(-1) != 8:
            h = torch.zeros_like(h)
        return self.out(h)
`);
    const g = graphModel(spec).graph;
    expect(ops(g.root.nodes)).toEqual(['module fc', 'Tensor.size', 'operator.ne', BRANCH_OP, 'module out']);
    expect(branches(g.root.nodes)).toEqual([{ kind: 'const', value: false }]);
  });

  it('the true side when the shapes say so, with elif and not', async () => {
    const { spec } = await read(`${PRELUDE}
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        if x.dim() == 3:
            x = x.mean(1)
        elif not x.dim() == 2:
            x = x.flatten(1)
        return self.fc(x)
`);
    const g = graphModel(spec).graph;
    // Without an example shape (x first meets .mean), the first side stands until data decides.
    expect(branches(g.root.nodes)).toEqual([{ kind: 'const', value: true }]);
    expect(ops(g.root.nodes)).toContain('Tensor.mean');
    // Data of another rank takes the other side: refused on the condition, never run on the wrong graph.
    const data = { count: 2, inputDim: 6, inputs: new Float32Array(12), targets: { kind: 'values' as const, dim: 3, data: new Float32Array(6) }, description: 'test' };
    expect(graphDataMismatch(graphModel(spec), data)).toMatch(/this condition is false here, but forward was read taking its true side/);
    const rng = new TorchGenerator(0);
    const net = new GraphNetwork(graphModel(spec), initializeParameters(graphModel(spec), rng), rng);
    expect(() => net.forward([Tensor.zeros([2, 6])])).toThrow(/this condition is false here/);
    expect(net.forward([Tensor.zeros([2, 4, 6])])).toBeInstanceOf(Tensor);
  });

  it('each pass of an unrolled loop decides its condition on its own', async () => {
    const { spec } = await read(`${PRELUDE}
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(6, 6), nn.Linear(6, 4), nn.Linear(4, 4)])

    def forward(self, x):
        for layer in self.layers:
            y = layer(x)
            if y.shape[-1] == x.shape[-1]:
                y = y + x
            x = y
        return x
`);
    const g = graphModel(spec).graph;
    expect(branches(g.root.nodes)).toEqual([true, false, true].map((value) => ({ kind: 'const', value })));
    expect(ops(g.root.nodes).filter((o) => o === 'operator.add')).toHaveLength(2);
  });

  it('a condition on tensor values is a diagnostic on it, saying which branches are read', async () => {
    const { spec, noForward, at } = await read(`${PRELUDE}
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        if x.size(0) > 1 and x.abs().max() > 10:
            x = x / 10
        return self.fc(x)
`);
    expect(spec.graph).toBeUndefined();
    expect(noForward.map(at)).toEqual(['x.size(0) > 1 and x.abs().max() > 10']);
    expect(spec.forwardUnavailable).toMatch(/depends on the values of a tensor.*shapes and constants decide, on a training step's path/);
  });
});
