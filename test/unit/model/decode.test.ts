import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseModelFile, parseModelText, parameterCount, requireChain } from '../../../engine/model';

/** The text a diagnostic's range covers. */
function covered(text: string, d: { range: { start: number; end: number } }): string {
  return text.slice(d.range.start, d.range.end);
}

describe('model files: decoding', () => {
  it('reads the article SimpleModel example with state_dict names and torch defaults', () => {
    const path = 'examples/simple-model.nn.json';
    const { spec, diagnostics } = parseModelFile(path, readFileSync(path, 'utf8'));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(spec?.name).toBe('SimpleModel');
    expect(spec?.inputFeatures).toBe(10);
    expect(spec?.layers?.map((l) => l.type)).toEqual(['Linear', 'ReLU', 'Linear', 'Linear']);
    // 10·100 + 100 + 100·10 + 10 + 10·1 + 1
    expect(parameterCount(spec!)).toBe(2121);
    expect(spec?.optimizer).toEqual({ type: 'AdamW', lr: 0.001, args: { weight_decay: 0.01 }, noDecay: [] });
  });

  it('reads the YAML example and infers in_features from the previous layer', () => {
    const path = 'examples/article-normal-init.nn.yaml';
    const { spec, diagnostics } = parseModelFile(path, readFileSync(path, 'utf8'));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const linears = requireChain(spec!, 'test').layers.filter((l) => l.type === 'Linear');
    expect(linears.map((l) => (l.type === 'Linear' ? [l.inFeatures, l.outFeatures] : []))).toEqual([[10, 100], [100, 10], [10, 1]]);
    expect(linears[0]!.type === 'Linear' && linears[0]!.init?.weight).toEqual({ fn: 'normal_', args: { std: 0.01 } });
  });

  it('JSON and YAML carrying the same model decode to the same spec', () => {
    const json = '{"input": 4, "layers": [{"type": "Linear", "out_features": 3, "bias": false}, {"type": "Tanh"}], "seed": 7}';
    const yaml = 'input: 4\nlayers:\n  - type: Linear\n    out_features: 3\n    bias: false\n  - type: Tanh\nseed: 7\n';
    expect(parseModelText(json, 'json', 'm').spec).toEqual(parseModelText(yaml, 'yaml', 'm').spec);
  });

  it('puts a shape mismatch on the in_features value', () => {
    const text = '{"input": 10, "layers": [{"type": "Linear", "out_features": 100}, {"type": "Linear", "in_features": 99, "out_features": 1}]}';
    const { spec, diagnostics } = parseModelText(text, 'json', 'm');
    expect(spec).toBeUndefined();
    const d = diagnostics.find((x) => x.code === 'shape-mismatch')!;
    expect(d.message).toContain('previous layer produces 100');
    expect(covered(text, d)).toBe('99');
  });

  it('puts an unknown layer type on the type value, in YAML too', () => {
    const text = 'input: 3\nlayers:\n  - type: Convolution\n';
    const d = parseModelText(text, 'yaml', 'm').diagnostics.find((x) => x.code === 'unknown-layer')!;
    expect(covered(text, d)).toBe('Convolution');
  });

  it('reports torch\'s fan error for a fan-based initializer on a bias', () => {
    const text = '{"input": 3, "layers": [{"type": "Linear", "out_features": 2, "init": {"bias": "xavier_uniform"}}]}';
    const d = parseModelText(text, 'json', 'm').diagnostics.find((x) => x.code === 'init-needs-fans')!;
    expect(d.message).toContain('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
    expect(covered(text, d)).toBe('"xavier_uniform"');
  });

  it('rejects invalid optimizer hyper-parameters with torch\'s wording, on the value', () => {
    const text = '{"input": 3, "layers": [{"type": "Linear", "out_features": 2}], "optimizer": {"type": "AdamW", "lr": -1, "betas": [0.9, 1.0], "eps": -1e-8, "weight_decay": -0.1}}';
    const ds = parseModelText(text, 'json', 'm').diagnostics.filter((x) => x.code === 'bad-hyperparameter');
    expect(ds.map((d) => [d.message.split(' (')[0], covered(text, d)])).toEqual([
      ['Invalid learning rate: -1', '-1'],
      ['Invalid beta parameter at index 1: 1', '1.0'],
      ['Invalid epsilon value: -1e-8', '-1e-8'],
      ['Invalid weight_decay value: -0.1', '-0.1'],
    ]);
  });

  it('accepts eps 0, as torch.optim does (the step then divides by √v̂ alone)', () => {
    const text = '{"input": 3, "layers": [{"type": "Linear", "out_features": 2}], "optimizer": {"type": "AdamW", "eps": 0}}';
    const { spec, diagnostics } = parseModelText(text, 'json', 'm');
    expect(diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(spec?.optimizer?.args.eps).toBe(0);
  });

  it('accepts lr 0, as torch.optim does, with a warning that nothing will train', () => {
    const text = '{"input": 3, "layers": [{"type": "Linear", "out_features": 2}], "optimizer": {"type": "AdamW", "lr": 0}}';
    const { spec, diagnostics } = parseModelText(text, 'json', 'm');
    expect(diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    const w = diagnostics.find((x) => x.code === 'zero-lr')!;
    expect(w.severity).toBe('warning');
    expect(covered(text, w)).toBe('0');
    expect(spec?.optimizer?.lr).toBe(0);
  });

  it('warns on the weight decay when AdamW\'s factor 1 − lr·λ is not positive (torch form only)', () => {
    const model = (optimizer: string) => `{"input": 3, "layers": [{"type": "Linear", "out_features": 2}], "optimizer": ${optimizer}}`;
    const flips = model('{"type": "AdamW", "lr": 1, "weight_decay": 3}');
    const w = parseModelText(flips, 'json', 'm').diagnostics.find((x) => x.code === 'decay-flips-weights')!;
    expect(w.severity).toBe('warning');
    expect(covered(flips, w)).toBe('3');
    expect(w.message).toContain('1 − lr·λ = -2');
    expect(w.message).toContain('training will diverge');
    const zeroes = parseModelText(model('{"type": "AdamW", "lr": 0.5, "weight_decay": 2}'), 'json', 'm').diagnostics.find((x) => x.code === 'decay-flips-weights')!;
    expect(zeroes.message).toContain('which zeroes it');
    for (const fine of ['{"type": "AdamW", "lr": 0.001, "weight_decay": 0.01}', '{"type": "AdamW", "lr": 1, "weight_decay": 3, "decay": "paper"}', '{"type": "Adam", "lr": 1, "weight_decay": 3}']) {
      expect(parseModelText(model(fine), 'json', 'm').diagnostics.map((x) => x.code)).not.toContain('decay-flips-weights');
    }
  });

  it('warns on unknown keys without failing the model', () => {
    const text = '{"input": 3, "layers": [{"type": "Linear", "out_features": 2, "bais": false}]}';
    const { spec, diagnostics } = parseModelText(text, 'json', 'm');
    expect(spec).toBeDefined();
    const d = diagnostics.find((x) => x.code === 'unknown-key')!;
    expect(d.severity).toBe('warning');
    expect(covered(text, d)).toBe('"bais"');
  });

  it('reports syntax errors with a range and no spec', () => {
    const { spec, diagnostics } = parseModelText('{"input": 3, "layers": [', 'json', 'm');
    expect(spec).toBeUndefined();
    expect(diagnostics.some((d) => d.code === 'syntax')).toBe(true);
  });

  it('rejects a model over the parameter limit on the "layers" key', () => {
    const text = '{"input": 1000, "layers": [{"type": "Linear", "out_features": 1000}]}';
    const { spec, diagnostics } = parseModelText(text, 'json', 'm', { maxParameters: 1000 });
    expect(spec).toBeUndefined();
    const d = diagnostics.find((x) => x.code === 'too-large')!;
    expect(d.message).toContain('1,001,000 parameters');
    expect(covered(text, d)).toBe('"layers"');
  });

  it('needs an input width from somewhere', () => {
    const { diagnostics } = parseModelText('{"layers": [{"type": "ReLU"}]}', 'json', 'm');
    expect(diagnostics.map((d) => d.code)).toContain('missing-input');
  });
});

describe('model files: initializer arguments', () => {
  it('passes torch\'s own argument errors through, on the initializer', () => {
    const text = '{"input": 3, "layers": [{"type": "Linear", "out_features": 2, "init": {"weight": {"fn": "kaiming_normal_", "mode": "fan_avg"}}}]}';
    const d = parseModelText(text, 'json', 'm').diagnostics.find((x) => x.code === 'bad-init-argument')!;
    expect(d.message).toContain('fan_avg');
    expect(text.slice(d.range.start, d.range.end)).toBe('{"fn": "kaiming_normal_", "mode": "fan_avg"}');
  });

  it('accepts names without the trailing underscore and canonicalizes them', () => {
    const text = '{"input": 3, "layers": [{"type": "Linear", "out_features": 2, "init": {"weight": "xavier_normal"}}]}';
    const layer = requireChain(parseModelText(text, 'json', 'm').spec!, 'test').layers[0]!;
    expect(layer.type === 'Linear' && layer.init?.weight?.fn).toBe('xavier_normal_');
  });
});

describe('model files: initializers by name pattern', () => {
  const model = (init: string) => `{"input": 8, "layers": [{"name": "fc1", "type": "Linear", "out_features": 8, "init": {"weight": "orthogonal_"}}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 4}], "init": ${init}}`;

  it('applies the first matching pattern; a layer init wins over patterns', async () => {
    const { initializeParameters } = await import('../../../engine/model/initialize');
    const { TorchGenerator } = await import('../../../engine/random');
    const spec = parseModelText(model('{"*.weight": {"fn": "kaiming_normal_", "nonlinearity": "relu"}, "*": "zeros_"}'), 'json', 'm').spec!;
    const params = initializeParameters(spec, new TorchGenerator(0));
    expect(params.map((p) => [p.name, p.initializer])).toEqual([
      ['fc1.weight', 'orthogonal_()'],
      ['fc1.bias', 'zeros_()'],
      ['fc2.weight', "kaiming_normal_(nonlinearity='relu')"],
      ['fc2.bias', 'zeros_()'],
    ]);
    expect(Array.from(params[1]!.data).every((x) => x === 0)).toBe(true);
  });

  it('reports torch\'s fan error for a fan-based pattern that reaches a bias', () => {
    const text = model('{"*": "xavier_uniform_"}');
    const d = parseModelText(text, 'json', 'm').diagnostics.find((x) => x.code === 'init-needs-fans')!;
    expect(d.message).toContain('fc1.bias (1-D)');
    expect(text.slice(d.range.start, d.range.end)).toBe('"xavier_uniform_"');
  });

  it('warns about a pattern that matches nothing', () => {
    const text = model('{"encoder.*": "zeros_"}');
    const d = parseModelText(text, 'json', 'm').diagnostics.find((x) => x.code === 'unmatched-pattern')!;
    expect(d.message).toContain('fc1.weight, fc1.bias, fc2.weight, fc2.bias');
    expect(text.slice(d.range.start, d.range.end)).toBe('"encoder.*"');
  });
});

describe('model files: comparison examples', () => {
  it.each(['examples/init-comparison/deep-relu.nn.yaml', 'examples/init-comparison/deep-tanh.nn.yaml'])('%s decodes with six variants and no errors', (path) => {
    const { spec, diagnostics } = parseModelFile(path, readFileSync(path, 'utf8'));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(spec!.compare!.map((c) => c.label)).toHaveLength(6);
    expect(spec!.compare!.at(-1)).toEqual({ label: 'torch default', initPatterns: [] });
    expect(spec!.compare![2]!.initPatterns[0]!.init.fn).toBe('lecun_normal_');
  });
});

describe('model files: data, training and checkpoints', () => {
  const base = (extra: string) => `{"input": 2, "layers": [{"name": "fc", "type": "Linear", "out_features": 1}]${extra}}`;
  const decode = (extra: string) => parseModelText(base(extra), 'json', 'm');

  it('reads the three data sources', () => {
    expect(decode(', "data": {"synthetic": "spiral", "examples": 200}').spec!.data).toEqual({ kind: 'synthetic', task: 'spiral', examples: 200, noise: 0.1 });
    expect(decode(', "data": {"csv": "d.csv", "target": "y", "task": "binary"}').spec!.data).toEqual({ kind: 'csv', path: 'd.csv', target: ['y'], task: 'binary' });
    expect(decode(', "data": {"npy": {"inputs": "x.npy", "targets": "y.npy"}}').spec!.data).toEqual({ kind: 'npy', inputs: 'x.npy', targets: 'y.npy', task: 'regression' });
     // Further keys are arrays for forward's further inputs, by forward's name for each.
    expect(decode(', "data": {"npy": {"inputs": "x.npy", "targets": "y.npy", "action": "a.npy"}}').spec!.data).toEqual({ kind: 'npy', inputs: 'x.npy', targets: 'y.npy', task: 'regression', extra: { action: 'a.npy' } });
    expect(decode(', "data": {"npy": {"inputs": "x.npy", "targets": "y.npy", "action": 3}}').diagnostics.map((d) => d.message)).toContain('"action" must be a file path relative to the model file.');
  });

  it('rejects two data sources at once and bad tasks, on the right key', () => {
    const text = base(', "data": {"csv": "d.csv", "npy": {"inputs": "x.npy", "targets": "y.npy"}, "target": "y"}');
    const d = parseModelText(text, 'json', 'm').diagnostics.find((x) => x.code === 'bad-data')!;
    expect(text.slice(d.range.start, d.range.end)).toBe('"npy"');
    expect(decode(', "data": {"synthetic": "images"}').diagnostics.map((x) => x.code)).toContain('bad-value');
  });

  it('reads training settings and refuses steps with epochs', () => {
    expect(decode(', "training": {"epochs": 3, "batch_size": 16, "validation_split": 0.25}').spec!.training).toEqual({ epochs: 3, batchSize: 16, validationSplit: 0.25, shuffle: true });
    expect(decode(', "training": {"steps": 3, "epochs": 3}').diagnostics.map((x) => x.code)).toContain('bad-training');
    expect(decode(', "training": {"validation_split": 1}').diagnostics.map((x) => x.code)).toContain('bad-value');
  });

  it('reads checkpoints and names unknown parameters in an npy map', () => {
    expect(decode(', "init_from": "w.safetensors"').spec!.initFrom).toEqual({ kind: 'safetensors', path: 'w.safetensors' });
    const text = base(', "init_from": {"npy": {"fc.weight": "w.npy", "fc2.weight": "v.npy"}}');
    const d = parseModelText(text, 'json', 'm').diagnostics.find((x) => x.code === 'checkpoint-extra')!;
    expect(d.message).toContain('fc.weight, fc.bias');
    expect(text.slice(d.range.start, d.range.end)).toBe('"fc2.weight"');
    expect(decode(', "init_from": "w.pt"').diagnostics.map((x) => x.code)).toContain('bad-checkpoint');
  });
});
