/**
 * Benchmark: parsing and resolving a 2,000-line PyTorch file (goal: under
 * 50 ms together). The file is generated: module constants, init functions,
 * and nn.Module classes in the shapes of the unit corpus (Sequential,
 * functional activations, ModuleList over a range, apply with isinstance,
 * param groups), each instantiated with a loss and an optimizer.
 *
 * parseMs: tree-sitter's full parse of the text. resolveMs: copying the tree
 * into plain nodes, reading every model out of it, decoding and linting it.
 * Both are medians over repeated runs after a warm-up (the first run compiles
 * the WebAssembly and warms the JIT); `best` has the fastest run of each, and
 * `cpu` the median CPU time of this process (process.cpuUsage), the figures to
 * read on a machine shared with other work, where wall time includes waiting
 * for a core.
 */
import { createRequire } from 'node:module';
import { PythonParser, resolvePython } from '../pymodel';

const RUNS = 41;

function classBlock(i: number): string[] {
  const width = 32 + (i % 5) * 16;
  switch (i % 4) {
    case 0:
      return [
        `class MLP${i}(nn.Module):`,
        `    """A plain MLP with functional activations (${width} wide)."""`,
        '',
        `    def __init__(self, d_in=IN_FEATURES, hidden=${width}, d_out=1):`,
        '        super().__init__()',
        '        self.fc1 = nn.Linear(d_in, hidden)',
        '        self.fc2 = nn.Linear(hidden, hidden // 2)',
        '        self.fc3 = nn.Linear(hidden // 2, d_out)',
        '        nn.init.kaiming_normal_(self.fc1.weight, nonlinearity="relu")',
        '        nn.init.zeros_(self.fc1.bias)',
        '        self.fc2.weight.data.normal_(0, 0.01)',
        '',
        '    def forward(self, x):',
        '        x = F.relu(self.fc1(x))',
        '        x = F.dropout(x, p=DROPOUT, training=self.training)',
        '        x = F.leaky_relu(self.fc2(x), 0.2)',
        '        return self.fc3(x)',
        '',
        '',
      ];
    case 1:
      return [
        `class Seq${i}(nn.Module):`,
        '    def __init__(self):',
        '        super().__init__()',
        '        self.net = nn.Sequential(',
        `            nn.Linear(IN_FEATURES, ${width}),`,
        '            nn.GELU(),',
        `            nn.LayerNorm(${width}),`,
        `            nn.Linear(${width}, ${width}),`,
        '            nn.Tanh(),',
        `            nn.Linear(${width}, 1),`,
        '        )',
        '        self.apply(init_weights)',
        '',
        '    def forward(self, x):',
        '        return self.net(x)',
        '',
        '',
      ];
    case 2:
      return [
        `class Deep${i}(nn.Module):`,
        `    def __init__(self, width=${width}, depth=DEPTH):`,
        '        super().__init__()',
        '        self.inp = nn.Linear(IN_FEATURES, width)',
        '        self.hidden = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])',
        '        self.out = nn.Linear(width, 1)',
        '        for m in self.modules():',
        '            if isinstance(m, nn.Linear):',
        '                nn.init.xavier_normal_(m.weight, gain=nn.init.calculate_gain("tanh"))',
        '                nn.init.zeros_(m.bias)',
        '',
        '    def forward(self, x):',
        '        x = torch.tanh(self.inp(x))',
        '        for layer in self.hidden:',
        '            x = torch.tanh(layer(x))',
        '        return self.out(x)',
        '',
        '',
      ];
    default:
      return [
        `class Head${i}(nn.Module):`,
        '    def __init__(self):',
        '        super().__init__()',
        `        self.body = nn.Sequential(nn.Linear(IN_FEATURES, ${width}), nn.SiLU(), nn.Linear(${width}, ${width}), nn.SiLU())`,
        `        self.head = nn.Linear(${width}, 3)`,
        '',
        '    def forward(self, x):',
        '        return self.head(self.body(x))',
        '',
        '',
      ];
  }
}

function usageBlock(name: string, i: number): string[] {
  const v = `model${i}`;
  return [
    `${v} = ${name}()`,
    `criterion${i} = nn.${i % 4 === 3 ? 'CrossEntropyLoss()' : 'BCEWithLogitsLoss()'}`,
    `optimizer${i} = optim.AdamW(`,
    '    [',
    `        {"params": [p for n, p in ${v}.named_parameters() if not n.endswith("bias")], "weight_decay": WEIGHT_DECAY},`,
    `        {"params": [p for n, p in ${v}.named_parameters() if n.endswith("bias")], "weight_decay": 0.0},`,
    '    ],',
    '    lr=LR,',
    ')',
    '',
  ];
}

/** A Python file of (at least) `lines` lines, trimmed to exactly that many. */
export function generatePythonFile(lines = 2000): string {
  const out: string[] = [
    '"""Generated benchmark models."""',
    'import torch',
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    'import torch.optim as optim',
    '',
    'IN_FEATURES = 64',
    'DEPTH = 3',
    'DROPOUT = 0.1',
    'LR = 3e-4',
    'WEIGHT_DECAY = 0.01',
    '',
    '',
    'def init_weights(m):',
    '    if isinstance(m, nn.Linear):',
    '        nn.init.xavier_uniform_(m.weight)',
    '        if m.bias is not None:',
    '            m.bias.data.fill_(0.01)',
    '',
    '',
  ];
  for (let i = 0; out.length < lines - 30; i++) {
    const block = classBlock(i);
    const name = block[0]!.slice('class '.length, block[0]!.indexOf('('));
    out.push(...block, ...usageBlock(name, i), '');
  }
  while (out.length < lines) out.push('# padding');
  return `${out.slice(0, lines).join('\n')}\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchPythonParse(): Promise<{
  lines: number; parseMs: number; resolveMs: number;
  best: { parseMs: number; resolveMs: number };
  cpu: { parseMs: number; resolveMs: number };
}> {
  const require = createRequire(import.meta.url);
  const parser = await PythonParser.load({
    runtime: require.resolve('web-tree-sitter/tree-sitter.wasm'),
    grammar: require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
  });
  const text = generatePythonFile(2000);
  const parse: number[] = [];
  const resolve: number[] = [];
  const cpuParse: number[] = [];
  const cpuResolve: number[] = [];
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let models = 0;
  for (let run = 0; run < RUNS + 3; run++) {
    const c0 = cpu();
    const t0 = performance.now();
    const tree = parser.parse(text);
    const t1 = performance.now();
    const c1 = cpu();
    const file = resolvePython(tree, text);
    const t2 = performance.now();
    const c2 = cpu();
    tree.delete();
    models = file.models.filter((m) => m.result.spec).length;
    if (run >= 3) {
      parse.push(t1 - t0);
      resolve.push(t2 - t1);
      cpuParse.push(c1 - c0);
      cpuResolve.push(c2 - c1);
    }
  }
  if (models === 0) throw new Error('the generated file resolved to no models');
  return {
    lines: text.split('\n').length - 1, parseMs: median(parse), resolveMs: median(resolve),
    best: { parseMs: Math.min(...parse), resolveMs: Math.min(...resolve) },
    cpu: { parseMs: median(cpuParse), resolveMs: median(cpuResolve) },
  };
}
