/** Sizes before memory: the estimate comes from shapes alone, and a model too large to allocate is refused. */
import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';
import { estimateMemory, sizeProblem } from '../../../engine/model/memory';
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
