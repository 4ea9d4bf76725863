/**
 * The layer × step heat map of the update-to-weight ratio ‖Δθ‖/‖θ‖: a row per
 * tensor or per module (model order), a column per recorded step (consecutive
 * records share a column when there are more than the plot has pixels; the
 * grid and its binning are engine/run/ratioGrid.ts), the colour on a log scale
 * centred on the usual 1e-3. Drawn on a canvas (150 rows × 1,000 steps would
 * be 150,000 SVG elements); hover or keyboard focus names the cell, a click or
 * Enter scrubs to the cell's step and selects its row.
 */
import type { GridColumn, RatioGrid } from '../../engine/run/ratioGrid';
import { h, s } from '../dom';
import { formatNumber } from '../format';

/** Where a cell is: the row's name (tensor or module), the column's steps and the value. */
export interface HeatmapCell {
  row: number;
  column: number;
}

export interface RatioHeatmapOptions {
  /** Whether rows are tensors or modules (for the labels and the selection). */
  by: 'tensor' | 'module';
  /** The scrubbed step (its column is outlined) and the selected row's name (outlined). */
  step: number;
  selected?: string | undefined;
  /** What the legend says about which steps the run recorded. */
  recordsNote: string;
  /** The canvas's width and its labels' (see widths). */
  size: { width: number; label: number; plot: number };
  pick(step: number, row: string): void;
}

/** The ratio the colour scale is centred on: the usual healthy update per step. */
export const RATIO_CENTRE = 1e-3;

/** A log scale symmetric around 1e-3 that holds [lo, hi], in whole decades (at least one each way). */
export function colourDomain(range: { lo: number; hi: number } | undefined): { lo: number; hi: number } {
  const c = Math.log10(RATIO_CENTRE);
  const half = range ? Math.max(1, Math.ceil(Math.max(Math.abs(Math.log10(range.lo) - c), Math.abs(Math.log10(range.hi) - c)) - 1e-9)) : 1;
  return { lo: 10 ** (c - half), hi: 10 ** (c + half) };
}

/** Position of `v` on the log scale of `domain`, in [0, 1] (clamped); NaN for a value with no logarithm (0, NaN). */
export function logPosition(v: number, domain: { lo: number; hi: number }): number {
  if (!(v > 0)) return v === Infinity ? 1 : NaN;
  const t = (Math.log10(v) - Math.log10(domain.lo)) / (Math.log10(domain.hi) - Math.log10(domain.lo));
  return Math.min(1, Math.max(0, t));
}

type Rgb = [number, number, number];

/** The colour of position t along low → centre → high (linear in RGB between the stops). */
export function rampColour(t: number, stops: readonly [Rgb, Rgb, Rgb]): Rgb {
  const [a, b, u] = t <= 0.5 ? [stops[0], stops[1], t * 2] : [stops[1], stops[2], (t - 0.5) * 2];
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * u)) as Rgb;
}

/** A CSS colour of the theme (`#rgb`, `#rrggbb`, `#rrggbbaa` or `rgb(r, g, b)`), or the fallback. */
export function parseColour(text: string, fallback: Rgb): Rgb {
  const t = text.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(t);
  if (m) return [...m[1]!].map((c) => parseInt(c + c, 16)) as Rgb;
  m = /^#([0-9a-f]{6})(?:[0-9a-f]{2})?$/i.exec(t);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1]!.slice(i, i + 2), 16)) as Rgb;
  m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(t);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return fallback;
}

interface Theme {
  stops: [Rgb, Rgb, Rgb];
  empty: string;
  text: string;
  cursor: string;
  font: string;
}

