import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseModelFile, parseModelText, requireChain, type ModelDiagnostic, type SourceLanguage } from '../../../engine/model';

function applyFix(text: string, d: ModelDiagnostic, which = 0): string {
  const fix = d.fixes?.[which];
  if (!fix) throw new Error(`${d.code} has no fix ${which}`);
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.range.start - a.range.start)) out = out.slice(0, e.range.start) + e.newText + out.slice(e.range.end);
  return out;
}

function lint(text: string, language: SourceLanguage = 'json'): ModelDiagnostic[] {
  return parseModelText(text, language, 'm').diagnostics;
}

const codes = (ds: ModelDiagnostic[]): string[] => ds.map((d) => d.code).sort();

describe('lints on the article SimpleModel (errata #8, #9, #11)', () => {
  const path = 'examples/simple-model.nn.json';
  const text = readFileSync(path, 'utf8');
  const diagnostics = parseModelFile(path, text).diagnostics;

  it('fires BCE-on-logits, Linear→Linear and decay-on-biases, and nothing else', () => {
    expect(codes(diagnostics)).toEqual(['bce-on-unbounded-output', 'decay-on-bias-and-norm', 'linear-after-linear']);
  });

  it('states consequences in numbers', () => {
    const ll = diagnostics.find((d) => d.code === 'linear-after-linear')!;
    expect(ll.message).toContain('1,021 parameters express what 101 would'); // (100·10+10)+(10·1+1) vs 100·1+1
    const decay = diagnostics.find((d) => d.code === 'decay-on-bias-and-norm')!;
    expect(decay.message).toContain('111 values'); // 100 + 10 + 1 biases
    expect(decay.message).toContain('1.0e-5'); // lr·λ = 1e-3 · 1e-2
  });

  it('each quick fix removes its own diagnostic and leaves a valid model', () => {
    for (const d of diagnostics) {
      const fixed = applyFix(text, d);
      const after = parseModelFile(path, fixed);
      expect(after.spec, d.code).toBeDefined();
      expect(codes(after.diagnostics), d.code).not.toContain(d.code);
    }
  });

  it('the Sigmoid alternative for BCE also silences the lint', () => {
    const d = diagnostics.find((x) => x.code === 'bce-on-unbounded-output')!;
    const fixed = applyFix(text, d, 1);
    expect(parseModelFile(path, fixed).spec?.layers?.at(-1)?.type).toBe('Sigmoid');
    expect(codes(parseModelFile(path, fixed).diagnostics)).not.toContain('bce-on-unbounded-output');
  });
});

describe('lints: the others', () => {
  it('Adam with weight_decay suggests AdamW, and the fix switches the type', () => {
    const text = '{"input": 4, "layers": [{"type": "Linear", "out_features": 2, "bias": false}], "optimizer": {"type": "Adam", "lr": 0.01, "weight_decay": 0.1}}';
    const d = lint(text).find((x) => x.code === 'adam-coupled-weight-decay')!;
    expect(d.message).toContain('lr·λ = 0.001'); // 0.01 · 0.1
    expect(JSON.parse(applyFix(text, d)).optimizer.type).toBe('AdamW');
  });

  it('no Adam lint without weight decay, and none for AdamW', () => {
    expect(codes(lint('{"input": 4, "layers": [{"type": "Linear", "out_features": 2, "bias": false}], "optimizer": {"type": "Adam"}}'))).toEqual([]);
  });

  it('Xavier before ReLU suggests Kaiming with the ReLU gain', () => {
    const text = 'input: 8\nlayers:\n  - type: Linear\n    out_features: 8\n    init:\n      weight: xavier_uniform_\n  - type: ReLU\n';
    const d = lint(text, 'yaml').find((x) => x.code === 'xavier-with-relu')!;
    expect(text.slice(d.range.start, d.range.end)).toBe('xavier_uniform_');
    const fixed = applyFix(text, d);
    const spec = requireChain(parseModelText(fixed, 'yaml', 'm').spec!, 'test');
    expect(spec.layers[0]!.type === 'Linear' && spec.layers[0]!.init?.weight).toEqual({ fn: 'kaiming_uniform_', args: { nonlinearity: 'relu' } });
  });

  it('Xavier before Tanh is fine', () => {
    expect(codes(lint('{"input": 4, "layers": [{"type": "Linear", "out_features": 4, "init": {"weight": "xavier_normal_"}}, {"type": "Tanh"}]}'))).toEqual([]);
  });

  it('LayerNorm between Linear layers breaks the linear chain; Dropout does not', () => {
    expect(codes(lint('{"input": 4, "layers": [{"type": "Linear", "out_features": 4}, {"type": "LayerNorm"}, {"type": "Linear", "out_features": 1}]}'))).toEqual([]);
    expect(codes(lint('{"input": 4, "layers": [{"type": "Linear", "out_features": 4}, {"type": "Dropout"}, {"type": "Linear", "out_features": 1}]}'))).toEqual(['linear-after-linear']);
  });

  it('decay lint counts LayerNorm weights and respects no_decay patterns', () => {
    const base = (noDecay: string) => `{"input": 4, "layers": [{"type": "Linear", "out_features": 4}, {"name": "ln", "type": "LayerNorm"}, {"type": "ReLU"}], "optimizer": {"type": "AdamW"${noDecay}}}`;
    const d = lint(base('')).find((x) => x.code === 'decay-on-bias-and-norm')!;
    expect(d.message).toContain('3 bias/normalization tensors (12 values');
    const fixed = applyFix(base(''), d);
    expect(JSON.parse(fixed).optimizer.no_decay).toEqual(['*.bias', 'ln.weight']);
    expect(codes(lint(fixed))).toEqual([]);
    expect(codes(lint(base(', "weight_decay": 0')))).toEqual([]);
  });
});

describe('edits keep the file\'s style', () => {
  it('inserts into a YAML block sequence at the dash indentation', () => {
    const text = 'input: 3\nlayers:\n  - type: Linear\n    out_features: 3\n  - type: Linear\n    out_features: 1\n';
    const d = lint(text, 'yaml').find((x) => x.code === 'linear-after-linear')!;
    expect(applyFix(text, d)).toBe('input: 3\nlayers:\n  - type: Linear\n    out_features: 3\n  - { type: ReLU }\n  - type: Linear\n    out_features: 1\n');
  });

  it('adds a key to a YAML block map on its own line', () => {
    const text = 'input: 3\nlayers:\n  - type: Linear\n    out_features: 1\noptimizer:\n  type: AdamW\n  lr: 0.01\n';
    const d = lint(text, 'yaml').find((x) => x.code === 'decay-on-bias-and-norm')!;
    expect(applyFix(text, d)).toBe('input: 3\nlayers:\n  - type: Linear\n    out_features: 1\noptimizer:\n  type: AdamW\n  lr: 0.01\n  no_decay: ["*.bias"]\n');
  });

  it('appends to a multi-line JSON array on a new line', () => {
    const text = '{\n  "input": 3,\n  "layers": [\n    {"type": "Linear", "out_features": 1}\n  ],\n  "loss": "BCELoss"\n}';
    const d = lint(text).find((x) => x.code === 'bce-on-unbounded-output')!;
    expect(applyFix(text, d, 1)).toBe('{\n  "input": 3,\n  "layers": [\n    {"type": "Linear", "out_features": 1},\n    { "type": "Sigmoid" }\n  ],\n  "loss": "BCELoss"\n}');
  });
});
