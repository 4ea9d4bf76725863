/**
 * The source article's code, verbatim (test/fixtures/python/article.md): its
 * SimpleModel block must resolve, with the lints of its mistakes (errata #8,
 * #9, #11); the AdamW block's optim.AdamW(…) call must read its module-level
 * lr and weight_decay; the NumPy block's initializers get hovers with their
 * real names (errata #1, #2).
 */
import { describe, expect, it } from 'vitest';
import { parameterShapes } from '../../../engine/model/moduleTree';
import { requireChain } from '../../../engine/model/spec';
import { PythonParser, pythonHoverAt, resolvePython } from '../../../pymodel';
import { articleBlocks, resolveText, WASM } from './helpers';

const [numpyBlock, adamwBlock, simpleModelBlock] = articleBlocks();

describe('the article’s SimpleModel block', () => {
  it('has three Python blocks, the last one SimpleModel', () => {
    expect(articleBlocks()).toHaveLength(3);
    expect(simpleModelBlock).toContain('class SimpleModel(nn.Module):');
  });

  it('resolves to 10→100→10→1 with ReLU after fc1, BCELoss and AdamW(lr=0.001, weight_decay=1e-2)', async () => {
    const f = await resolveText(simpleModelBlock!);
    expect(f.models.map((m) => m.name)).toEqual(['SimpleModel']);
    const spec = requireChain(f.models[0]!.result.spec!, 'SimpleModel');
    expect(spec.layers.map((l) => l.type)).toEqual(['Linear', 'ReLU', 'Linear', 'Linear']);
    expect(parameterShapes(spec)).toEqual([
      { name: 'fc1.weight', shape: [100, 10] }, { name: 'fc1.bias', shape: [100] },
      { name: 'fc2.weight', shape: [10, 100] }, { name: 'fc2.bias', shape: [10] },
      { name: 'fc3.weight', shape: [1, 10] }, { name: 'fc3.bias', shape: [1] },
    ]);
    expect(spec.loss).toEqual({ type: 'BCELoss', args: {} });
    expect(spec.optimizer).toEqual({ type: 'AdamW', lr: 0.001, args: { weight_decay: 0.01 }, noDecay: [] });
  });

  it('fires BCE-on-unbounded-output, Linear→Linear and decay-on-biases on the Python code', async () => {
    const f = await resolveText(simpleModelBlock!);
    const on = (code: string): string[] => f.diagnostics.filter((d) => d.code === code).map((d) => f.text.slice(d.range.start, d.range.end));
    expect(on('bce-on-unbounded-output')).toEqual(['BCELoss']);
    expect(on('linear-after-linear')).toEqual(['self.fc3']);
    expect(on('decay-on-bias-and-norm')).toEqual(['weight_decay']);
    // The line numbers are right despite the Chinese comments (UTF-16 offsets).
    const bce = f.diagnostics.find((d) => d.code === 'bce-on-unbounded-output')!;
    expect(f.text.slice(0, bce.range.start).split('\n').length).toBe(22);
    // The quick fix that is valid Python survives: BCELoss → BCEWithLogitsLoss.
    expect(bce.fixes?.map((x) => x.edits.map((e) => e.newText))).toEqual([['BCEWithLogitsLoss']]);
    // The training loop is reported once, as not read.
    expect(on('py-not-modelled').map((t) => t.split(' ')[0])).toEqual(['for']);
    expect(f.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('with the NumPy and AdamW blocks before it (the whole article as one file) it still resolves, using the AdamW call after model = SimpleModel()', async () => {
    const f = await resolveText([numpyBlock, adamwBlock, simpleModelBlock].join('\n'));
    expect(f.models.map((m) => [m.name, m.modelable])).toEqual([['SimpleModel', true]]);
    expect(f.models[0]!.result.spec!.optimizer).toMatchObject({ type: 'AdamW', lr: 0.001, args: { weight_decay: 0.01 } });
  });
});

describe('the article’s AdamW block', () => {
  it('reads lr and weight_decay from module-level constants', async () => {
    const text = `${adamwBlock!.replace('model = ...', 'model = nn.Sequential(nn.Linear(10, 1))')}`.replace('import torch.optim as optim', 'import torch.optim as optim\nimport torch.nn as nn');
    const f = await resolveText(text);
    expect(f.models[0]!.result.spec!.optimizer).toEqual({ type: 'AdamW', lr: 0.001, args: { weight_decay: 0.01 }, noDecay: [] });
    const wd = f.diagnostics.find((d) => d.code === 'decay-on-bias-and-norm')!;
    expect(text.slice(wd.range.start, wd.range.end)).toBe('weight_decay');
  });

  it('as written (model = ...) defines no model and reports nothing wrong', async () => {
    const f = await resolveText(adamwBlock!);
    expect(f.models).toEqual([]);
    expect(f.diagnostics.filter((d) => d.severity !== 'information')).toEqual([]);
  });
});

describe('hovers on the article’s NumPy initializers', () => {
  async function hover(text: string, needle: string, occurrence = 0): Promise<string | undefined> {
    const parser = await PythonParser.load(WASM);
    const tree = parser.parse(text);
    let at = -1;
    for (let i = 0; i <= occurrence; i++) at = text.indexOf(needle, at + 1);
    expect(at).toBeGreaterThanOrEqual(0);
    const info = pythonHoverAt(resolvePython(tree, text), at + 2);
    tree.delete();
    return info?.markdown;
  }

  it('"Xavier Initialization" normal(0, 1/√input_dim) is named LeCun normal, not Xavier', async () => {
    const md = await hover(numpyBlock!, 'np.random.normal(0, 1 / np.sqrt(input_dim)');
    expect(md).toMatch(/^\*\*LeCun normal\*\*/);
    expect(md).toMatch(/Not Xavier/);
    expect(md).toMatch(/`input_dim` is fan_in/);
    expect(md).toMatch(/no value in this file/);
  });

  it('the 1-D "Xavier" bias gets torch’s fan error (errata #2)', async () => {
    const md = await hover(numpyBlock!, 'np.random.normal(0, 1 / np.sqrt(hidden_dim)');
    expect(md).toMatch(/LeCun normal/);
    expect(md).toMatch(/Fan in and fan out can not be computed for tensor with fewer than 2 dimensions/);
  });

  it('normal(0, 0.01) is a fixed-scale normal with std 0.01', async () => {
    const md = await hover(numpyBlock!, 'np.random.normal(0, 0.01, size=(input_dim');
    expect(md).toMatch(/Fixed-scale normal/);
    expect(md).toMatch(/std = 0\.01/);
  });

  it('with known fans the hover gives the std and compares with LeCun and Xavier', async () => {
    const md = await hover('import numpy as np\nn_in, n_out = 400, 100\nW = np.random.normal(0, 1 / np.sqrt(n_in), size=(n_in, n_out))\n', 'np.random.normal');
    // n_in, n_out = 400, 100 is a tuple assignment: not read, so the fans have no value.
    expect(md).toMatch(/LeCun normal/);
    const md2 = await hover('import numpy as np\nN_IN = 400\nN_OUT = 100\nW = np.random.normal(0, 1 / np.sqrt(N_IN), size=(N_IN, N_OUT))\n', 'np.random.normal');
    expect(md2).toMatch(/\*\*std = 0\.05\*\*/);
    expect(md2).toMatch(/Xavier normal √\(2\/500\) = 0\.06325/);
  });

  it('names Xavier, He and the torch default in their other spellings', async () => {
    const cases: [string, RegExp][] = [
      ['import numpy as np\nW = np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / (fan_in + fan_out))\n', /Xavier \(Glorot\) normal/],
      ['import torch, math\nW = torch.randn(out_f, in_f) * math.sqrt(2 / in_f)\n', /He \(Kaiming\) normal/],
      ['import torch, math\nW = torch.randn(out_f, in_f) / math.sqrt(in_f)\n', /LeCun normal/],
      ['import numpy as np\nlimit = 1\nW = np.random.uniform(-np.sqrt(6 / (a + b)), np.sqrt(6 / (a + b)), size=(a, b))\n', /Xavier \(Glorot\) uniform/],
      ['import numpy as np\nW = np.random.uniform(-1 / np.sqrt(n), 1 / np.sqrt(n), size=(n, m))\n', /nn\.Linear's default/],
    ];
    for (const [text, expected] of cases) expect(await hover(text, text.includes('torch.randn') ? 'torch.randn' : 'np.random'), text).toMatch(expected);
  });

  it('on a resolved model, an nn.init call shows the std for that layer’s fans', async () => {
    const text = 'import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(200, 50)\n        nn.init.xavier_normal_(self.fc.weight)\n    def forward(self, x):\n        return self.fc(x)\n';
    const md = await hover(text, 'nn.init.xavier_normal_');
    expect(md).toMatch(/fc\.weight` \[50, 200\]/);
    expect(md).toMatch(/std = 0\.08944/); // √(2/250)
    // On the constructor: both tensors as they end up, the weight by its nn.init call, the bias by torch's default.
    const ctor = await hover(text, 'nn.Linear(200');
    expect(ctor).toMatch(/`fc\.weight` \[50, 200\]: `xavier_normal_\(\)`/);
    expect(ctor).toMatch(/`fc\.bias` \[50\]: torch default `uniform_\(−1\/√fan_in, 1\/√fan_in\)`/);
  });
});
