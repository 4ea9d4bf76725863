// @vitest-environment jsdom
/** The depth chart's slanted layer labels: never cut off at the SVG's edge, long names shortened with the whole name kept. */
import { describe, expect, it } from 'vitest';
import { depthChart } from '../../../webview/charts/depthChart';

const chart = (categories: string[]) => depthChart({
  categories,
  series: [{ label: 'std', color: 0, points: categories.map((_, i) => ({ value: 1 + i })) }],
  width: 520, height: 220, label: 'test', yLabel: 'std', scale: 'log',
});

/** How far below the SVG's top a slanted label's far end reaches, at the chart's own character width. */
function labelBottom(text: SVGTextElement): number {
  const y = Number(text.getAttribute('y'));
  return y + text.firstChild!.textContent!.length * 6.2 * 0.5;
}

describe('depthChart', () => {
  it('keeps the given height for short labels', () => {
    const svg = chart(['input', 'block 0', 'block 1']);
    expect(svg.getAttribute('height')).toBe('220');
    expect([...svg.querySelectorAll('text.category')].map((t) => t.textContent)).toEqual(['input', 'block 0', 'block 1']);
  });

  it('grows below the plot for long module paths, so that every label ends inside the SVG', () => {
    const names = ['transformer.wte Embedding', 'transformer.h.0.attn CausalSelfAttention', 'transformer.h.0.mlp MLP', 'lm_head Linear'];
    const svg = chart(names);
    const height = Number(svg.getAttribute('height'));
    expect(height).toBeGreaterThan(220);
    expect(svg.getAttribute('viewBox')).toBe(`0 0 520 ${height}`);
    for (const text of svg.querySelectorAll<SVGTextElement>('text.category')) expect(labelBottom(text)).toBeLessThanOrEqual(height);
  });

  it('shortens a label past 28 characters to its end, with the whole name as its title', () => {
    const long = 'transformer.h.0.attn CausalSelfAttention';
    const svg = chart(['input', long]);
    const [, text] = [...svg.querySelectorAll('text.category')];
    expect(text!.firstChild!.textContent).toBe(`…${long.slice(long.length - 27)}`);
    expect(text!.firstChild!.textContent).toHaveLength(28);
    expect(text!.querySelector('title')!.textContent).toBe(long);
    expect(svg.querySelector('text.category title')).toBe(text!.querySelector('title')); // the short one has none
  });
});
