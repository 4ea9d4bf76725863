/**
 * A corpus of nn.Module files shaped like the ones people write (Sequential
 * and class MLPs, functional activations, init functions with apply and
 * modules() loops, Hugging Face-style param groups, constructor arguments,
 * # weightscope: comments) and files outside the subset: each must resolve
 * to the model torch would build, or say exactly what Weightscope did not read.
 */
import { engineHas } from '../../../engine/graph/ops';
import { isGraphModel } from '../../../engine/model/spec';
import { describe, expect, it } from 'vitest';
import { requireChain, type ChainModelSpec, type LayerSpec, type ModelSpec } from '../../../engine/model/spec';
import { modelTensors, parameterShapes } from '../../../engine/model/moduleTree';
import type { PythonFile } from '../../../pymodel';
import { readPythonFixture, resolveText } from './helpers';

type Resolved = PythonFile & { text: string };

async function corpus(name: string): Promise<Resolved> {
  return resolveText(readPythonFixture(`corpus/${name}`));
}

function model(file: Resolved, name: string): ModelSpec {
  const m = file.models.find((x) => x.name === name);
  expect(m, `model ${name}`).toBeDefined();
  expect(m!.modelable).toBe(true);
  expect(m!.result.spec, JSON.stringify(m!.result.diagnostics.filter((d) => d.severity === 'error'))).toBeDefined();
  return m!.result.spec!;
}

/** The model, read layer by layer: its forward pass must be a chain of layers. */
function chainModel(file: Resolved, name: string): ChainModelSpec {
  return requireChain(model(file, name), `model ${name}`);
}

const types = (spec: ChainModelSpec): string[] => spec.layers.map((l) => l.type);
const linear = (l: LayerSpec | undefined): string => (l?.type === 'Linear' ? `${l.name ?? '?'}:${l.inFeatures}→${l.outFeatures}${l.bias ? '' : ' nobias'}` : String(l?.type));
/** The source text a diagnostic points at. */
const at = (file: Resolved, code: string): string[] => file.diagnostics.filter((d) => d.code === code).map((d) => file.text.slice(d.range.start, d.range.end));
const errors = (file: Resolved): string[] => file.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);

