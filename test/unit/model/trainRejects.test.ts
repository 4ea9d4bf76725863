/** What `train` would reject, `check` reports: each with its range in the file. */
import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';

function errors(text: string, language: 'json' | 'yaml' = 'json'): { code: string; at: string; message: string }[] {
  return parseModelText(text, language, 'm').diagnostics.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, at: text.slice(d.range.start, d.range.end), message: d.message }));
}

const model = (layers: object[], extra = ''): string => `{ "version": 1, "input": 3,${extra} "layers": ${JSON.stringify(layers)} }`;

describe('check reports what train rejects', () => {
  it('two layers with one name', () => {
    const found = errors(model([{ name: 'fc1', type: 'Linear', out_features: 4 }, { type: 'ReLU' }, { name: 'fc1', type: 'Linear', out_features: 1 }]));
    expect(found).toEqual([{ code: 'duplicate-name', at: '"fc1"', message: 'Layer 2 is named "fc1", as layer 0 is: each layer needs its own name (its state_dict prefix).' }]);
  });

  it('a named layer that takes an unnamed layer\'s index', () => {
    const found = errors(model([{ type: 'Linear', out_features: 4 }, { name: '0', type: 'Linear', out_features: 1 }]));
    expect(found.map((f) => f.code)).toEqual(['duplicate-name']);
  });

  it('a key given twice in JSON, as YAML already reports', () => {
    const found = errors(model([{ type: 'Linear', out_features: 1 }], ' "input": 4,'));
    expect(found).toEqual([{ code: 'syntax', at: '"input"', message: 'Duplicate key "input": readers disagree on which value counts; keep one.' }]);
    expect(errors('version: 1\ninput: 3\ninput: 4\nlayers: [{ type: Linear, out_features: 1 }]\n', 'yaml').map((f) => f.code)).toContain('syntax');
  });

  it('an activation argument that is not a number (it trained as torch\'s default 0.01)', () => {
    const found = errors(model([{ type: 'Linear', out_features: 4 }, { type: 'LeakyReLU', negative_slope: 'abc' }]));
    expect(found).toEqual([{ code: 'type', at: '"abc"', message: 'Argument "negative_slope" of LeakyReLU must be a finite number.' }]);
    expect(errors(model([{ type: 'Linear', out_features: 4 }, { type: 'GELU', approximate: 1 }])).map((f) => f.message)).toEqual(['Argument "approximate" of GELU must be a string.']);
  });

  it('an initializer argument beyond float32\'s range', () => {
    const found = errors(model([{ type: 'Linear', out_features: 4, init: { weight: { fn: 'normal_', std: 1e308 } } }]));
    expect(found).toEqual([{ code: 'bad-init-argument', at: '1e+308', message: 'Initializer argument "std" is 1e+308, beyond float32\'s range (±3.4e38): the weights would be infinite.' }]);
    expect(errors(model([{ type: 'Linear', out_features: 4, init: { weight: { fn: 'normal_', std: 1e30 } } }]))).toEqual([]);
  });
});
