/**
 * "Convert to Model File": the *.nn.json written for a Python model decodes
 * to the very ModelSpec the Python code resolved to, for every model of the
 * corpus that resolves.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseModelFile } from '../../../engine/model';
import { toModelFileJson } from '../../../pymodel';
import { articleBlocks, readPythonFixture, resolveText, withoutFillOrder } from './helpers';

const corpus = readdirSync(fileURLToPath(new URL('../../fixtures/python/corpus/', import.meta.url))).filter((f) => f.endsWith('.py'));

describe('Convert to Model File', () => {
  it.each(corpus)('%s: every resolved model round-trips through *.nn.json', async (name) => {
    const file = await resolveText(readPythonFixture(`corpus/${name}`));
    for (const model of file.models.filter((m) => m.result.spec)) {
      const json = toModelFileJson(model, name);
      const back = parseModelFile(`${model.name}.nn.json`, json);
      expect(back.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      // The reason Train is off is the Python reader's own words; the file gives its own. The forward graph is read from Python's forward: a model file has none.
      expect(withoutFillOrder({ ...back.spec, forwardUnavailable: undefined, graph: undefined })).toEqual(withoutFillOrder({ ...model.result.spec, forwardUnavailable: undefined, graph: undefined }));
    }
  });

  it('the article’s SimpleModel converts to the model file of the README, with its lints', async () => {
    const file = await resolveText(articleBlocks()[2]!);
    const json = JSON.parse(toModelFileJson(file.models[0]!, 'article.py'));
    expect(json).toMatchObject({
      version: 1,
      name: 'SimpleModel',
      layers: [
        { name: 'fc1', type: 'Linear', in_features: 10, out_features: 100 },
        { name: 'relu', type: 'ReLU' },
        { name: 'fc2', type: 'Linear', in_features: 100, out_features: 10 },
        { name: 'fc3', type: 'Linear', in_features: 10, out_features: 1 },
      ],
      loss: 'BCELoss',
      optimizer: { type: 'AdamW', lr: 0.001, weight_decay: 0.01 },
    });
    const lints = parseModelFile('SimpleModel.nn.json', JSON.stringify(json)).diagnostics.map((d) => d.code).sort();
    expect(lints).toEqual(['bce-on-unbounded-output', 'decay-on-bias-and-norm', 'linear-after-linear']);
  });
});
