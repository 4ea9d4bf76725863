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
