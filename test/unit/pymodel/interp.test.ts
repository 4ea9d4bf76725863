/**
 * The module reader follows a constructor's code without running it: each
 * case is a construct real model files use, and the tree it must give is
 * what torch builds (state_dict names and shapes, parameter counts, the last
 * initializer of each tensor). Counts were checked against torch 1.13.
 */
import { describe, expect, it } from 'vitest';
import { modelTensors, parameterCount } from '../../../engine/model/moduleTree';
import { describeSteps } from '../../../engine/modules/materialize';
import { PythonParser, resolveWithParser, type PythonFile } from '../../../pymodel';
import { modulePaths } from '../../../pymodel/interp/files';
import { WASM } from './helpers';

async function read(files: Record<string, string>, main = 'main.py'): Promise<PythonFile> {
  const parser = await PythonParser.load(WASM);
  return resolveWithParser(parser, files[main]!, { path: main, readFile: (p) => files[p] });
}

function tensors(file: PythonFile, model: string): string[] {
  const spec = file.models.find((m) => m.name === model)?.result.spec;
  expect(spec, `${model}: ${JSON.stringify(file.diagnostics.map((d) => d.message))}`).toBeDefined();
  return modelTensors(spec!).filter((t) => t.sameAs === undefined).map((t) => `${t.name} [${t.decl.shape.join(', ')}] ${describeSteps(t.decl).initializer}`);
}

const header = 'import math\nimport torch\nimport torch.nn as nn\n';

