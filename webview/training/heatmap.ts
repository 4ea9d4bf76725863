import type { Histogram } from '../../engine/run/types';
import { s } from '../dom';
import { formatNumber } from '../format';

export interface HeatmapColumn {
  step: number;
  hist: Histogram;
}

/**
 * Histograms over time as a heatmap: one column per snapshot (in step order;
 * the snapshots are log-spaced, so early steps get as much width as late
 * ones), one row per bin of a common value range, shade = share of the
 * tensor's values in that bin (each snapshot's own bins are re-binned by
 * their centres). The column of the scrubbed step is outlined.
 */
export function heatmapSvg(columns: readonly HeatmapColumn[], o: { width: number; height: number; rows: number; label: string; cursorStep?: number }): SVGElement {
  const margin = { top: 6, right: 6, bottom: 18, left: 64 };
  const plotW = o.width - margin.left - margin.right;
  const plotH = o.height - margin.top - margin.bottom;
  const lo = Math.min(...columns.map((c) => c.hist.lo));
  const hi = Math.max(...columns.map((c) => c.hist.hi));
  const span = hi > lo ? hi - lo : 1;
  const svg = s('svg', { class: 'heatmap', viewBox: `0 0 ${o.width} ${o.height}`, width: o.width, height: o.height, role: 'img', 'aria-label': o.label });
  const colW = plotW / Math.max(1, columns.length);
  const rowH = plotH / o.rows;
  columns.forEach((c, j) => {
    const shares = new Float64Array(o.rows);
    const n = c.hist.counts.length;
    const total = c.hist.counts.reduce((a, b) => a + b, 0) || 1;
    for (let i = 0; i < n; i++) {
      const centre = c.hist.lo + ((c.hist.hi - c.hist.lo) * (i + 0.5)) / n;
      const row = Math.min(o.rows - 1, Math.max(0, Math.floor(((centre - lo) / span) * o.rows)));
      shares[row]! += c.hist.counts[i]! / total;
    }
    const x = margin.left + j * colW;
    shares.forEach((share, row) => {
      if (share === 0) return;
      svg.append(s('rect', {
        class: 'cell', x: x.toFixed(2), y: (margin.top + plotH - (row + 1) * rowH).toFixed(2), width: (colW + 0.3).toFixed(2), height: (rowH + 0.3).toFixed(2),
        'fill-opacity': Math.min(1, 0.08 + Math.sqrt(share)).toFixed(3),
      }));
    });
    if (c.step === o.cursorStep) svg.append(s('rect', { class: 'cursor-col', x: x.toFixed(2), y: margin.top, width: colW.toFixed(2), height: plotH, fill: 'none' }));
  });
  svg.append(
    s('text', { class: 'tick', x: margin.left - 4, y: margin.top + 8, 'text-anchor': 'end' }, formatNumber(hi)),
    s('text', { class: 'tick', x: margin.left - 4, y: margin.top + plotH, 'text-anchor': 'end' }, formatNumber(lo)),
    s('text', { class: 'tick', x: margin.left, y: o.height - 4, 'text-anchor': 'start' }, `step ${columns[0]?.step ?? ''}`),
    s('text', { class: 'tick', x: margin.left + plotW, y: o.height - 4, 'text-anchor': 'end' }, `step ${columns.at(-1)?.step ?? ''}`),
  );
  return svg;
}