function theme(): Theme {
  const css = getComputedStyle(document.body);
  const v = (name: string): string => css.getPropertyValue(name);
  const rgb = (c: Rgb): string => `rgb(${c.join(',')})`;
  return {
    stops: [parseColour(v('--vscode-charts-blue'), [55, 148, 255]), parseColour(v('--vscode-charts-yellow'), [204, 167, 0]), parseColour(v('--vscode-charts-red'), [241, 76, 76])],
    empty: rgb(parseColour(v('--vscode-editorWidget-border') || v('--vscode-panel-border'), [128, 128, 128])),
    text: rgb(parseColour(v('--vscode-descriptionForeground') || v('--vscode-foreground'), [128, 128, 128])),
    cursor: rgb(parseColour(v('--vscode-editorCursor-foreground') || v('--vscode-foreground'), [128, 128, 128])),
    font: `10px ${v('--vscode-font-family') || 'sans-serif'}`,
  };
}

/** The canvas's layout, in CSS pixels. */
export const LAYOUT = { right: 8, top: 4, axis: 18, plotHeight: 520, minRow: 3, maxRow: 16 };

/** The canvas's width and its row labels' for a panel `available` pixels wide. */
export function widths(available: number): { width: number; label: number; plot: number } {
  const width = Math.round(Math.max(360, Math.min(1200, available)));
  const label = Math.round(Math.max(120, Math.min(240, width * 0.3)));
  return { width, label, plot: width - label - LAYOUT.right };
}

/** Row height for `rows` rows: the plot's height shared out, within [minRow, maxRow] pixels. */
export function rowHeight(rows: number): number {
  return Math.max(LAYOUT.minRow, Math.min(LAYOUT.maxRow, Math.floor(LAYOUT.plotHeight / Math.max(1, rows))));
}

/** The column holding `step`: the one whose records span it, else the nearest. */
export function columnOf(columns: readonly GridColumn[], step: number): number {
  let best = 0;
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (step >= col.first && step <= col.last) return c;
    const d = Math.min(Math.abs(step - col.first), Math.abs(step - col.last));
    const b = columns[best]!;
    if (d < Math.min(Math.abs(step - b.first), Math.abs(step - b.last))) best = c;
  }
  return best;
}

function describeColumn(col: GridColumn): string {
  return col.records === 1 ? `step ${col.first}` : `steps ${col.first}–${col.last} (${col.records} records)`;
}

/** The label of a row: a module '' is the model's own tensors. */
function rowLabel(name: string, by: 'tensor' | 'module'): string {
  return by === 'module' && name === '' ? '(model)' : name;
}

/** A long name cut at the left to fit `width` pixels (the end, `c_attn.weight`, says the most): whole dotted parts first. */
function fit(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  const parts = text.split('.');
  for (let i = 1; i < parts.length; i++) {
    const cut = `…${parts.slice(i).join('.')}`;
    if (ctx.measureText(cut).width <= width) return cut;
  }
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`…${cut}`).width > width) cut = cut.slice(1);
  return `…${cut}`;
}

