import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';

describe('deeply nested model files', () => {
  it('JSON 3,000 levels deep gives a diagnostic at the level that is too deep, not a stack overflow', () => {
    const text = `{"input": 2, "layers": ${'['.repeat(3000)}${']'.repeat(3000)}}`;
    const { diagnostics } = parseModelText(text, 'json', 'm');
    const d = diagnostics.find((x) => /nested more than \d+ levels deep/.test(x.message))!;
    expect(d).toBeDefined();
    expect(d.severity).toBe('error');
    expect(d.range.start).toBeGreaterThan(text.indexOf('['));
    expect(d.range.end).toBeLessThanOrEqual(text.length);
    expect(text[d.range.start]).toBe('[');
  });

  it('YAML 3,000 levels deep gives a diagnostic with a position, not a stack overflow', () => {
    const text = `input: 2\nlayers: ${'['.repeat(3000)}${']'.repeat(3000)}\n`;
    const { diagnostics } = parseModelText(text, 'yaml', 'm');
    const d = diagnostics.find((x) => x.severity === 'error')!;
    expect(d.range.start).toBeGreaterThanOrEqual(0);
    expect(d.range.end).toBeLessThanOrEqual(text.length);
  });
});

describe('deeply nested Python', () => {
  it('1+1+…+1 with 10,000 terms gives a diagnostic with a position, not a stack overflow', async () => {
    const { resolveText } = await import('../pymodel/helpers');
    const text = ['import torch.nn as nn', `N = 1${'+1'.repeat(9999)}`, 'class M(nn.Module):', '    def __init__(self):', '        super().__init__()', '        self.fc = nn.Linear(2, 3)', '    def forward(self, x):', '        return self.fc(x)', ''].join('\n');
    const f = await resolveText(text);
    const d = f.diagnostics.find((x) => /nested more than \d+ levels deep/.test(x.message))!;
    expect(d).toBeDefined();
    expect(d.severity).toBe('error');
    expect(text.split('\n')[1]!.length + text.indexOf('N = ')).toBeGreaterThanOrEqual(d.range.end);
    expect(d.range.start).toBeGreaterThanOrEqual(text.indexOf('N = '));
  });
});
