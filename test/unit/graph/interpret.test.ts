/**
 * The graph interpreter on the engine's autograd ops, end to end on models
 * whose ops exist today: a residual MLP with a functional forward, a Linear
 * applied twice (shared weights), and a model that computes its own loss.
 * Its outputs and gradients are those of the same ops called by hand; the
 * trainer and the signal through depth run on it; an op the engine lacks is
 * refused with the reason, at run time and by the check.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { canBatchMatmul, canBroadcast } from '../../../engine/graph/capabilities';
import { checkForwardGraph } from '../../../engine/graph/check';
import { GraphNetwork, type ModuleTrace } from '../../../engine/graph/network';
import { bindOp, engineHas, OPS, OpUnavailable } from '../../../engine/graph/ops';
import type { RuntimeValue } from '../../../engine/graph/values';
import { measureSignal } from '../../../engine/inspect/signal';
import { initializeParameters } from '../../../engine/model/initialize';
import type { GraphModelSpec } from '../../../engine/model/spec';
import { TorchGenerator } from '../../../engine/random';
import { add, crossEntropyLoss, linear, relu, Tensor } from '../../../engine/tensor';
import { Trainer } from '../../../engine/train/trainer';
import { graphModelOf, resolveText } from '../pymodel/helpers';

const PRELUDE = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';

const RESIDUAL = `${PRELUDE}
class ResMLP(nn.Module):
    def __init__(self, d=6, h=32):
        super().__init__()
        self.inp = nn.Linear(d, h)
        self.fc1 = nn.Linear(h, h)
        self.fc2 = nn.Linear(h, h)
        self.out = nn.Linear(h, 3)

    def forward(self, x):
        x = F.relu(self.inp(x))
        x = x + self.fc2(F.relu(self.fc1(x)))
        return self.out(x)

model = ResMLP()
criterion = nn.CrossEntropyLoss()
`;

const graphModel = graphModelOf;

function network(spec: GraphModelSpec, dtype: 'float32' | 'float64' = 'float64'): GraphNetwork {
  const rng = new TorchGenerator(spec.seed);
  return new GraphNetwork(spec, initializeParameters(spec, rng, dtype), rng, dtype);
}

function input(rows: number, cols: number, seed = 1): Tensor {
  const rng = new TorchGenerator(seed);
  return Tensor.from(Array.from({ length: rows * cols }, () => rng.normal()), [rows, cols], { dtype: 'float64' });
}

describe('the graph interpreter', () => {
  it('computes what the same engine ops compute by hand, forward and backward (float64, exactly)', async () => {
    const spec = await graphModel(RESIDUAL);
    const net = network(spec);
    const p = (name: string): Tensor => net.parameters.get(name)!;
    const x = input(5, 6);
    const targets = Int32Array.from([0, 2, 1, 1, 0]);
    const out = net.forward([x]) as Tensor;
    crossEntropyLoss(out, targets).backward();
    const graphGrads = [...net.parameters].map(([name, t]) => [name, Array.from(t.grad!)] as const);

    // By hand, on copies of the same parameters.
    const copy = new Map([...net.parameters].map(([name, t]) => [name, Tensor.from(t.data, t.shape, { dtype: 'float64', requiresGrad: true })]));
    const q = (name: string): Tensor => copy.get(name)!;
    const h = relu(linear(x, q('inp.weight'), q('inp.bias')));
    const r = add(h, linear(relu(linear(h, q('fc1.weight'), q('fc1.bias'))), q('fc2.weight'), q('fc2.bias')));
    const y = linear(r, q('out.weight'), q('out.bias'));
    expect(Array.from(out.data)).toEqual(Array.from(y.data));
    crossEntropyLoss(y, targets).backward();
    for (const [name, g] of graphGrads) expect(g, name).toEqual(Array.from(copy.get(name)!.grad!));
    expect(p('inp.weight').grad!.some((v) => v !== 0)).toBe(true);
  });

  it('a Linear applied twice gets the sum of both uses\' gradients, as torch accumulates a shared parameter', async () => {
    const spec = await graphModel(`${PRELUDE}
class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(self.fc(x).relu())
`);
    const net = network(spec);
    const x = input(3, 4);
    (net.forward([x]) as Tensor).backward(new Float64Array(12).fill(1));
    const w = Tensor.from(net.parameters.get('fc.weight')!.data, [4, 4], { dtype: 'float64', requiresGrad: true });
    const b = Tensor.from(net.parameters.get('fc.bias')!.data, [4], { dtype: 'float64', requiresGrad: true });
    linear(relu(linear(x, w, b)), w, b).backward(new Float64Array(12).fill(1));
    expect(Array.from(net.parameters.get('fc.weight')!.grad!)).toEqual(Array.from(w.grad!));
    expect(Array.from(net.parameters.get('fc.bias')!.grad!)).toEqual(Array.from(b.grad!));
  });

  it('a forward that computes its own loss (forward(x, targets) → (logits, loss)) trains on that loss', async () => {
    const spec = await graphModel(`${PRELUDE}
class WithLoss(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x, targets=None):
        logits = self.fc2(F.relu(self.fc1(x)))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits, targets)
        return logits, loss
`);
    expect(spec.graph.loss).toEqual({ targetsInput: 1, output: 1, prediction: 0 });
    const trainer = new Trainer(spec, { batchSize: 32 });
    expect(trainer.dataset.targets.kind).toBe('classes');
    const losses = Array.from({ length: 400 }, () => trainer.step().loss);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-20))).toBeLessThan(0.8 * mean(losses.slice(0, 20)));
  });

  it('the trainer trains the residual MLP on its default data, and the same seed gives the same losses', async () => {
    const spec = await graphModel(RESIDUAL);
    const run = (): number[] => {
      const trainer = new Trainer(spec, { batchSize: 32 });
      return Array.from({ length: 300 }, () => trainer.step().loss);
    };
    const a = run();
    expect(run()).toEqual(a);
    const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(a.slice(-20))).toBeLessThan(0.8 * mean(a.slice(0, 20)));
  });

  it('Signal through depth reports every submodule\'s output in call order, with activation and gradient std', async () => {
    const spec = await graphModel(RESIDUAL);
    const report = measureSignal(spec, { examples: 64 });
    expect(report.through).toBe('modules');
    expect(report.layers.map((l) => [l.name, l.kind])).toEqual([['inp', 'Linear'], ['fc1', 'Linear'], ['fc2', 'Linear'], ['out', 'Linear']]);
    for (const l of report.layers) {
      expect(l.std).toBeGreaterThan(0);
      expect(l.gradStd).toBeGreaterThan(0);
      expect(l.weightGradStd).toBeGreaterThan(0);
    }
    // The trace is the forward's own tensors: the first module's std is that of inp(x).
    const net = network(spec);
    const trace: ModuleTrace[] = [];
    net.forward([input(4, 6)], { trace });
    expect(trace.map((t) => t.path)).toEqual(['inp', 'fc1', 'fc2', 'out']);
  });

  it('an op the engine does not have yet is refused when it runs, and the check names it where the model calls it', async () => {
    const missing = Object.entries(OPS).filter(([, d]) => d.engine && d.engine !== 'broadcasting' && !engineHas(d.engine));
    for (const [name] of missing) {
      const def = OPS[name]!;
      const args: RuntimeValue[] = def.signature.split(',').filter((p) => !p.includes('=') && !p.trim().startsWith('*')).map(() => Tensor.zeros([2, 2]));
      expect(() => def.run(bindOp(name, args, {}).bound, { training: true, rng: new TorchGenerator(0), dtype: 'float32' }), name).toThrow(OpUnavailable);
    }
    const spec = await graphModel(RESIDUAL);
    // A forward graph calling such an op (the first one the table lacks, if any): the check reports it on that node.
    if (missing.length > 0) {
      const [name] = missing[0]!;
      const graph = structuredClone(spec.graph);
      graph.root.nodes.push({ output: 'extra', call: { kind: 'op', name }, args: [{ kind: 'value', name: graph.root.nodes.at(-1)!.output }], kwargs: {}, range: { start: 7, end: 11 } });
      const problems = checkForwardGraph(graph, spec.modules);
      const refused = problems.find((p) => p.unavailable);
      expect(refused).toMatchObject({ range: { start: 7, end: 11 }, unavailable: true });
      expect(refused!.message).toMatch(/not available yet/);
    }
    expect(checkForwardGraph(spec.graph, spec.modules)).toEqual([]);
  });

  it('the tiny GPT\'s check lists what the engine lacks for it, each missing exactly when the engine lacks it', async () => {
    const file = await resolveText(readFileSync('examples/tiny_gpt/model.py', 'utf8'));
    const spec = file.models.find((m) => m.name === 'GPT')!.result.spec!;
    const problems = checkForwardGraph(structuredClone(spec.graph!), spec.modules!);
    for (const p of problems) expect(p.unavailable, p.message).toBe(true);
    const constructs = problems.map((p) => p.construct);
    expect(constructs.some((c) => c.startsWith('broadcasting'))).toBe(!canBroadcast());
    expect(constructs.some((c) => c.includes('batched'))).toBe(!canBatchMatmul());
    expect(constructs.includes('the op F.embedding')).toBe(!engineHas('embedding'));
    expect(constructs.includes('the op .split')).toBe(!engineHas('split'));
    expect(constructs.includes('the op .masked_fill')).toBe(!engineHas('maskedFill'));
    // Every op, module and shape of the GPT is otherwise fine: no mismatch among the problems.
    expect(problems.filter((p) => p.construct === 'a shape mismatch')).toEqual([]);
    expect(spec.forwardUnavailable === undefined).toBe(problems.length === 0);
  });

  it('the table maps every torch name to the engine function of the convention; each is available exactly when engine/tensor exports it', () => {
    for (const [name, def] of Object.entries(OPS)) {
      // weightscope.*: steps the reader adds (a branch decided from shapes, engine/graph/branch.ts).
      expect(name).toMatch(/^(operator|math|builtins|Tensor|torch|weightscope)\./);
      if (def.engine && def.engine !== 'broadcasting') expect(def.engine, name).toMatch(/^[a-z][A-Za-z0-9]*$/);
    }
    expect(OPS['torch.nn.functional.conv2d']!.engine).toBe('conv2d');
    expect(OPS['torch.nn.functional.embedding']!.engine).toBe('embedding');
    expect(OPS['torch.nn.functional.scaled_dot_product_attention']!.engine).toBe('scaledDotProductAttention');
    expect(engineHas('linear')).toBe(true);
    expect(engineHas('noSuchOp')).toBe(false);
  });
});
