import { h } from '../dom';
import { formatNumber } from '../format';

export interface Column<Row> {
  header: string;
  /** A number (formatted, and kept exact in `data-value`) or text. */
  value: (row: Row) => number | string | null | undefined;
  /** `data-stat` key of the cells, for tests and exports. */
  key?: string;
}

/**
 * The numbers behind a chart, as an accessible table: a caption, column
 * headers with scope, and cells that keep the exact value in `data-value`
 * next to the rounded text.
 */
export function dataTable<Row>(caption: string, columns: Column<Row>[], rows: Row[], className = 'numbers'): HTMLTableElement {
  return h('table', { class: className },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c.header)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...columns.map((c, i) => {
      const v = c.value(row);
      const attrs = { ...(c.key ? { 'data-stat': c.key } : {}), ...(typeof v === 'number' ? { 'data-value': v } : {}) };
      const text = typeof v === 'number' ? formatNumber(v) : v ?? '—';
      return i === 0 ? h('th', { scope: 'row', ...attrs }, text) : h('td', attrs, text);
    })))));
}

/** A chart's table, folded away under a "Show numbers" disclosure (open by keyboard too). */
export function numbersDisclosure(table: HTMLTableElement, summary = 'Show numbers'): HTMLDetailsElement {
  return h('details', { class: 'numbers-disclosure' }, h('summary', {}, summary), table);
}

/** CSV text of the same columns (RFC 4180 quoting; numbers in full precision). */
export function toCsv<Row>(columns: Column<Row>[], rows: Row[]): string {
  const cell = (v: number | string | null | undefined): string => {
    if (v === null || v === undefined) return '';
    const text = String(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.map((c) => cell(c.header)).join(','), ...rows.map((r) => columns.map((c) => cell(c.value(r))).join(','))].join('\n') + '\n';
}
