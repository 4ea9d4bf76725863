/**
 * The checkpoint's tensors: the module tree read off their `state_dict`
 * names (collapsible, each module with its parameter count) beside a table
 * with a row per tensor (a filter box keeps the rows whose name contains the
 * text; selecting a module keeps its subtree's), and below them the open
 * tensor's detail: its full histogram and every statistic, next to its
 * initializer's theory and its initial checkpoint's values when known.
 */
import type { TensorSummary } from '../../engine/checkpoint/summary';
import type { CheckpointReport, DriftReport, ModelComparison } from '../../engine/checkpoint/report';
import type { CheckpointViewState } from '../../protocol/messages';
import { histogramSvg } from '../charts/histogram';
import { sparklineSvg } from '../charts/sparkline';
import { ce, h } from '../dom';
import { markCurrentRow, wireRowNavigation } from '../rowNavigation';
import { formatCount, formatNumber, formatShape } from '../format';
import { findModule, inModule, moduleTreeElement, prefixModules, selectModuleItem } from '../moduleTree';
import { cellText, driftColumns, leadingColumns, modelColumns, ratioTone, trailingColumns, type Column } from './columns';

export interface BrowserOptions {
  state: CheckpointViewState;
  onStateChange(state: CheckpointViewState): void;
  model?: ModelComparison;
  drift?: DriftReport;
}

const EMPTY_HISTOGRAM = { edges: [0, 1], counts: [0] };

export function renderBrowser(report: CheckpointReport, options: BrowserOptions): HTMLElement {
  const tensors = report.tensors;
  const root = prefixModules(tensors.map((t) => ({ name: t.name, shape: t.shape, kind: 'parameter' as const })), report.parameterCount);
  const state = {
    filter: options.state.filter ?? '',
    module: options.state.module !== undefined && findModule(root, options.state.module) ? options.state.module : '',
    open: options.state.open !== undefined && tensors.some((t) => t.name === options.state.open) ? options.state.open : undefined,
  };
  const notify = (): void => options.onStateChange({ filter: state.filter, module: state.module, ...(state.open !== undefined ? { open: state.open } : {}) });
  const columns: Column[] = [...leadingColumns(), ...(options.model ? modelColumns(options.model) : []), ...(options.drift ? driftColumns(options.drift) : []), ...trailingColumns()];

  const fileName = report.file.split(/[\\/]/).pop() ?? report.file;
  const tree = moduleTreeElement(root, {
    rootLabel: fileName,
    expandDepth: 2,
    reveal: state.module,
    label: 'Modules: select one to list its tensors',
    onSelect: (path) => setModule(path, false),
  });
  if (state.module !== '') void customElements.whenDefined('vscode-tree-item').then(() => requestAnimationFrame(() => selectModuleItem(tree, state.module)));
  const modulePane = h('nav', { class: 'module-pane', 'aria-label': 'Module tree' }, h('h2', { class: 'pane-title' }, 'Modules'), tree);

  const filter = ce('vscode-textfield', { class: 'filter', type: 'search', placeholder: 'Filter tensors by name', 'aria-label': 'Filter tensors by name', value: state.filter });
  filter.addEventListener('input', () => {
    state.filter = String((filter as HTMLInputElement).value ?? '');
    apply();
    scroller.scrollTop = 0;
    notify();
  });
  const scopeName = h('code', {});
  const clearScope = h('button', { type: 'button', class: 'link clear-scope', title: 'List the tensors of every module' }, 'show all');
  clearScope.addEventListener('click', () => setModule('', true));
  const scope = h('span', { class: 'scope' }, 'in ', scopeName, ' ', clearScope);
  const shown = h('span', { class: 'shown', role: 'status' });

  const rows = tensors.map((t) => tensorRow(t, columns));
  const tbody = h('tbody', {}, ...rows);
  const table = h('table', { class: 'tensors', 'aria-label': `Tensors of ${fileName}` },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', class: 'name' }, 'tensor'),
      ...columns.map((c) => h('th', { scope: 'col', class: c.key === 'shape' || c.key === 'dtype' ? 'init' : '', title: c.title }, c.header)),
      h('th', { scope: 'col', class: 'spark' }, 'histogram'))),
    tbody);
  const empty = h('p', { class: 'empty' });
  const scroller = h('div', { class: 'tensors-scroll' }, table, empty);
  const tablePane = h('div', { class: 'tensor-pane' }, h('div', { class: 'filter-bar' }, filter, scope, shown), scroller);
  const detail = h('div', { class: 'detail', 'aria-label': 'Tensor detail' });

  let active: HTMLTableRowElement | undefined;
  const setActive = (row: HTMLTableRowElement | undefined): void => {
    if (active === row) return;
    if (active) active.tabIndex = -1;
    active = row;
    if (row) row.tabIndex = 0;
  };
  const visibleRows = (): HTMLTableRowElement[] => rows.filter((r) => !r.hidden);

  function apply(): void {
    const needle = state.filter.trim().toLowerCase();
    let count = 0;
    tensors.forEach((t, i) => {
      const visible = inModule({ name: t.name }, state.module) && (needle === '' || t.name.toLowerCase().includes(needle));
      rows[i]!.hidden = !visible;
      if (visible) count++;
    });
    scope.hidden = state.module === '';
    scopeName.textContent = state.module;
    shown.textContent = count === tensors.length ? `${formatCount(tensors.length)} tensors` : `${formatCount(count)} of ${formatCount(tensors.length)} tensors`;
    empty.hidden = count > 0;
    empty.textContent = count > 0 ? '' : `No tensor${state.module ? ` in ${state.module}` : ''}${needle ? ` matches “${state.filter.trim()}”` : ''}.`;
    table.hidden = count === 0;
    if (!active || active.hidden) setActive(visibleRows()[0]);
  }

  function setModule(path: string, fromOutside: boolean): void {
    if (path === state.module) return;
    state.module = path;
    if (fromOutside) selectModuleItem(tree, path === '' ? undefined : path);
    apply();
    scroller.scrollTop = 0;
    notify();
  }

  function open(name: string, reveal: boolean): void {
    const t = tensors.find((x) => x.name === name);
    if (!t) return;
    state.open = name;
    markCurrentRow(rows, name);
    const section = renderTensor(t, options.model, options.drift);
    detail.replaceChildren(section);
    if (reveal) section.scrollIntoView?.({ block: 'nearest' });
  }

  wireRowNavigation(tbody, { visibleRows, setActive, open, notify });

  apply();
  if (state.open !== undefined) open(state.open, false);
  else detail.append(h('p', { class: 'hint' }, 'Select a tensor (click it, or Enter) to see its full histogram and every statistic.'));
  return h('div', { class: 'weights checkpoint-browser', 'data-layout': 'one' }, h('div', { class: 'browser' }, modulePane, tablePane), detail);
}