describe('module reader', () => {
  it('follows classes of sibling files, a @dataclass config and weight tying, and counts a tied tensor once', async () => {
    const f = await read({
      'pkg/config.py': 'from dataclasses import dataclass\n@dataclass\nclass Config:\n    vocab: int = 50\n    dim: int = 8\n    layers: int = 2\n',
      'pkg/blocks.py': `${header}class Block(nn.Module):\n    def __init__(self, cfg):\n        super().__init__()\n        self.fc = nn.Linear(cfg.dim, 4 * cfg.dim)\n        self.proj = nn.Linear(4 * cfg.dim, cfg.dim)\n`,
      'pkg/main.py': `${header}from .config import Config\nfrom .blocks import Block\n\nclass Net(nn.Module):\n    def __init__(self, cfg):\n        super().__init__()\n        self.emb = nn.Embedding(cfg.vocab, cfg.dim)\n        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.layers)])\n        self.head = nn.Linear(cfg.dim, cfg.vocab, bias=False)\n        self.emb.weight = self.head.weight\n        for name, p in self.named_parameters():\n            if name.endswith('proj.weight'):\n                nn.init.normal_(p, std=0.02 / math.sqrt(2 * cfg.layers))\n\nmodel = Net(Config(layers=3))\n`,
    }, 'pkg/main.py');
    const spec = f.models.find((m) => m.name === 'Net')!.result.spec!;
    // torch: emb 400 + 3 × (8·32 + 32 + 32·8 + 8) = 400 + 3 × 552; head.weight is emb.weight.
    expect(parameterCount(spec)).toBe(400 + 3 * 552);
    expect(spec.ties).toEqual([{ name: 'emb.weight', target: 'head.weight' }]);
    const rows = tensors(f, 'Net');
    expect(rows).toContain('blocks.2.proj.weight [8, 32] normal_(std=0.00816497)');
    expect(rows[0]).toBe('emb.weight [50, 8] kaiming_uniform_(a=√5)');
    // nn.Embedding drew emb's own weight before the tie replaced it: the draw stays in the schedule, not in the value.
    const shared = modelTensors(spec).find((t) => t.name === 'emb.weight')!.decl;
    expect(shared.replacedDraws?.map((s) => (s.op === 'init' ? s.init.fn : s.op))).toEqual(['normal_']);
  });

  it('reads argparse defaults, f-string names, class attributes, @staticmethod helpers and %-formatted names', async () => {
    const f = await read({
      'main.py': `${header}import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--hidden', type=int, default=16)\nparser.add_argument('--no-bias', action='store_true')\nopt = parser.parse_args()\n\nclass Net(nn.Module):\n    expansion = 2\n    def __init__(self):\n        super().__init__()\n        for i in range(2):\n            setattr(self, f"fc{i}", self.make(opt.hidden * self.expansion, not opt.no_bias))\n        self.add_module('out%d' % 1, nn.Linear(4, 1))\n    @staticmethod\n    def make(n, bias):\n        return nn.Linear(n, n, bias=bias)\n\nnet = Net()\n`,
    });
    expect(tensors(f, 'Net').map((r) => /^\S+ \[[^\]]*\]/.exec(r)![0])).toEqual([
      'fc0.weight [32, 32]', 'fc0.bias [32]', 'fc1.weight [32, 32]', 'fc1.bias [32]', 'out1.weight [1, 4]', 'out1.bias [1]',
    ]);
  });

  it('follows a factory function, functools.partial of a norm layer, and nn.Sequential(*layers)', async () => {
    const f = await read({
      'main.py': `${header}from functools import partial\n\nclass Net(nn.Sequential):\n    def __init__(self, widths, norm):\n        layers = []\n        for a, b in zip(widths, widths[1:]):\n            layers += [nn.Conv2d(a, b, 3, padding=1, bias=False), norm(b), nn.ReLU()]\n        super().__init__(*layers)\n\ndef small(**kwargs):\n    return Net([3, 8, 16], partial(nn.BatchNorm2d, eps=1e-3), **kwargs)\n\nmodel = small()\n`,
    });
    expect(tensors(f, 'small').map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual([
      '0.weight [8,', '1.weight [8]', '1.bias [8]', '1.running_mean [8]', '1.running_var [8]', '1.num_batches_tracked []',
      '3.weight [16,', '4.weight [16]', '4.bias [16]', '4.running_mean [16]', '4.running_var [16]', '4.num_batches_tracked []',
    ]);
  });

  it('applies init functions in torch order: apply() children first, isinstance dispatch, and the last fill wins', async () => {
    const f = await read({
      'main.py': `${header}def init(m):\n    if isinstance(m, nn.Conv2d):\n        nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')\n    elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):\n        nn.init.constant_(m.weight, 1)\n        nn.init.constant_(m.bias, 0)\n    elif isinstance(m, nn.Linear):\n        m.weight.data.normal_(0, 0.01)\n        m.bias.data.zero_()\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(3, 4, 3)\n        self.bn = nn.BatchNorm2d(4)\n        self.fc = nn.Linear(4, 2)\n        self.apply(init)\n        self.fc.weight.data.mul_(0.5)\n\nnet = Net()\n`,
    });
    const rows = tensors(f, 'Net');
    expect(rows).toContain("conv.weight [4, 3, 3, 3] kaiming_normal_(mode='fan_out', nonlinearity='relu')");
    expect(rows).toContain('bn.weight [4] constant_(val=1)');
    expect(rows).toContain('fc.weight [2, 4] normal_(mean=0, std=0.01), × 0.5');
    expect(rows).toContain('fc.bias [2] zeros_()');
  });

  it('reports a module it cannot build on its line (py-left-out), and the model says what is missing', async () => {
    const f = await read({
      'main.py': `${header}import gym\nenv = gym.make('CartPole-v1')\n\nclass Agent(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.body = nn.Linear(env.observation_space.shape[0], 64)\n        self.head = nn.Linear(64, 2)\n\nagent = Agent()\n`,
    });
    const left = f.diagnostics.filter((d) => d.code === 'py-left-out');
    expect(left.length).toBeGreaterThan(0);
    expect(tensors(f, 'Agent').map((r) => r.split(' ')[0])).toEqual(['head.weight', 'head.bias']);
  });

  it('resolves relative and absolute module names to candidate files', () => {
    expect(modulePaths('a/b/model.py', '.blocks')).toEqual(['a/b/blocks.py', 'a/b/blocks/__init__.py']);
    expect(modulePaths('a/b/model.py', '..ops.misc')).toEqual(['a/ops/misc.py', 'a/ops/misc/__init__.py']);
    expect(modulePaths('a/b/model.py', 'config')).toEqual(['a/b/config.py', 'a/b/config/__init__.py', 'a/config.py', 'a/config/__init__.py', 'config.py', 'config/__init__.py']);
  });

  it('never reads outside what the host gives: an import the host refuses is a name it cannot compute', async () => {
    const asked: string[] = [];
    const parser = await PythonParser.load(WASM);
    const f = resolveWithParser(parser, `${header}from secret import Size\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(Size.N, 2)\n\nnet = Net()\n`, {
      path: 'main.py',
      readFile: (p) => {
        asked.push(p);
        return undefined;
      },
    });
    // The module, then (for `from secret import Size`) a submodule file: every path relative, none above the root.
    expect(asked).toEqual(['secret.py', 'secret/__init__.py', 'secret/Size.py', 'secret/Size/__init__.py']);
    expect(f.diagnostics.some((d) => d.code === 'py-left-out' && /Size\.N/.test(d.message))).toBe(true);
  });
});

describe('insideReader', () => {
  it('reads files below the root only: not ../, not through a link that leads out, not a missing file', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { insideReader } = await import('../../../pymodel/interp/files');
    const { NODE_FS } = await import('../../../cli/pythonModel');
    const base = mkdtempSync(join(tmpdir(), 'ws-inside-'));
    try {
      mkdirSync(join(base, 'ws', 'pkg'), { recursive: true });
      writeFileSync(join(base, 'ws', 'pkg', 'blocks.py'), 'X = 1\n');
      writeFileSync(join(base, 'secret.py'), 'TOKEN = 2\n');
      symlinkSync(join(base, 'secret.py'), join(base, 'ws', 'link.py'));
      const read = insideReader(join(base, 'ws'), NODE_FS);
      expect(read('pkg/blocks.py')).toBe('X = 1\n');
      expect(read('../secret.py')).toBeUndefined();
      expect(read('link.py')).toBeUndefined();
      expect(read('missing.py')).toBeUndefined();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
