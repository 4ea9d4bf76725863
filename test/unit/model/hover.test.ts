import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';
import { hoverAt } from '../../../engine/model/hover';

function hover(text: string, at: string) {
  const { spec, tree } = parseModelText(text, 'json', 'm');
  return hoverAt(spec, tree, text.indexOf(at) + 1);
}

describe('initializer hover', () => {
  it('gives the kaiming_normal_ std for the layer fans', () => {
    const text = '{"input": 10, "layers": [{"name": "fc1", "type": "Linear", "out_features": 100, "init": {"weight": {"fn": "kaiming_normal_", "nonlinearity": "relu"}}}]}';
    const h = hover(text, '"kaiming_normal_"')!;
    expect(h.markdown).toContain('`fc1.weight` [100, 10]');
    expect(h.markdown).toContain('He et al. (2015)');
    expect(h.markdown).toContain(`std = ${(Math.SQRT2 / Math.sqrt(10)).toPrecision(4)}`); // gain √2 / √fan_in
    expect(text.slice(h.range.start, h.range.end)).toBe('"kaiming_normal_"');
  });

  it('names LeCun normal for what the article calls Xavier', () => {
    const text = '{"input": 10, "layers": [{"type": "Linear", "out_features": 100, "init": {"weight": "lecun_normal_"}}]}';
    const h = hover(text, '"lecun_normal_"')!;
    expect(h.markdown).toContain('Often mislabelled "Xavier"');
    expect(h.markdown).toContain(`std = ${(1 / Math.sqrt(10)).toPrecision(4)}`);
  });

  it('explains the torch default on a Linear layer type', () => {
    const text = '{"input": 100, "layers": [{"name": "fc2", "type": "Linear", "out_features": 10}]}';
    const h = hover(text, '"Linear"')!;
    expect(h.markdown).toContain('kaiming_uniform_(a=√5)');
    expect(h.markdown).toContain('bound = 0.1'); // 1/√100
  });

  it('says nothing elsewhere', () => {
    const text = '{"input": 10, "layers": [{"type": "ReLU"}]}';
    expect(hover(text, '"ReLU"')).toBeUndefined();
    expect(hover(text, '"input"')).toBeUndefined();
  });
});
