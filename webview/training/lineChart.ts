import { s } from '../dom';
import { formatNumber } from '../format';

export interface Series {
  label: string;
  /** [step, value] pairs, by increasing step; non-finite (and, on a log scale, non-positive) values are gaps. */
  points: readonly (readonly [number, number])[];
  /** Colour slot 0–7 (theme chart colours). */
  color: number;
  dashed?: boolean;
}

export interface LineChartOptions {
  label: string;
  width: number;
  height: number;
  log?: boolean;
  /** Shaded range of y values, e.g. the usual update-to-weight band. */
  band?: { lo: number; hi: number; label: string };
  /** Reference line, e.g. 1e-3. */
  reference?: number;
  /** Step of the scrubber cursor. */
  cursor?: number;
  xMax: number;
}

/**
 * A line chart as SVG: step on x, one polyline per series, optionally a log
 * y axis, a shaded band and the scrubber's cursor. Decimation is the
 * caller's (see `decimate`); the chart draws what it is given.
 */
export function lineChart(series: readonly Series[], o: LineChartOptions): SVGElement {
  const margin = { top: 8, right: 10, bottom: 20, left: 56 };
  const plotW = o.width - margin.left - margin.right;
  const plotH = o.height - margin.top - margin.bottom;
  const usable = (v: number): boolean => Number.isFinite(v) && (!o.log || v > 0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const sr of series) for (const [, v] of sr.points) if (usable(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (o.band) { lo = Math.min(lo, o.band.lo); hi = Math.max(hi, o.band.hi); }
  if (!(lo <= hi)) { lo = o.log ? 1e-3 : 0; hi = o.log ? 1 : 1; }
  const f = (v: number): number => (o.log ? Math.log10(v) : v);
  let a = f(lo);
  let b = f(hi);
  if (a === b) { a -= o.log ? 0.5 : Math.abs(a) * 0.1 || 1; b += o.log ? 0.5 : Math.abs(b) * 0.1 || 1; }
  const x = (step: number): number => margin.left + (o.xMax > 1 ? ((step - 1) / (o.xMax - 1)) * plotW : plotW / 2);
  const y = (v: number): number => margin.top + plotH - ((f(v) - a) / (b - a)) * plotH;

  const svg = s('svg', { class: `line-chart${o.log ? ' log' : ''}`, viewBox: `0 0 ${o.width} ${o.height}`, width: o.width, height: o.height, role: 'img', 'aria-label': o.label });
  if (o.band) {
    const top = y(Math.min(o.band.hi, o.log ? 10 ** b : b));
    const bottom = y(Math.max(o.band.lo, o.log ? 10 ** a : a));
    svg.append(s('rect', { class: 'band', x: margin.left, width: plotW, y: top.toFixed(1), height: Math.max(0, bottom - top).toFixed(1) }, s('title', {}, o.band.label)));
  }
  if (o.reference !== undefined && usable(o.reference)) {
    const yr = y(o.reference).toFixed(1);
    svg.append(s('line', { class: 'reference', x1: margin.left, x2: margin.left + plotW, y1: yr, y2: yr }));
  }
  for (const sr of series) {
    const d: string[] = [];
    let pen = false;
    for (const [step, v] of sr.points) {
      if (!usable(v)) { pen = false; continue; }
      d.push(`${pen ? 'L' : 'M'}${x(step).toFixed(1)},${y(v).toFixed(1)}`);
      pen = true;
    }
    svg.append(s('path', { class: `series c${sr.color % 8}${sr.dashed ? ' dashed' : ''}`, d: d.join(''), fill: 'none', 'data-series': sr.label }, s('title', {}, sr.label)));
  }
  if (o.cursor !== undefined) {
    const xc = x(o.cursor).toFixed(1);
    svg.append(s('line', { class: 'cursor', x1: xc, x2: xc, y1: margin.top, y2: margin.top + plotH }));
  }
  const axis = s('g', { class: 'axis' });
  const yTick = (v: number): string => axisNumber(o.log ? 10 ** v : v);
  axis.append(
    s('line', { x1: margin.left, x2: margin.left + plotW, y1: margin.top + plotH, y2: margin.top + plotH }),
    s('line', { x1: margin.left, x2: margin.left, y1: margin.top, y2: margin.top + plotH }),
    s('text', { x: margin.left - 4, y: margin.top + 8, 'text-anchor': 'end' }, yTick(b)),
    s('text', { x: margin.left - 4, y: margin.top + plotH, 'text-anchor': 'end' }, yTick(a)),
    s('text', { x: margin.left, y: o.height - 5, 'text-anchor': 'start' }, '1'),
    s('text', { x: margin.left + plotW, y: o.height - 5, 'text-anchor': 'end' }, String(o.xMax)),
    s('text', { x: margin.left + plotW / 2, y: o.height - 5, 'text-anchor': 'middle' }, 'step'),
  );
  svg.append(axis);
  return svg;
}

/**
 * An axis end label that fits the chart's left margin: the table format, but
 * 3 significant digits and no "+" in an exponent (2.47e24, not 2.468e+24,
 * which a diverging loss reaches and the margin cuts off).
 */
/**
 * Whether series are better read on a log axis: every finite value positive,
 * and spanning at least `decades` powers of ten (a loss that falls from 0.7
 * to 1e-6 is one spike and a flat line on a linear axis). A zero or negative
 * value keeps the axis linear, since a log axis could not show it.
 */
export function wantsLogScale(series: readonly Series[], decades = 2): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const sr of series) {
    for (const [, v] of sr.points) {
      if (!Number.isFinite(v)) continue;
      if (v <= 0) return false;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi && hi / lo >= 10 ** decades;
}

export function axisNumber(v: number): string {
  const text = formatNumber(v);
  if (!/e/.test(text)) return text;
  return formatNumber(Number(v.toPrecision(3))).replace('e+', 'e');
}

/** At most `max` points: every k-th, always keeping the last. */
export function decimate<T>(items: readonly T[], max = 600): T[] {
  if (items.length <= max) return [...items];
  const k = Math.ceil(items.length / max);
  const out = items.filter((_, i) => i % k === 0);
  if (out.at(-1) !== items.at(-1)) out.push(items.at(-1)!);
  return out;
}
