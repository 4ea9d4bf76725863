/** Sizes before memory: the estimate comes from shapes alone, and a model too large to allocate is refused. */
import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';
import { activationElementsPerExample } from '../../../engine/graph/check';
import { estimateMemory, sizeProblem } from '../../../engine/model/memory';
import { isGraphModel, type GraphModelSpec } from '../../../engine/model/spec';
import { resolveText } from '../pymodel/helpers';
import type { ModelSpec } from '../../../engine/model/spec';
import { loadResources } from '../../../worker/resources';

const chain = (out: number, extra: object = {}): string => JSON.stringify({ version: 1, input: 10, layers: [{ type: 'Linear', out_features: out }], ...extra });

describe('estimateMemory', () => {
  it('counts what each command holds: init the tensors, signal the batch, train the optimizer state and the data', () => {
    const spec = parseModelText(chain(5), 'json', 'm').spec!;
    // 55 parameters; widths 10 + 5 = 15; 1024 synthetic examples of 10 inputs and 5 targets.
    expect(estimateMemory(spec, 'init')).toEqual({ parameters: 55, bytes: 4 * (55 + 2 * 50) });
    expect(estimateMemory(spec, 'signal', 8).bytes).toBe(4 * (2 * 55 + 3 * 8 * 15));
    expect(estimateMemory(spec, 'train', 8).bytes).toBe(4 * (6 * 55 + 3 * 8 * 15 + 1024 * 15));
  });

  it('a module tree only inspected is not limited by the parameter count, only by an absurd estimate', () => {
    const tree = (n: number): string => JSON.stringify({ version: 1, layers: [{ type: 'Embedding', num_embeddings: n, embedding_dim: 1000 }] });
    const big = parseModelText(tree(100_000), 'json', 'm', { maxParameters: 1000 });
    expect(big.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const absurd = parseModelText(tree(1e9), 'json', 'm', { maxParameters: 1000 });
    expect(absurd.spec).toBeUndefined();
    expect(absurd.diagnostics.map((d) => d.message)).toEqual(['The model has 1,000,000,000,000 parameters and initializing it needs about 10.9 TB, over the 2.00 GB Weightscope allows itself: nothing was allocated.']);
  });

  it('a shape whose product is not finite is refused, never a RangeError', () => {
    const result = parseModelText(chain(1e300), 'json', 'm');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['too-large']);
    expect(result.diagnostics[0]!.message).toMatch(/^The model has 1\.10e\+301 parameters and training it needs about 4\.74e\+303 bytes, over the 2\.00 GB/);
    const infinite = parseModelText(chain(1e308, { layers: [{ type: 'Linear', out_features: 1e308 }, { type: 'Linear', out_features: 1e308 }] }), 'json', 'm');
    expect(infinite.diagnostics[0]!.message).toMatch(/Infinity parameters and training it needs about more memory than exists/);
  });

  it('the parameter limit names how to raise it', () => {
    const spec = parseModelText(chain(5), 'json', 'm').spec as ModelSpec;
    expect(sizeProblem(spec, 'train', { maxParameters: 10 })).toMatch(/over the limit of 10 \(setting weightscope\.limits\.maxParameters\)/);
    expect(sizeProblem(spec, 'train', { maxParameters: 10, limitName: '--max-parameters' })).toMatch(/\(--max-parameters\)/);
    expect(sizeProblem(spec, 'init', { maxParameters: 10 })).toBeUndefined();
  });
});

describe('estimateMemory of a forward graph', () => {
  const PRELUDE = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';
  async function graphSpec(forward: string, init: string): Promise<GraphModelSpec> {
    const file = await resolveText(`${PRELUDE}
class M(nn.Module):
    def __init__(self):
        super().__init__()
${init}

    def forward(self, x):
${forward}

model = M()
`);
    const spec = file.models[0]!.result.spec!;
    if (!isGraphModel(spec)) throw new Error(`not a graph model: ${spec.forwardUnavailable}`);
    return spec;
  }

  it('counts every op\'s output per example of the batch, kept for backward and its gradient', async () => {
    const spec = await graphSpec('        h = self.fc1(x)\n        h = h + F.relu(self.fc2(h))\n        return self.out(h)', '        self.fc1 = nn.Linear(6, 10)\n        self.fc2 = nn.Linear(10, 10)\n        self.out = nn.Linear(10, 3)');
    // Per example: linear 10, linear 10, relu 10, add 10, linear 3 = 43 elements; each kept and its gradient.
    expect(activationElementsPerExample(spec.graph, spec.modules)).toBe(43);
    expect(estimateMemory(spec, 'train', 16).bytes - estimateMemory(spec, 'train', 8).bytes).toBe(4 * 2 * 8 * 43);
    expect(estimateMemory(spec, 'signal', 8).bytes).toBe(4 * (2 * 213 + 2 * 8 * 43));
  });

  it('a model with few parameters whose activations do not fit is refused before anything is allocated', async () => {
    // An outer product of 4096 features: 40,961 parameters, 16.8M elements per example.
    const spec = await graphSpec('        x = self.inp(x)\n        h = x.unsqueeze(2) * x.unsqueeze(1)\n        return self.fc(h.sum(2))', '        self.inp = nn.Linear(8, 4096)\n        self.fc = nn.Linear(4096, 1)');
    expect(estimateMemory(spec, 'train', 1).bytes).toBeLessThan(2 * 1024 ** 3);
    expect(sizeProblem(spec, 'train', { maxParameters: 1e6 }, 1)).toBeUndefined();
    expect(sizeProblem(spec, 'train', { maxParameters: 1e6 }, 32)).toMatch(/^The model has 40,961 parameters and training it needs about \d+\.\d+ GB, over the 2\.00 GB Weightscope allows itself: nothing was allocated\.$/);
  });
});

describe('the worker keeps a refusal the extension made', () => {
  it('as a diagnostic with the refusal\'s code, on the path', async () => {
    const text = chain(1, { data: { csv: '../../x.csv', target: 'y', task: 'regression' } });
    const { spec, tree } = parseModelText(text, 'json', 'm');
    const loaded = await loadResources({ model: spec!, ...(tree ? { tree } : {}), files: { '../../x.csv': { error: '"../../x.csv" leads to /x.csv, outside the workspace folder ws', code: 'path-outside' } } });
    expect(loaded.diagnostics).toHaveLength(1);
    const d = loaded.diagnostics[0]!;
    expect(d.code).toBe('path-outside');
    expect(text.slice(d.range.start, d.range.end)).toBe('"../../x.csv"');
  });
});
