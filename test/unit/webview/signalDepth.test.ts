// @vitest-environment jsdom
/** The Signal tab's transformer sections: the residual stream and the attention entropy per head. */
import { describe, expect, it } from 'vitest';
import { attentionSection, residualSection, shortPaths } from '../../../webview/inspector/signalDepth';

const noExport = () => document.createElement('span');
const cells = (el: Element, selector: string, key: string) => [...el.querySelectorAll(`${selector} [data-stat="${key}"]`)].map((c) => c.getAttribute('data-value') ?? c.textContent);

describe('residual stream section', () => {
  it('charts the input and each block\'s std, with a table of the ratios', () => {
    const el = residualSection({ container: 'h', inputStd: 0.5, blocks: [{ path: 'h.0', std: 0.6, ratioToInput: 1.2 }, { path: 'h.1', std: 0.8, ratioToInput: 1.6 }] }, 'GPT', noExport);
    expect(el.getAttribute('data-blocks')).toBe('2');
    expect(el.querySelectorAll('svg.depth-chart .point')).toHaveLength(3);
    expect(cells(el, '.residual-table', 'ratioToInput')).toEqual(['1.2', '1.6']);
    expect(el.textContent).toContain('1.6× the input\'s');
  });
});

describe('attention entropy section', () => {
  it('a line per head over the attentions, the uniform maximum as reference, a row per head', () => {
    const report = (path: string, e: number[]) => ({ path, via: 'softmax' as const, queries: 4, keys: 4, examples: 2, heads: e.map((entropy) => ({ entropy, maxEntropy: 0.79 })) });
    const el = attentionSection([report('h.0.attn', [0.7, 0.78]), report('h.1.attn', [0.5, 0.2])], 'GPT', noExport);
    expect(el.getAttribute('data-heads')).toBe('2');
    expect([...el.querySelectorAll('svg.depth-chart g.series')].map((g) => g.getAttribute('data-series'))).toEqual(['head 0', 'head 1']);
    expect(el.querySelector('svg.depth-chart .reference text')!.textContent).toBe('uniform maximum 0.79');
    expect(cells(el, '.attention-table', 'entropy')).toEqual(['0.7', '0.78', '0.5', '0.2']);
    expect(Number(cells(el, '.attention-table', 'share')[3])).toBeCloseTo(0.2 / 0.79, 12);
  });
});

describe('chart labels', () => {
  it('drop the dotted prefix every path shares', () => {
    expect(shortPaths(['transformer.blocks.0.attn', 'transformer.blocks.1.attn'])).toEqual(['0.attn', '1.attn']);
    expect(shortPaths(['h.0.attn'])).toEqual(['h.0.attn']);
    expect(shortPaths(['a.attn', 'b.attn'])).toEqual(['a.attn', 'b.attn']);
  });
});