export function ratioHeatmap(grid: RatioGrid, o: RatioHeatmapOptions): HTMLElement {
  const rows = grid.rows.length;
  const cols = grid.columns.length;
  const rowH = rowHeight(rows);
  const plotW = o.size.plot;
  const L = { ...LAYOUT, width: o.size.width, label: o.size.label };
  const colW = plotW / Math.max(1, cols);
  const height = L.top + rows * rowH + L.axis;
  const domain = colourDomain(grid.range);
  const scrubbed = columnOf(grid.columns, o.step);
  const selectedRow = grid.rows.findIndex((r) => r.name === o.selected);
  const canvas = h('canvas', {
    id: 'ratio-heatmap', class: 'ratio-heatmap', tabindex: 0, role: 'img',
    'aria-label': `Update-to-weight ratio per ${o.by} (${rows} rows) at each recorded step (${cols} columns), log colour scale. Arrow keys move between cells, Enter scrubs to the cell's step.`,
    'data-rows': rows, 'data-columns': cols, 'data-row-height': rowH, 'data-column-width': colW, 'data-left': L.label, 'data-top': L.top,
    'data-column-steps': grid.columns.map((c) => c.first).join(','),
    'data-scrubbed-column': scrubbed,
  });
  canvas.style.width = `${L.width}px`;
  canvas.style.height = `${height}px`;
  const readout = h('output', { id: 'ratio-heatmap-cell', class: 'heatmap-readout', 'aria-live': 'polite', for: 'ratio-heatmap' }, 'Hover a cell for its tensor, step and ratio; click it to scrub to that step.');
  readout.style.marginLeft = `${L.label}px`;

  let focus: HeatmapCell = { row: Math.max(0, selectedRow), column: scrubbed };
  const valueAt = (c: HeatmapCell): number => grid.values[c.row * cols + c.column]!;
  const describe = (c: HeatmapCell): string => `${rowLabel(grid.rows[c.row]!.name, o.by)} · ${describeColumn(grid.columns[c.column]!)} · ‖Δθ‖/‖θ‖ = ${Number.isNaN(valueAt(c)) ? 'not recorded' : formatNumber(valueAt(c))}`;
  const cellAt = (event: MouseEvent): HeatmapCell | undefined => {
    const box = canvas.getBoundingClientRect();
    const x = event.clientX - box.left - L.label;
    const y = event.clientY - box.top - L.top;
    if (x < 0 || y < 0 || x >= plotW || y >= rows * rowH) return undefined;
    return { row: Math.min(rows - 1, Math.floor(y / rowH)), column: Math.min(cols - 1, Math.floor(x / colW)) };
  };
  const show = (c: HeatmapCell | undefined): void => {
    const text = c ? describe(c) : '';
    readout.textContent = text || 'Hover a cell for its tensor, step and ratio; click it to scrub to that step.';
    canvas.title = text;
    if (c) {
      readout.dataset.row = grid.rows[c.row]!.name;
      readout.dataset.step = String(grid.columns[c.column]!.first);
    }
  };
  const pick = (c: HeatmapCell): void => o.pick(grid.columns[c.column]!.first, grid.rows[c.row]!.name);
  canvas.addEventListener('mousemove', (e) => show(cellAt(e)));
  canvas.addEventListener('mouseleave', () => show(undefined));
  canvas.addEventListener('click', (e) => {
    const c = cellAt(e);
    if (c) pick(c);
  });
  canvas.addEventListener('focus', () => {
    show(focus);
    draw();
  });
  canvas.addEventListener('blur', () => draw());
  canvas.addEventListener('keydown', (e) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], PageUp: [-10, 0], PageDown: [10, 0], Home: [0, -cols], End: [0, cols] };
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      pick(focus);
      return;
    }
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    focus = { row: Math.max(0, Math.min(rows - 1, focus.row + m[0])), column: Math.max(0, Math.min(cols - 1, focus.column + m[1])) };
    show(focus);
    draw();
  });

  const draw = (): void => {
    const ctx = canvas.getContext('2d');
    if (!ctx) return; // no 2-D context (a test's DOM): the element and its data still describe the map
    const t = theme();
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(L.width * dpr);
    canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, L.width, height);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const p = logPosition(grid.values[r * cols + c]!, domain);
        ctx.fillStyle = Number.isNaN(p) ? t.empty : `rgb(${rampColour(p, t.stops).join(',')})`;
        // Cells overlap by a fraction of a pixel so that no seams show between them.
        ctx.fillRect(L.label + c * colW, L.top + r * rowH, colW + 0.5, rowH + (rowH > 6 ? -1 : 0.5));
      }
    }
    ctx.font = t.font;
    ctx.fillStyle = t.text;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    // Every row's name when rows are tall enough to read, else every k-th (hover names the others).
    const every = Math.ceil(10 / rowH);
    for (let r = 0; r < rows; r += every) ctx.fillText(fit(ctx, rowLabel(grid.rows[r]!.name, o.by), L.label - 8), L.label - 4, L.top + (r + 0.5) * rowH);
    ctx.textBaseline = 'alphabetic';
    const axisY = L.top + rows * rowH + 13;
    ctx.textAlign = 'left';
    if (cols > 0) ctx.fillText(`step ${grid.columns[0]!.first}`, L.label, axisY);
    ctx.textAlign = 'right';
    if (cols > 1) ctx.fillText(`step ${grid.columns[cols - 1]!.last}`, L.label + plotW, axisY);
    ctx.strokeStyle = t.cursor;
    ctx.lineWidth = 1.5;
    if (cols > 0) ctx.strokeRect(L.label + scrubbed * colW - 0.75, L.top - 0.75, Math.max(colW, 1) + 1.5, rows * rowH + 1.5);
    if (selectedRow >= 0) ctx.strokeRect(L.label - 0.75, L.top + selectedRow * rowH - 0.75, plotW + 1.5, rowH + 1.5);
    // The legend's bar in the same colours (a presentation attribute: the webview's CSP allows no inline styles).
    for (const rect of wrap.querySelectorAll<SVGRectElement>('.ratio-legend rect.ramp')) rect.setAttribute('fill', `rgb(${rampColour(Number(rect.dataset.t), t.stops).join(',')})`);
    if (document.activeElement === canvas) {
      ctx.setLineDash([2, 2]);
      ctx.strokeRect(L.label + focus.column * colW - 1, L.top + focus.row * rowH - 1, Math.max(colW, 2) + 2, rowH + 2);
      ctx.setLineDash([]);
    }
  };
  const key = legend(grid, domain, o.recordsNote);
  key.style.marginLeft = `${Math.max(0, L.label - 20)}px`;
  const wrap = h('div', { class: 'ratio-heatmap-wrap' }, canvas, readout, key);
  // Drawn once the element is in the page (the theme's colours are read from it).
  queueMicrotask(draw);
  return wrap;
}