describe('Python corpus: models that resolve', () => {
  it('nn.Sequential at module level: torch state_dict names by position, loss arguments, Adam with coupled decay', async () => {
    const f = await corpus('sequential_mnist.py');
    const spec = chainModel(f, 'model');
    expect(types(spec)).toEqual(['Linear', 'ReLU', 'Dropout', 'Linear']);
    expect(parameterShapes(spec).map((p) => `${p.name}[${p.shape.join(',')}]`)).toEqual(['0.weight[256,784]', '0.bias[256]', '3.weight[10,256]', '3.bias[10]']);
    expect(spec.layers[2]).toMatchObject({ type: 'Dropout', p: 0.2 });
    expect(spec.loss).toEqual({ type: 'CrossEntropyLoss', args: { label_smoothing: 0.1 } });
    expect(spec.optimizer).toMatchObject({ type: 'Adam', lr: 1e-3, args: { weight_decay: 1e-4 } });
    expect(at(f, 'adam-coupled-weight-decay')).toEqual(['Adam']);
    expect(at(f, 'py-not-modelled').some((t) => t.startsWith('for epoch'))).toBe(true);
    expect(errors(f)).toEqual([]);
  });

  it('class MLP with module constants, x.view, F.relu / F.dropout / F.leaky_relu, instantiated in main() with .to(device) and a local lr', async () => {
    const f = await corpus('functional_mlp.py');
    const spec = chainModel(f, 'MLP');
    expect(types(spec)).toEqual(['Linear', 'ReLU', 'Dropout', 'Linear', 'LeakyReLU', 'Linear']);
    expect(spec.layers.map(linear).filter((s) => s.includes('→'))).toEqual(['fc1:784→512', 'fc2:512→256', 'fc3:256→10']);
    expect(spec.layers[2]).toMatchObject({ p: 0.5 });
    expect(spec.layers[4]).toMatchObject({ args: { negative_slope: 0.2 } });
    expect(spec.optimizer).toMatchObject({ type: 'AdamW', lr: 3e-4 });
    expect(spec.loss?.type).toBe('CrossEntropyLoss');
    // The flatten is an assumption, said on its own line.
    expect(at(f, 'py-not-modelled')).toContain('x.view(-1, INPUT_DIM)');
    // AdamW's default weight_decay (0.01) decays the biases: the lint points at the optimizer class.
    expect(at(f, 'decay-on-bias-and-norm')).toEqual(['AdamW']);
  });

  it('Hugging Face-style _init_weights through self.apply, and no_decay param groups from named_parameters()', async () => {
    const f = await corpus('hf_style_init.py');
    const spec = chainModel(f, 'Block');
    expect(types(spec)).toEqual(['LayerNorm', 'Linear', 'GELU', 'Linear']);
    expect(spec.inputFeatures).toBe(64);
    for (const i of [1, 3]) {
      const l = spec.layers[i]!;
      expect(l.type === 'Linear' && l.init).toEqual({ weight: { fn: 'normal_', args: { mean: 0, std: 0.02 } }, bias: { fn: 'zeros_', args: {} } });
    }
    expect(spec.layers[2]).toMatchObject({ args: { approximate: 'tanh' } });
    expect(spec.optimizer).toMatchObject({ type: 'AdamW', lr: 5e-4, args: { weight_decay: 0.1, betas: [0.9, 0.95] } });
    expect(new Set(spec.optimizer!.noDecay)).toEqual(new Set(['ln.weight', 'ln.bias', 'up.bias', 'down.bias']));
    // With every bias and the LayerNorm exempt, the decay lint is silent.
    expect(at(f, 'decay-on-bias-and-norm')).toEqual([]);
    // fill_(1.0) on the LayerNorm weight is torch's default, but Weightscope says it keeps the default anyway.
    expect(at(f, 'py-not-modelled')).toEqual(['module.weight.data.fill_(1.0)']);
  });

  it('a module-level init function applied to an nn.Sequential with type(m) == nn.Linear, SGD with momentum', async () => {
    const f = await corpus('apply_init_function.py');
    const spec = chainModel(f, 'net');
    const linears = spec.layers.filter((l) => l.type === 'Linear');
    expect(linears).toHaveLength(3);
    for (const l of linears) expect(l.type === 'Linear' && l.init).toEqual({ weight: { fn: 'xavier_uniform_', args: {} }, bias: { fn: 'constant_', args: { val: 0.01 } } });
    expect(spec.optimizer).toMatchObject({ type: 'SGD', lr: 0.1, args: { momentum: 0.9 } });
    // Ends with Sigmoid: BCELoss is right here, so no lint.
    expect(at(f, 'bce-on-unbounded-output')).toEqual([]);
  });

  it('ModuleList over a literal range, unrolled in forward; init in a for m in self.modules() loop with calculate_gain', async () => {
    const f = await corpus('modulelist_tanh.py');
    const spec = chainModel(f, 'DeepTanh');
    expect(spec.layers.map(linear).filter((s) => s.includes('→'))).toEqual(['inp:20→128', 'hidden.0:128→128', 'hidden.1:128→128', 'hidden.2:128→128', 'hidden.3:128→128', 'out:128→1']);
    expect(types(spec).filter((t) => t === 'Tanh')).toHaveLength(5);
    const gain = 5 / 3;
    for (const l of spec.layers) if (l.type === 'Linear') expect(l.init?.weight).toEqual({ fn: 'xavier_normal_', args: { gain } });
    expect(spec.optimizer?.args.weight_decay).toBe(0);
    expect(f.diagnostics).toEqual([]);
  });

  it('nn.init calls, .data.normal_, no_grad uniform_/fill_, bias=False, a ReLU module used twice', async () => {
    const f = await corpus('explicit_init.py');
    const spec = chainModel(f, 'Net');
    const [fc1, , fc2, , out] = spec.layers;
    expect(fc1).toMatchObject({ init: { weight: { fn: 'kaiming_normal_', args: { mode: 'fan_in', nonlinearity: 'relu' } }, bias: { fn: 'zeros_', args: {} } } });
    expect(fc2).toMatchObject({ bias: false, init: { weight: { fn: 'normal_', args: { mean: 0, std: 0.01 } } } });
    expect(out).toMatchObject({ init: { weight: { fn: 'uniform_', args: { a: -0.1, b: 0.1 } }, bias: { fn: 'constant_', args: { val: 0 } } } });
    expect(types(spec)).toEqual(['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear', 'Sigmoid']);
    // The reused ReLU keeps its name once; parameter names are still fc1, fc2, out.
    expect(parameterShapes(spec).map((p) => p.name)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'out.weight', 'out.bias']);
    expect(at(f, 'decay-on-bias-and-norm')).toEqual(['weight_decay']);
  });

  it('param groups by p.ndim, a Sequential inside a class (net.0-style names), HuberLoss(delta)', async () => {
    const f = await corpus('param_groups.py');
    const spec = model(f, 'Regressor');
    expect(parameterShapes(spec).map((p) => p.name)).toEqual(['body.0.weight', 'body.0.bias', 'body.2.weight', 'body.2.bias', 'head.weight', 'head.bias']);
    expect(spec.optimizer).toMatchObject({ type: 'AdamW', lr: 2e-3, args: { weight_decay: 0.05 } });
    expect(spec.optimizer!.noDecay).toEqual(['body.0.bias', 'body.2.bias', 'head.bias']);
    expect(spec.loss).toEqual({ type: 'HuberLoss', args: { delta: 0.5 } });
    expect(at(f, 'decay-on-bias-and-norm')).toEqual([]);
  });

  it('param groups by p.dim() as nanoGPT\'s configure_optimizers splits them: only the ≥ 2-D tensors decay', async () => {
    const f = await resolveText([
      'import torch, torch.nn as nn',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(4, 8)',
      '        self.ln = nn.LayerNorm(8)',
      '    def forward(self, x):',
      '        return self.ln(self.fc(x))',
      'model = Net()',
      'decay = [p for n, p in model.named_parameters() if p.dim() >= 2]',
      'nodecay = [p for n, p in model.named_parameters() if p.dim() < 2]',
      'optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}], lr=6e-4, betas=(0.9, 0.95))',
      '',
    ].join('\n'));
    const spec = f.models.find((m) => m.name === 'Net')!.result.spec!;
    expect(spec.optimizer).toMatchObject({ type: 'AdamW', lr: 6e-4, args: { weight_decay: 0.1, betas: [0.9, 0.95] } });
    expect(spec.optimizer!.noDecay).toEqual(['fc.bias', 'ln.weight', 'ln.bias']);
    expect(f.models.flatMap((m) => m.result.diagnostics ?? []).filter((d) => /p\.dim\(\)/.test(d.message))).toEqual([]);
  });

  it('constructor arguments come from the instantiation; a class with no value for its width is not modelled, and says why', async () => {
    const f = await corpus('constructor_args.py');
    const spec = chainModel(f, 'MLP');
    expect(spec.layers.map(linear).filter((s) => s.includes('→'))).toEqual(['net.0:20→64', 'net.3:64→3']);
    expect(spec.layers[1]).toMatchObject({ type: 'ELU', args: { alpha: 1 } });
    expect(spec.layers[2]).toMatchObject({ type: 'Dropout', p: 0.1 });
    const other = f.models.find((m) => m.name === 'NoDefaults')!;
    expect(other.modelable).toBe(false);
    expect(at(f, 'py-cannot-model')).toEqual(['width']);
  });

  it('initialization written on the instance after construction: net[0].weight of a Sequential, model.fc.bias of a class', async () => {
    const f = await resolveText([
      'import torch, torch.nn as nn',
      'net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))',
      'nn.init.orthogonal_(net[0].weight, gain=2 ** 0.5)',
      'with torch.no_grad():',
      '    net[2].bias.zero_()',
      'class M(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(3, 2)',
      '    def forward(self, x):',
      '        return self.fc(x)',
      'model = M()',
      'nn.init.constant_(model.fc.bias, 0.1)',
      '',
    ].join('\n'));
    const net = chainModel(f, 'net');
    expect(net.layers[0]).toMatchObject({ init: { weight: { fn: 'orthogonal_', args: { gain: Math.SQRT2 } } } });
    expect(net.layers[2]).toMatchObject({ init: { bias: { fn: 'zeros_', args: {} } } });
    expect(chainModel(f, 'M').layers[0]).toMatchObject({ init: { bias: { fn: 'constant_', args: { val: 0.1 } } } });
  });

  it('a "# weightscope:" line inside a string is not a directive', async () => {
    const f = await resolveText(['import torch.nn as nn', 'DOC = """', '# weightscope: seed = 9', '"""', 'net = nn.Sequential(nn.Linear(2, 1))', ''].join('\n'));
    expect(model(f, 'net').seed).toBe(0);
  });

  it('type hints everywhere, keyword-only arguments, keyword constructor arguments, an init function typed nn.Module', async () => {
    const f = await corpus('typed_modern.py');
    // out.weight is filled twice (apply, then nn.init.normal_), and torch draws for both: a chain keeps one fill per
    // tensor, so the model is read as its tree, every fill in the code's order, and trained through its graph.
    const spec = model(f, 'GatedHead');
    expect(isGraphModel(spec)).toBe(true);
    const tensors = new Map(modelTensors(spec).map((e) => [e.name, e.decl]));
    const fills = (name: string) => tensors.get(name)!.init.flatMap((s) => (s.op === 'init' ? [{ fn: s.init.fn, args: s.init.args }] : []));
    expect([...tensors.keys()]).toEqual(['proj.weight', 'proj.bias', 'norm.weight', 'norm.bias', 'out.weight']);
    expect(tensors.get('proj.weight')!.shape).toEqual([128, 16]);
    expect(tensors.get('out.weight')!.shape).toEqual([1, 128]);
    expect(fills('proj.weight').slice(1)).toEqual([{ fn: 'trunc_normal_', args: { std: 0.02, a: -0.04, b: 0.04 } }]);
    expect(fills('proj.bias').slice(1)).toEqual([{ fn: 'zeros_', args: {} }]);
    // The later nn.init call overrides what apply set, as in torch; the first still drew.
    expect(fills('out.weight').slice(1)).toEqual([{ fn: 'trunc_normal_', args: { std: 0.02, a: -0.04, b: 0.04 } }, { fn: 'normal_', args: { std: 1 / Math.sqrt(128) } }]);
    expect(spec.optimizer).toMatchObject({ type: 'AdamW', lr: 1e-3, args: { betas: [0.9, 0.98], eps: 1e-6, weight_decay: 0.05 } });
    expect(spec.loss).toEqual({ type: 'MSELoss', args: { reduction: 'sum' } });
    expect(errors(f)).toEqual([]);
  });

  it('a LightningModule: loss as a submodule, the optimizer configure_optimizers returns', async () => {
    const f = await corpus('lightning_module.py');
    const spec = chainModel(f, 'LitClassifier');
    expect(spec.layers.map(linear).filter((s) => s.includes('→'))).toEqual(['encoder.0:32→64', 'encoder.2:64→64', 'head:64→4']);
    expect(spec.loss).toEqual({ type: 'CrossEntropyLoss', args: { label_smoothing: 0.05 } });
    expect(spec.optimizer).toMatchObject({ type: 'AdamW', lr: 3e-4, args: { weight_decay: 0.05 } });
    expect(at(f, 'decay-on-bias-and-norm')).toEqual(['weight_decay']);
    // save_hyperparameters() is said to be assumed harmless; the loss is not an unused layer.
    expect(at(f, 'py-not-modelled')).toEqual(['self.save_hyperparameters()']);
  });

  it('# weightscope: comments attach data, training and seed, per class or file-wide, and report bad ones', async () => {
    const f = await corpus('directives.py');
    const spiral = model(f, 'Spiral');
    expect(spiral.data).toEqual({ kind: 'synthetic', task: 'spiral', examples: 512, noise: 0.05 });
    expect(spiral.training).toMatchObject({ steps: 200, batchSize: 64 });
    expect(spiral.seed).toBe(7);
    const other = model(f, 'Other');
    expect(other.data).toMatchObject({ task: 'regression' });
    expect(other.seed).toBe(7);
    expect(other.training).toBeUndefined();
    expect(at(f, 'bad-directive')).toEqual(['layers', '# weightscope: oops']);
    expect(at(f, 'syntax')).toEqual(['}']);
  });
});

