/** The CLI's Python path: picking a model (--model), and training a model with dotted parameter names. */
import { describe, expect, it } from 'vitest';
import { readPythonModel } from '../../../cli/pythonModel';
import { requireChain } from '../../../engine/model/spec';
import { Trainer } from '../../../engine/train/trainer';
import { readPythonFixture } from '../pymodel/helpers';

describe('weightscope CLI on .py files', () => {
  it('picks the only modelable model, or the one --model names, and says why otherwise', async () => {
    const text = readPythonFixture('corpus/constructor_args.py');
    expect((await readPythonModel(text, undefined)).name).toBe('MLP');
    expect((await readPythonModel(text, 'MLP')).spec?.layers).toHaveLength(4);
    expect((await readPythonModel(text, 'Nope')).problem).toBe('no model named Nope; the file defines MLP, NoDefaults');
    const blocked = await readPythonModel(text, 'NoDefaults');
    expect(blocked.spec).toBeUndefined();
    expect(blocked.problem).toMatch(/cannot model NoDefaults/);
    const several = await readPythonModel(readPythonFixture('corpus/directives.py'), undefined);
    expect(several.problem).toBe('the file defines several models (Spiral, Other); name one');
    // check still gets every diagnostic of the file.
    expect(several.diagnostics.some((d) => d.code === 'bad-directive')).toBe(true);
  });

  it('trains a class whose layers sit in an nn.Sequential (state_dict names net.0, body.2, …) with its param groups', async () => {
    const { spec } = await readPythonModel(readPythonFixture('corpus/param_groups.py'), undefined);
    const trainer = new Trainer(requireChain(spec!, 'training'), { batchSize: 16 });
    const first = trainer.step().loss;
    for (let i = 0; i < 30; i++) trainer.step();
    expect(trainer.step().loss).toBeLessThan(first);
    expect(trainer.built.parameters.has('body.2.weight')).toBe(true);
  });
});
