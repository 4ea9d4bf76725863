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

/** The category labels' font (10px, inspector.css) measured generously: a wide character's advance. */
const CHAR_WIDTH = 6.2;
const SIN_SLANT = Math.sin(Math.PI / 6);
const COS_SLANT = Math.cos(Math.PI / 6);
/** Longer category labels keep their end (the layer's own name and type), as the heat map's row labels do. */
const MAX_CATEGORY_CHARS = 28;

function shortCategory(label: string): string {
  return label.length <= MAX_CATEGORY_CHARS ? label : `…${label.slice(label.length - MAX_CATEGORY_CHARS + 1)}`;
}

/**
 * A line chart over the layers of a network, in SVG: one line per series,
 * an optional band (min–max across seeds) and a log or linear y axis. Every
 * point carries its series, layer and value as data attributes and a <title>,
 * so the numbers can be read off the DOM by people and by tests; the same
 * numbers are also given as a table next to each chart.
 */
export function depthChart(o: DepthChartOptions): SVGElement {
  const n = o.categories.length;
  const plotW0 = o.width - 52 - 12;
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW0 / 44))));
  const shown = o.categories.map((c, i) => (i % every === 0 || i === n - 1 ? shortCategory(c) : null));
  // The slanted labels hang below the axis and, the first one, left of it: room for the longest one shown,
  // taken from the chart's height (a category label is never cut off at the SVG's edge).
  const longest = Math.max(0, ...shown.map((c) => (c === null ? 0 : c.length)));
  const slantedWidth = longest * CHAR_WIDTH;
  const margin = {
    top: 10,
    right: 12,
    bottom: Math.max(46, Math.ceil(14 + slantedWidth * SIN_SLANT + 10)),
    left: Math.max(52, Math.ceil((shown[0]?.length ?? 0) * CHAR_WIDTH * COS_SLANT + 6)),
  };
  const height = o.height + Math.max(0, margin.bottom - 46);
  const plotW = o.width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const x = (i: number): number => margin.left + (n > 1 ? (i / (n - 1)) * plotW : plotW / 2);
  const all = o.series.flatMap((sr) => sr.points.flatMap((p) => [p.value, p.lo, p.hi])).filter((v): v is number => v !== null && v !== undefined);
  if (o.reference) all.push(o.reference.value);
  const bottom = margin.top + plotH;
  const y = o.scale === 'log'
    ? logScale(...(positiveRange(all) ?? [0.1, 10]), bottom, margin.top)
    : linearScale(Math.min(0, ...all), Math.max(1e-12, ...all), bottom, margin.top);

  const svg = s('svg', { class: 'depth-chart', viewBox: `0 0 ${o.width} ${height}`, width: o.width, height, role: 'img', 'aria-label': o.label });
  const grid = s('g', { class: 'grid' });
  for (const t of y.ticks) {
    grid.append(
      s('line', { x1: margin.left, x2: margin.left + plotW, y1: y(t).toFixed(1), y2: y(t).toFixed(1) }),
      s('text', { x: margin.left - 4, y: (y(t) + 3).toFixed(1), 'text-anchor': 'end' }, tickLabel(t)),
    );
  }
  shown.forEach((label, i) => {
    if (label === null) return;
    const text = s('text', { class: 'category', x: x(i).toFixed(1), y: bottom + 14, 'text-anchor': 'end', transform: `rotate(-30 ${x(i).toFixed(1)} ${bottom + 14})` }, label);
    if (label !== o.categories[i]) text.append(s('title', {}, o.categories[i]!)); // the whole name on hover
    grid.append(text);
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
