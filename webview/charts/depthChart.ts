import { s } from '../dom';
import { formatNumber } from '../format';
import { linearScale, logScale, positiveRange, tickLabel } from './axes';

export interface DepthPoint {
  value: number | null;
  /** Range across seeds, drawn as a band around the line. */
  lo?: number;
  hi?: number;
}

export interface DepthSeries {
  label: string;
  /** One point per category (layer); null where the quantity is undefined. */
  points: DepthPoint[];
  /** Index into the theme's chart colors (see inspector.css `.series-N`). */
  color: number;
  dashed?: boolean;
}

export interface DepthChartOptions {
  /** x categories: layer names. */
  categories: string[];
  series: DepthSeries[];
  width: number;
  height: number;
  /** Accessible name. */
  label: string;
  yLabel: string;
  scale: 'log' | 'linear';
  /** A horizontal reference line, e.g. the input's std. */
  reference?: { value: number; label: string };
}

/**
 * A line chart over the layers of a network, in SVG: one line per series,
 * an optional band (min–max across seeds) and a log or linear y axis. Every
 * point carries its series, layer and value as data attributes and a <title>,
 * so the numbers can be read off the DOM by people and by tests; the same
 * numbers are also given as a table next to each chart.
 */
export function depthChart(o: DepthChartOptions): SVGElement {
  const margin = { top: 10, right: 12, bottom: 46, left: 52 };
  const plotW = o.width - margin.left - margin.right;
  const plotH = o.height - margin.top - margin.bottom;
  const n = o.categories.length;
  const x = (i: number): number => margin.left + (n > 1 ? (i / (n - 1)) * plotW : plotW / 2);
  const all = o.series.flatMap((sr) => sr.points.flatMap((p) => [p.value, p.lo, p.hi])).filter((v): v is number => v !== null && v !== undefined);
  if (o.reference) all.push(o.reference.value);
  const bottom = margin.top + plotH;
  const y = o.scale === 'log'
    ? logScale(...(positiveRange(all) ?? [0.1, 10]), bottom, margin.top)
    : linearScale(Math.min(0, ...all), Math.max(1e-12, ...all), bottom, margin.top);

  const svg = s('svg', { class: 'depth-chart', viewBox: `0 0 ${o.width} ${o.height}`, width: o.width, height: o.height, role: 'img', 'aria-label': o.label });
  const grid = s('g', { class: 'grid' });
  for (const t of y.ticks) {
    grid.append(
      s('line', { x1: margin.left, x2: margin.left + plotW, y1: y(t).toFixed(1), y2: y(t).toFixed(1) }),
      s('text', { x: margin.left - 4, y: (y(t) + 3).toFixed(1), 'text-anchor': 'end' }, tickLabel(t)),
    );
  }
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 44))));
  o.categories.forEach((c, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    grid.append(s('text', { class: 'category', x: x(i).toFixed(1), y: bottom + 14, 'text-anchor': 'end', transform: `rotate(-30 ${x(i).toFixed(1)} ${bottom + 14})` }, c));
  });
  grid.append(s('text', { class: 'y-label', x: 12, y: margin.top + plotH / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${margin.top + plotH / 2})` }, o.yLabel));
  svg.append(grid);

  if (o.reference) {
    const ry = y(o.reference.value).toFixed(1);
    svg.append(s('g', { class: 'reference' },
      s('line', { x1: margin.left, x2: margin.left + plotW, y1: ry, y2: ry }),
      s('text', { x: margin.left + plotW, y: Number(ry) - 3, 'text-anchor': 'end' }, o.reference.label)));
  }

  for (const sr of o.series) {
    const g = s('g', { class: `series series-${sr.color % SERIES_COLORS}${sr.dashed ? ' dashed' : ''}`, 'data-series': sr.label });
    const band = sr.points.map((p, i) => ({ i, lo: p.lo, hi: p.hi })).filter((p) => p.lo !== undefined && p.hi !== undefined && p.hi > p.lo);
    if (band.length > 1) {
      const upper = band.map((p) => `${x(p.i).toFixed(1)},${y(p.hi!).toFixed(1)}`);
      const lower = band.reverse().map((p) => `${x(p.i).toFixed(1)},${y(p.lo!).toFixed(1)}`);
      g.append(s('polygon', { class: 'band', points: [...upper, ...lower].join(' ') }));
    }
    // Break the line where a value is missing (e.g. no gradient before the first layer with parameters).
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 1) g.append(s('polyline', { class: 'line', points: run.join(' '), fill: 'none' }));
      run = [];
    };
    sr.points.forEach((p, i) => {
      if (p.value === null || !Number.isFinite(p.value)) {
        flush();
        return;
      }
      run.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
      g.append(s('circle', { class: 'point', cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 2.5, 'data-layer': o.categories[i]!, 'data-value': p.value },
        s('title', {}, `${sr.label} · ${o.categories[i]}: ${formatNumber(p.value)}${p.lo !== undefined && p.hi !== undefined ? ` (seeds: ${formatNumber(p.lo)} – ${formatNumber(p.hi)})` : ''}`)));
    });
    flush();
    svg.append(g);
  }
  svg.append(s('line', { class: 'axis', x1: margin.left, x2: margin.left, y1: margin.top, y2: bottom }));
  svg.append(s('line', { class: 'axis', x1: margin.left, x2: margin.left + plotW, y1: bottom, y2: bottom }));
  return svg;
}

/** How many distinct theme colors the series cycle through (inspector.css defines `.series-0` … `.series-5`). */
export const SERIES_COLORS = 6;