describe('Python corpus: what Weightscope does not model is said, never guessed', () => {
  it('residual sums, Conv2d, BatchNorm1d and log_softmax: every parameter is inspected; forward is a graph, and Train is off exactly where an engine op is missing', async () => {
    const f = await corpus('unsupported.py');
    expect(f.models.map((m) => [m.name, m.modelable, m.result.spec?.layers === undefined, m.result.spec?.graph !== undefined])).toEqual([['ResidualMLP', true, true, true], ['ConvNet', true, true, true], ['WithBatchNorm', true, true, true], ['Plain', true, true, true]]);
    // The residual sum and log_softmax run on today's ops; conv2d and batch_norm once the engine exports them.
    expect(at(f, 'py-no-forward')).toEqual([...(engineHas('conv2d') ? [] : ['self.conv(x)']), ...(engineHas('batchNorm') ? [] : ['self.bn(self.fc(x))'])]);
    expect(isGraphModel(f.models.find((m) => m.name === 'ResidualMLP')!.result.spec!)).toBe(true);
    expect(isGraphModel(f.models.find((m) => m.name === 'Plain')!.result.spec!)).toBe(true);
    for (const d of f.diagnostics) expect(d.severity).toBe('information');
    // Every parameter and buffer torch would make, unused ones (extra) included.
    const bn = f.models.find((m) => m.name === 'WithBatchNorm')!.result.spec!;
    expect(modelTensors(bn).map((t) => `${t.name}:${t.decl.shape.join('x')}`)).toEqual([
      'fc.weight:16x16', 'fc.bias:16', 'bn.weight:16', 'bn.bias:16', 'bn.running_mean:16', 'bn.running_var:16', 'bn.num_batches_tracked:',
      'out.weight:1x16', 'out.bias:1', 'extra.weight:4x16', 'extra.bias:4',
    ]);
    // `self.fc.weight.data = torch.eye(4)` is followed: the weight is the identity.
    const plain = f.models.find((m) => m.name === 'Plain')!.result.spec!;
    expect(modelTensors(plain).find((t) => t.name === 'fc.weight')!.decl.init.at(-1)).toMatchObject({ op: 'init', init: { fn: 'eye_' } });
  });

  it('torch errors in the Python code are errors on the exact argument: shape mismatch, fans of a bias, a bad mode', async () => {
    const f = await corpus('mistakes.py');
    const m = f.models[0]!;
    expect(m.modelable).toBe(true);
    expect(m.result.spec).toBeUndefined();
    expect(at(f, 'shape-mismatch')).toEqual(['50']);
    expect(at(f, 'init-needs-fans')).toEqual(['xavier_uniform_']);
    expect(at(f, 'bad-init-argument')).toEqual(['nn.init.kaiming_uniform_(self.fc2.weight, mode="fan_avg")']);
  });

  it('an unused layer, an unknown loss and an unknown optimizer are reported with what is assumed', async () => {
    const f = await resolveText([
      'import torch.nn as nn, torch.optim as optim',
      'class M(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(3, 1)',
      '        self.spare = nn.Linear(3, 3)',
      '    def forward(self, x):',
      '        return self.fc(x)',
      'model = M()',
      'criterion = nn.NLLLoss()',
      'optimizer = optim.RMSprop(model.parameters(), lr=0.01)',
      '',
    ].join('\n'));
    const spec = model(f, 'M');
    expect(parameterShapes(spec).map((p) => p.name)).toEqual(['fc.weight', 'fc.bias']);
    expect(spec.loss).toBeUndefined();
    expect(spec.optimizer).toBeUndefined();
    const notes = f.diagnostics.filter((d) => d.code === 'py-not-modelled').map((d) => d.message);
    expect(notes.some((m) => /self\.spare, never applied in forward/.test(m))).toBe(true);
    expect(notes.some((m) => /nn\.NLLLoss/.test(m))).toBe(true);
    expect(notes.some((m) => /optim\.RMSprop/.test(m))).toBe(true);
  });

  it('submodules added by ModuleList.append, setattr or a loop are read into the tree, and forward runs as a graph over them', async () => {
    const f = await resolveText([
      'import torch.nn as nn',
      'class Appended(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.layers = nn.ModuleList()',
      '        for _ in range(3):',
      '            self.layers.append(nn.Linear(8, 8))',
      '    def forward(self, x):',
      '        for layer in self.layers:',
      '            x = layer(x)',
      '        return x',
      'class Named(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc0 = nn.Linear(4, 4)',
      '        for i in range(1, 3):',
      '            setattr(self, f"fc{i}", nn.Linear(4, 4))',
      '    def forward(self, x):',
      '        return self.fc0(x)',
      '',
    ].join('\n'));
    expect(f.models.map((m) => [m.name, m.modelable, m.result.spec?.layers === undefined])).toEqual([['Appended', true, true], ['Named', true, true]]);
    // The chain reader does not follow modules added in loops; the forward graph does, so Train is on for both.
    expect(f.diagnostics.filter((d) => d.code === 'py-no-forward')).toEqual([]);
    expect(f.models.map((m) => isGraphModel(m.result.spec!))).toEqual([true, true]);
    expect(f.models[0]!.result.spec!.graph!.root.nodes.map((n) => n.call)).toEqual([0, 1, 2].map((i) => ({ kind: 'module', path: `layers.${i}` })));
    expect(parameterShapes(f.models[0]!.result.spec!).map((p) => p.name)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight', 'layers.2.bias']);
    expect(parameterShapes(f.models[1]!.result.spec!).map((p) => p.name)).toEqual(['fc0.weight', 'fc0.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  });

  it('a method called from __init__ (self.reset_parameters()) is read for its init statements', async () => {
    const f = await resolveText([
      'import torch.nn as nn',
      'class M(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(6, 3)',
      '        self.reset_parameters()',
      '    def reset_parameters(self):',
      '        nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")',
      '        nn.init.zeros_(self.fc.bias)',
      '    def forward(self, x):',
      '        return self.fc(x)',
      '',
    ].join('\n'));
    expect(chainModel(f, 'M').layers[0]).toMatchObject({ init: { weight: { fn: 'kaiming_uniform_', args: { nonlinearity: 'relu' } }, bias: { fn: 'zeros_', args: {} } } });
    expect(f.diagnostics).toEqual([]);
  });

  it('an optimizer over filter(lambda …) and a final .squeeze(-1) are read with their assumptions said', async () => {
    const f = await resolveText([
      'import torch, torch.nn as nn',
      'class R(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(5, 1)',
      '    def forward(self, x):',
      '        return self.fc(x).squeeze(-1)',
      'model = R()',
      'optimizer = torch.optim.AdamW(filter(lambda p: p.requires_grad, model.parameters()), lr=0.01)',
      '',
    ].join('\n'));
    expect(model(f, 'R').optimizer).toMatchObject({ type: 'AdamW', lr: 0.01 });
    const notes = f.diagnostics.filter((d) => d.code === 'py-not-modelled').map((d) => d.message);
    expect(notes).toEqual([
      expect.stringMatching(/^`self\.fc\(x\)\.squeeze\(-1\)`: .*keeps the \(N, outputs\) shape/),
      expect.stringMatching(/^the parameter list filter\(lambda .*they get the optimizer's own settings/),
    ]);
  });

  it('shared weights (a Linear applied twice): a graph that calls fc twice, so its gradient sums both uses', async () => {
    const f = await resolveText([
      'import torch.nn as nn',
      'class Tied(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(8, 8)',
      '    def forward(self, x):',
      '        return self.fc(self.fc(x).relu())',
      '',
    ].join('\n'));
    expect(f.models[0]!.modelable).toBe(true);
    expect(f.models[0]!.result.spec!.layers).toBeUndefined();
    const spec = f.models[0]!.result.spec!;
    expect(isGraphModel(spec)).toBe(true);
    expect(spec.graph!.root.nodes.filter((n) => n.call.kind === 'module').map((n) => n.call)).toEqual([{ kind: 'module', path: 'fc' }, { kind: 'module', path: 'fc' }]);
  });

  it('a Python syntax error is an error, and the class it breaks is not modelled', async () => {
    const f = await resolveText('import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(3, \n    def forward(self, x):\n        return self.fc(x)\n');
    expect(f.diagnostics.some((d) => d.code === 'syntax' && d.severity === 'error')).toBe(true);
    expect(f.models[0]?.modelable).toBe(false);
  });

  it('a file with no model resolves to no models and no diagnostics', async () => {
    const f = await resolveText('import numpy as np\nx = np.zeros(3)\n');
    expect(f.models).toEqual([]);
    expect(f.diagnostics).toEqual([]);
  });
});
