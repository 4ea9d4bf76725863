/**
 * `forward` read as a dataflow graph, never run: the constructs of real
 * models (tuple unpacking, shape arithmetic, loops over ModuleLists, the
 * training branch, a loss computed in forward, causal-mask buffers,
 * Sequential bodies, helper methods) become nodes, and what the reader
 * cannot read is reported on its exact syntax, naming the construct.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ForwardGraph, GraphNode } from '../../../engine/graph/ir';
import { engineHas } from '../../../engine/graph/ops';
import { materialize } from '../../../engine/modules/materialize';
import { modelTensors } from '../../../engine/model/moduleTree';
import { combineCells, readIpynb } from '../../../pymodel/notebook';
import { resolveWithParser } from '../../../pymodel';
import { loadParser, resolveText } from '../pymodel/helpers';

const PRELUDE = 'import math\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';

async function read(text: string, name?: string) {
  const file = await resolveText(text);
  const model = name ? file.models.find((m) => m.name === name)! : file.models.find((m) => m.primary) ?? file.models[file.models.length - 1]!;
  const noForward = file.diagnostics.filter((d) => d.code === 'py-no-forward');
  return { file, model, spec: model.result.spec!, noForward, at: (d: { range: { start: number; end: number } }) => text.slice(d.range.start, d.range.end) };
}

const ops = (nodes: GraphNode[]): string[] => nodes.map((n) => (n.call.kind === 'op' ? n.call.name : n.call.kind === 'module' ? `module ${n.call.path}` : `tensor ${n.call.path}`));

describe('the forward reader', () => {
  it('reads the tiny GPT: token input, position table, blocks unrolled, the causal mask, and the loss forward returns', async () => {
    const { spec } = await read(readFileSync('examples/tiny_gpt/model.py', 'utf8'), 'GPT');
    const g = spec.graph as ForwardGraph;
    expect(g.root.inputs).toHaveLength(2);
    expect(g.loss).toEqual({ targetsInput: 1, output: 1, prediction: 0 });
    expect(g.input).toEqual({ kind: 'tokens', vocab: 65, length: 64 });
    expect(ops(g.root.nodes)).toEqual([
      'Tensor.size', 'operator.getitem', 'operator.getitem', 'torch.arange', 'module transformer.tok', 'module transformer.pos', 'operator.add',
      'module transformer.blocks.0', 'module transformer.blocks.1', 'module transformer.blocks.2', 'module transformer.blocks.3',
      'module transformer.ln_f', 'module head', 'Tensor.size', 'Tensor.view', 'Tensor.view', 'torch.nn.functional.cross_entropy',
    ]);
    expect(Object.keys(g.bodies)).toContain('transformer.blocks.3.attn');
    const attn = g.bodies['transformer.blocks.0.attn']!;
    // q, k, v = self.qkv(x).split(C, dim=2): one split, three getitems.
    const split = attn.nodes.find((n) => n.call.kind === 'op' && n.call.name === 'Tensor.split')!;
    expect(split.kwargs).toEqual({ dim: { kind: 'const', value: 2 } });
    expect(attn.nodes.filter((n) => n.args[0]?.kind === 'value' && n.args[0].name === split.output).map((n) => n.args[1])).toEqual([0, 1, 2].map((i) => ({ kind: 'const', value: i })));
    // self.n_head is computed now (4); C // self.n_head stays a node on the runtime size C.
    const view = attn.nodes.find((n) => n.call.kind === 'op' && n.call.name === 'Tensor.view')!;
    expect(view.args[3]).toEqual({ kind: 'const', value: 4 });
    expect(attn.nodes.some((n) => n.call.kind === 'tensor' && n.call.path === 'transformer.blocks.0.attn.mask')).toBe(true);
    const fill = attn.nodes.find((n) => n.call.kind === 'op' && n.call.name === 'Tensor.masked_fill')!;
    expect(fill.args[2]).toEqual({ kind: 'const', value: -Infinity });
    // The block's residual sums: x + self.attn(self.ln1(x)).
    expect(ops(g.bodies['transformer.blocks.0']!.nodes)).toEqual([
      'module transformer.blocks.0.ln1', 'module transformer.blocks.0.attn', 'operator.add', 'module transformer.blocks.0.ln2', 'module transformer.blocks.0.ff', 'operator.add',
    ]);
  });

  it('reads the MNIST CNN notebook: images (1, H, W) whose size the check finds (28 × 28), and conv2d reported where it is missing', async () => {
    const source = combineCells(readIpynb(readFileSync('examples/notebooks/mnist_cnn.ipynb', 'utf8')));
    const { spec, noForward, at } = await read(source.text, 'Net');
    const g = spec.graph!;
    expect(ops(g.root.nodes)).toEqual([
      'module conv1', 'torch.nn.functional.relu', 'module conv2', 'torch.nn.functional.relu', 'torch.nn.functional.max_pool2d',
      'module dropout1', 'torch.flatten', 'module fc1', 'torch.nn.functional.relu', 'module dropout2', 'module fc2', 'torch.nn.functional.log_softmax',
    ]);
    // fc1 takes 12·12·64 features: only 28 × 28 inputs give that through two 3×3 convolutions and a 2×2 pool.
    expect(g.input).toEqual({ kind: 'values', shape: [1, 28, 28] });
    if (!engineHas('conv2d')) expect(noForward.map(at)).toEqual(['self.conv1(x)']);
  });

  it('the causal mask buffer is torch.tril(torch.ones(T, T)) viewed (1, 1, T, T): its values, not a guess', async () => {
    const { spec } = await read(readFileSync('examples/tiny_gpt/model.py', 'utf8'), 'GPT');
    const mask = modelTensors(spec).find((t) => t.name === 'transformer.blocks.0.attn.mask')!;
    expect(mask.decl.approximate).toBeUndefined();
    expect(mask.decl.shape).toEqual([1, 1, 64, 64]);
    const values = materialize(mask.decl, new Map()).data;
    expect([values[0], values[1], values[64], values[65], values[64 * 64 - 1], values[63]]).toEqual([1, 0, 1, 1, 1, 0]);
  });

  it('a float("-inf") causal mask, torch.triu(torch.full((T, T), float("-inf")), diagonal=1), has its values too', async () => {
    const { spec } = await read(readFileSync('test/fixtures/training/transformer_lm/model.py', 'utf8'), 'TransformerModel');
    const mask = modelTensors(spec).find((t) => t.name === 'src_mask')!;
    expect(mask.decl.approximate).toBeUndefined();
    const values = Array.from(materialize(mask.decl, new Map()).data);
    expect(values.slice(0, 8)).toEqual([0, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
    expect(values.slice(8, 16)).toEqual([0, 0, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
    expect(values.at(-1)).toBe(0);
  });

  it('takes the training path: `if targets is None` is false, `self.training` is true; a second optional input keeps its default', async () => {
    const { spec } = await read(`${PRELUDE}
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.extra = nn.Linear(3, 3)

    def forward(self, x, targets=None, scale=None):
        y = self.fc(x)
        if self.training:
            y = F.dropout(y, 0.1)
        if scale is not None:
            y = self.extra(y)
        if targets is None:
            return y
        loss = F.cross_entropy(y, targets)
        return y, loss
`);
    const g = spec.graph!;
    expect(ops(g.root.nodes)).toEqual(['module fc', 'torch.nn.functional.dropout', 'torch.nn.functional.cross_entropy']);
    expect(g.loss).toEqual({ targetsInput: 1, output: 1, prediction: 0 });
    expect(g.input).toEqual({ kind: 'values', shape: [4] });
  });

  it('reads nn.Sequential and its subclasses without forward as a body calling each child in order', async () => {
    const { spec } = await read(`${PRELUDE}
class ConvBNAct(nn.Sequential):
    def __init__(self, c):
        super().__init__(nn.Linear(c, c), nn.ReLU())

class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(ConvBNAct(8), nn.Linear(8, 2))

    def forward(self, x):
        return self.body(x)
`, 'M');
    const g = spec.graph!;
    expect(ops(g.bodies.body!.nodes)).toEqual(['module body.0', 'module body.1']);
    expect(ops(g.bodies['body.0']!.nodes)).toEqual(['module body.0.0', 'module body.0.1']);
  });

  it('inlines helper methods and functions of the file, with their constant arguments', async () => {
    const { spec } = await read(`${PRELUDE}
def new_gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def _project(self, x, times=2):
        for _ in range(times):
            x = self.fc(x)
        return x

    def forward(self, x):
        return new_gelu(self._project(x))
`);
    const nodes = spec.graph!.root.nodes;
    expect(ops(nodes).slice(0, 2)).toEqual(['module fc', 'module fc']);
    expect(ops(nodes)).toContain('torch.tanh');
    // math.sqrt(2.0 / math.pi) is computed now: a constant operand.
    const constants = nodes.filter((n) => n.call.kind === 'op' && n.call.name === 'operator.mul').map((n) => n.args[0]);
    expect(constants).toContainEqual({ kind: 'const', value: Math.sqrt(2 / Math.PI) });
  });

  it.each([
    ['a while loop', '        while x.sum() > 0:\n            x = self.fc(x)\n        return x', 'x.sum() > 0', /runs a number of times/],
    ['a branch on tensor values', '        if x.mean() > 0:\n            x = self.fc(x)\n        return x', 'x.mean() > 0', /depends on the values of a tensor/],
    ['an indexed assignment', '        x[:, 0] = 0\n        return self.fc(x)', 'x[:, 0]', /writes into a tensor in place/],
    ['calling a ModuleList', '        return self.layers(x)', 'self.layers(x)', /ModuleList, which is not callable/],
  ])('%s stops the reading with a diagnostic on its exact syntax; the inspection still works', async (_what, body, code, message) => {
    const text = `${PRELUDE}
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.layers = nn.ModuleList([nn.Linear(4, 4)])

    def forward(self, x):
${body}
`;
    const { spec, noForward, at } = await read(text);
    expect(spec.graph).toBeUndefined();
    expect(spec.forwardUnavailable).toMatch(message);
    expect(noForward.map(at)).toEqual([code]);
    expect(modelTensors(spec).map((t) => t.name)).toEqual(['fc.weight', 'fc.bias', 'layers.0.weight', 'layers.0.bias']);
  });

  it('an op that is not in the table is reported where it is called, naming it', async () => {
    const text = `${PRELUDE}
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        x = self.fc(x)
        return torch.einsum("bi,bj->bij", x, x)
`;
    const { spec, noForward, at } = await read(text);
    expect(spec.graph).toBeDefined();
    expect(spec.forwardUnavailable).toMatch(/torch\.einsum is not an op Weightscope runs yet/);
    expect(noForward.map(at)).toEqual(['torch.einsum("bi,bj->bij", x, x)']);
  });

  it('a problem inside a class imported from a sibling file is reported on the call in the model\'s file', async () => {
    const blocks = `${PRELUDE}
class Mixer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

    def forward(self, x):
        return torch.einsum("bi,bj->bij", self.fc(x), x)
`;
    const main = `${PRELUDE}from blocks import Mixer

class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.mix = Mixer(4)

    def forward(self, x):
        return self.mix(x)

model = M()
`;
    const file = resolveWithParser(await loadParser(), main, { path: 'model.py', readFile: (p) => (p === 'blocks.py' ? blocks : undefined) });
    const spec = file.models.find((m) => m.name === 'M')!.result.spec!;
    expect(spec.graph).toBeDefined();
    const said = file.diagnostics.filter((d) => d.code === 'py-no-forward');
    expect(said.map((d) => main.slice(d.range.start, d.range.end))).toEqual(['self.mix(x)']);
    expect(said[0]!.message).toMatch(/torch\.einsum is not an op Weightscope runs yet/);
  });

  it('a shape that does not fit is reported on the line that applies it, with torch\'s numbers', async () => {
    const text = `${PRELUDE}
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 20)
        self.fc2 = nn.Linear(20, 30)
        self.fc3 = nn.Linear(20, 1)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = x + self.fc2(x)
        return self.fc3(x)
`;
    const { spec, noForward, at } = await read(text);
    expect(spec.forwardUnavailable).toMatch(/The size of tensor a \(20\) must match the size of tensor b \(30\) at non-singleton dimension 1/);
    expect(noForward.map(at)).toEqual(['x + self.fc2(x)']);
  });
});