/** The colour bar (decades of the log scale), the grey of "no record", and how steps map to columns. */
function legend(grid: RatioGrid, domain: { lo: number; hi: number }, recordsNote: string): HTMLElement {
  const W = 300;
  const H = 10;
  const bar = s('svg', { class: 'ratio-legend', width: W + 40, height: H + 16, viewBox: `0 0 ${W + 40} ${H + 16}`, role: 'img', 'aria-label': `Colour scale: ‖Δθ‖/‖θ‖ from ${formatNumber(domain.lo)} (blue) through 1e-3 (yellow) to ${formatNumber(domain.hi)} (red), log scale` });
  const parts = 48;
  for (let i = 0; i < parts; i++) bar.append(s('rect', { class: 'ramp', x: 20 + (i * W) / parts, y: 0, width: W / parts + 0.5, height: H, 'data-t': ((i + 0.5) / parts).toFixed(3) }));
  const decades = Math.round(Math.log10(domain.hi / domain.lo));
  for (let d = 0; d <= decades; d++) {
    const x = 20 + (d / decades) * W;
    bar.append(s('line', { class: 'tick-mark', x1: x, x2: x, y1: H, y2: H + 3 }), s('text', { class: 'tick', x, y: H + 13, 'text-anchor': 'middle' }, formatNumber(domain.lo * 10 ** d)));
  }
  const binned = grid.columns.some((c) => c.records > 1);
  const perColumn = binned
    ? `${grid.columns.reduce((n, c) => n + c.records, 0)} records in ${grid.columns.length} columns, ${Math.min(...grid.columns.map((c) => c.records))}–${Math.max(...grid.columns.map((c) => c.records))} consecutive records each: a cell is √Σ‖Δθ‖² / √Σ‖θ‖² over its records, and a click scrubs to its first step.`
    : 'One column per recorded step.';
  return h('div', { class: 'heatmap-legend', id: 'ratio-heatmap-legend' },
    bar,
    h('p', { class: 'explain' },
      'Colour: ‖Δθ‖/‖θ‖ per step on a log scale, blue below and red above the usual 1e-3; grey: no record. ',
      perColumn, ' ', recordsNote, ' The outlined column is the scrubbed step, the outlined row the selected one.'));
}