function tensorRow(t: TensorSummary, columns: Column[]): HTMLTableRowElement {
  const note = t.identicalTo ? `tied to ${t.identicalTo}` : t.sharesStorageWith ? `shares storage with ${t.sharesStorageWith}` : '';
  return h('tr', { class: 'tensor', 'data-name': t.name, tabindex: -1 },
    h('th', { scope: 'row', class: 'name' }, h('code', {}, ...breakable(t.name)),
      note ? h('div', { class: 'aliases' }, note) : null,
      t.nonFinite ? h('div', { class: 'aliases' }, `${formatCount(t.nonFinite)} non-finite`) : null),
    ...columns.map((c) => {
      const v = c.value(t);
      const numeric = typeof v === 'number' || v === null;
      return h('td', { class: [numeric ? 'num' : 'shape', c.tone?.(t) ?? ''].filter(Boolean).join(' '), 'data-stat': c.key, 'data-value': v ?? '', title: c.hint?.(t) }, cellText(c, t));
    }),
    h('td', { class: 'spark' }, sparklineSvg(t.histogram ?? EMPTY_HISTOGRAM)));
}

function breakable(name: string): (string | HTMLElement)[] {
  if (name.length <= 24) return [name];
  return name.split('.').flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), `.${part}`]));
}

/** One tensor in full: its histogram (and its initial one), its statistics, its initializer's theory and its drift. */
export function renderTensor(t: TensorSummary, model: ModelComparison | undefined, drift: DriftReport | undefined): HTMLElement {
  const init = model?.tensors[t.name];
  const initial = drift?.initial[t.name];
  const chart = (s: TensorSummary, label: string): HTMLElement => (s.histogram
    ? h('figure', {}, h('figcaption', {}, label), histogramSvg(s.histogram, { width: 440, height: 170, label: `Histogram of ${s.name} (${label}): ${s.numel} values` }))
    : h('p', { class: 'hint' }, `${label}: no finite values to draw.`));
  const row = (label: string, key: string, now: number | null | undefined, start?: number | null, format: (x: number | null | undefined) => string = formatNumber): HTMLElement =>
    h('tr', {},
      h('th', { scope: 'row' }, label),
      h('td', { 'data-stat': key, 'data-value': now ?? '' }, format(now)),
      ...(initial ? [h('td', { 'data-stat': `initial.${key}`, 'data-value': start ?? '' }, format(start))] : []));
  const percent = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(2)}%`);
  const info = (label: string, key: string, value: number | null | undefined, text?: string, tone = ''): HTMLElement =>
    h('tr', {}, h('th', { scope: 'row' }, label), h('td', { colspan: initial ? 2 : 1, class: tone, 'data-stat': key, 'data-value': value ?? '' }, text ?? formatNumber(value)));
  const stats = h('table', { class: 'stats' },
    h('caption', {}, `${t.name}: ${t.dtype} ${formatShape(t.shape)}`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, 'now'), ...(initial ? [h('th', { scope: 'col' }, 'θ₀')] : []))),
    h('tbody', {},
      row('mean', 'mean', t.mean, initial?.mean),
      row('std', 'std', t.std, initial?.std),
      row('min', 'min', t.min, initial?.min),
      row('max', 'max', t.max, initial?.max),
      row('L2 norm', 'l2', t.l2Norm, initial?.l2Norm),
      row('zeros', 'zeros', t.zeroFraction, initial?.zeroFraction, percent),
      info('values', 'numel', t.numel),
      ...(t.nonFinite ? [info('non-finite', 'nonFinite', t.nonFinite)] : []),
      ...(init ? [
        info('initializer', 'initializer', null, init.initializer),
        info('std at init (theory)', 'theoryStd', init.theoryStd),
        info('std ÷ std at init', 'stdRatio', init.stdRatio, undefined, ratioTone(init.stdRatio)),
      ] : []),
      ...(drift && t.name in drift.relative ? [
        info('‖θ − θ₀‖ / ‖θ₀‖', 'drift', drift.relative[t.name]),
        info('‖θ − θ₀‖', 'driftAbsolute', drift.absolute[t.name]),
      ] : [])));
  return h('section', { class: 'param current', 'data-name': t.name, 'aria-label': t.name },
    h('h2', {}, h('code', {}, t.name), ' ', h('span', { class: 'shape' }, formatShape(t.shape))),
    h('div', { class: 'body' }, h('div', { class: 'side-by-side' }, chart(t, 'now'), ...(initial ? [chart(initial, 'θ₀ (initial checkpoint)')] : [])), stats));
}
