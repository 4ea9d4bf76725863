import type { HistogramSummary } from '../../engine/inspect/types';
import { s } from '../dom';
import { formatNumber } from '../format';

export interface HistogramOptions {
  width: number;
  height: number;
  /** Accessible name of the chart. */
  label: string;
}

/**
 * A histogram of sampled values as SVG bars, with the count each bin should
 * hold under the initializer's theory drawn over it as a line. Each bar
 * carries its bin edges and count as data attributes, and a <title> tooltip,
 * so the numbers can be read off the DOM (by people and by tests).
 */
export function histogramSvg(hist: HistogramSummary, options: HistogramOptions): SVGElement {
  const { width, height } = options;
  const margin = { top: 8, right: 8, bottom: 22, left: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const bins = hist.counts.length;
  const lo = hist.edges[0] ?? 0;
  const hi = hist.edges[bins] ?? 1;
  const peak = Math.max(1, ...hist.counts, ...(hist.expected ?? []));
  const x = (v: number): number => margin.left + (hi > lo ? ((v - lo) / (hi - lo)) * plotW : plotW / 2);
  const y = (c: number): number => margin.top + plotH - (c / peak) * plotH;

  const svg = s('svg', { class: 'histogram', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': options.label });
  const bars = s('g', { class: 'bars' });
  for (let i = 0; i < bins; i++) {
    const left = x(hist.edges[i]!);
    const right = x(hist.edges[i + 1]!);
    const count = hist.counts[i]!;
    bars.append(s('rect', {
      class: 'bar',
      x: left.toFixed(2),
      y: y(count).toFixed(2),
      width: Math.max(0.5, right - left - 0.5).toFixed(2),
      height: (margin.top + plotH - y(count)).toFixed(2),
      'data-lo': hist.edges[i]!,
      'data-hi': hist.edges[i + 1]!,
      'data-count': count,
    }, s('title', {}, `[${formatNumber(hist.edges[i])}, ${formatNumber(hist.edges[i + 1])}): ${count}`)));
  }
  svg.append(bars);

  if (hist.expected) {
    const points = hist.expected.map((c, i) => `${x((hist.edges[i]! + hist.edges[i + 1]!) / 2).toFixed(2)},${y(c).toFixed(2)}`).join(' ');
    svg.append(s('polyline', { class: 'theory', points, fill: 'none' }));
  }

  const axis = s('g', { class: 'axis' });
  // The middle label only where three numbers of up to ~9 characters fit side by side.
  if (plotW >= 220) axis.append(s('text', { x: margin.left + plotW / 2, y: height - 6, 'text-anchor': 'middle' }, formatNumber((lo + hi) / 2)));
  axis.append(
    s('line', { x1: margin.left, x2: margin.left + plotW, y1: margin.top + plotH, y2: margin.top + plotH }),
    s('line', { x1: margin.left, x2: margin.left, y1: margin.top, y2: margin.top + plotH }),
    s('text', { x: margin.left, y: height - 6, 'text-anchor': 'start' }, formatNumber(lo)),
    s('text', { x: margin.left + plotW, y: height - 6, 'text-anchor': 'end' }, formatNumber(hi)),
    s('text', { x: margin.left - 4, y: margin.top + 8, 'text-anchor': 'end' }, String(Math.round(peak))),
    s('text', { x: margin.left - 4, y: margin.top + plotH, 'text-anchor': 'end' }, '0'),
  );
  svg.append(axis);
  return svg;
}

export interface OverlaySeries {
  label: string;
  counts: number[];
  /** Index into the theme's chart colors (`.series-N`). */
  color: number;
  dashed?: boolean;
}

/**
 * Several histograms on shared edges, overlaid as step outlines. The y axis
 * is the fraction of values per bin on a square-root scale: one variant can be
 * a hundred times narrower than another (normal(0, 0.01) next to Kaiming's
 * √(2/fan_in)), and on a linear axis its spike would flatten every other
 * outline. Each outline carries its series and counts as data attributes.
 */
export function overlaySvg(edges: number[], series: OverlaySeries[], options: HistogramOptions): SVGElement {
  const { width, height } = options;
  const margin = { top: 8, right: 8, bottom: 22, left: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const lo = edges[0]!;
  const hi = edges[edges.length - 1]!;
  const fractions = series.map((sr) => {
    const total = sr.counts.reduce((a, b) => a + b, 0) || 1;
    return sr.counts.map((c) => c / total);
  });
  const peak = Math.max(1e-12, ...fractions.flat());
  const x = (v: number): number => margin.left + ((v - lo) / (hi - lo || 1)) * plotW;
  const y = (f: number): number => margin.top + plotH - Math.sqrt(f / peak) * plotH;

  const svg = s('svg', { class: 'histogram overlay', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': options.label });
  series.forEach((sr, k) => {
    const f = fractions[k]!;
    const points: string[] = [`${x(lo).toFixed(1)},${y(0).toFixed(1)}`];
    f.forEach((v, i) => points.push(`${x(edges[i]!).toFixed(1)},${y(v).toFixed(1)}`, `${x(edges[i + 1]!).toFixed(1)},${y(v).toFixed(1)}`));
    points.push(`${x(hi).toFixed(1)},${y(0).toFixed(1)}`);
    svg.append(s('polyline', {
      class: `outline series-${sr.color % 6}${sr.dashed ? ' dashed' : ''}`,
      points: points.join(' '),
      fill: 'none',
      'data-series': sr.label,
      'data-counts': sr.counts.join(','),
    }, s('title', {}, sr.label)));
  });
  svg.append(s('g', { class: 'axis' },
    s('line', { x1: margin.left, x2: margin.left + plotW, y1: margin.top + plotH, y2: margin.top + plotH }),
    s('line', { x1: margin.left, x2: margin.left, y1: margin.top, y2: margin.top + plotH }),
    s('text', { x: margin.left, y: height - 6, 'text-anchor': 'start' }, formatNumber(lo)),
    s('text', { x: margin.left + plotW / 2, y: height - 6, 'text-anchor': 'middle' }, '0'),
    s('text', { x: margin.left + plotW, y: height - 6, 'text-anchor': 'end' }, formatNumber(hi)),
    s('text', { x: margin.left - 4, y: margin.top + 8, 'text-anchor': 'end' }, `${(peak * 100).toPrecision(2)}%`),
    s('text', { x: margin.left - 4, y: margin.top + plotH, 'text-anchor': 'end' }, '0'),
  ));
  return svg;
}
