import type { HistogramSummary } from '../../engine/inspect/types';
import { s } from '../dom';

/**
 * A histogram the size of a table cell: the sampled counts as bars and the
 * theory's expected counts as a line over them, on the same scale as the
 * full chart (histogramSvg), without axes. Decorative: the row's numbers say
 * the same, and the detail view has the full chart.
 */
export function sparklineSvg(hist: HistogramSummary, width = 72, height = 18): SVGElement {
  const bins = hist.counts.length;
  const lo = hist.edges[0] ?? 0;
  const hi = hist.edges[bins] ?? 1;
  const peak = Math.max(1, ...hist.counts, ...(hist.expected ?? []));
  const x = (v: number): number => (hi > lo ? ((v - lo) / (hi - lo)) * width : width / 2);
  const y = (c: number): number => height - (c / peak) * (height - 1);
  let d = '';
  for (let i = 0; i < bins; i++) {
    const count = hist.counts[i]!;
    if (count <= 0) continue;
    const left = x(hist.edges[i]!);
    const right = Math.max(left + 0.5, x(hist.edges[i + 1]!) - (bins > 24 ? 0 : 0.5));
    d += `M${left.toFixed(1)} ${height}V${y(count).toFixed(1)}H${right.toFixed(1)}V${height}Z`;
  }
  const svg = s('svg', { class: 'sparkline', viewBox: `0 0 ${width} ${height}`, width, height, 'aria-hidden': 'true', focusable: 'false' });
  svg.append(s('path', { class: 'bars', d: d || `M0 ${height}Z`, 'data-counts': hist.counts.join(',') }));
  if (hist.expected) {
    const points = hist.expected.map((c, i) => `${x((hist.edges[i]! + hist.edges[i + 1]!) / 2).toFixed(1)},${y(c).toFixed(1)}`).join(' ');
    svg.append(s('polyline', { class: 'theory', points, fill: 'none' }));
  }
  return svg;
}
