import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';

const lint = (text: string) => parseModelText(text, 'json', 'm').diagnostics.filter((d) => d.code.startsWith('signal-'));
const deep = (init: string, activation = 'ReLU', depth = 8) => `{"input": 64, ${init ? `"init": {"*.weight": ${init}, "*.bias": "zeros_"},` : ''} "layers": [${Array.from({ length: depth }, () => `{"type": "Linear", "out_features": 64}, {"type": "${activation}"}`).join(', ')}, {"type": "Linear", "out_features": 1}]}`;

describe('initialization-scale lint', () => {
  it("the article's normal(0, 0.01) vanishes in a deep ReLU net, with the predicted output std", () => {
    const text = deep('{"fn": "normal_", "std": 0.01}');
    const [d, ...rest] = lint(text);
    expect(rest).toEqual([]);
    expect(d!.code).toBe('signal-vanishes');
    expect(d!.severity).toBe('warning');
    expect(d!.message).toMatch(/vanishes: std ×0\.0\d+ per Linear/);
    expect(d!.message).toContain("kaiming_normal_(nonlinearity='relu')");
    // on the init patterns that chose the scale
    expect(text.slice(d!.range.start, d!.range.end)).toMatch(/^\{"\*\.weight"/);
  });

  it('unit-variance normal(0, 1) explodes (Errata #3)', () => {
    const [d] = lint(deep('"normal_"'));
    expect(d!.code).toBe('signal-explodes');
    expect(d!.message).toMatch(/explodes: std ×\d+(\.\d+)? per Linear/);
  });

  it('Kaiming on ReLU and Xavier on tanh are quiet', () => {
    expect(lint(deep('{"fn": "kaiming_normal_", "nonlinearity": "relu"}'))).toEqual([]);
    expect(lint(deep('"xavier_normal_"', 'Tanh'))).toEqual([]);
  });

  it("torch's default on a deep ReLU net vanishes, and the warning sits on the layers key", () => {
    const text = deep('', 'ReLU', 12);
    const [d] = lint(text);
    expect(d!.code).toBe('signal-vanishes');
    expect(text.slice(d!.range.start, d!.range.end)).toBe('"layers"');
  });

  it('a single Linear layer is never flagged', () => {
    expect(lint('{"input": 4, "init": {"*.weight": "normal_"}, "layers": [{"type": "Linear", "out_features": 1000}]}')).toEqual([]);
  });
});
