/**
 * The Weights tab: every tensor of the model (parameters and buffers, in
 * `state_dict` order) in one table, next to the module tree.
 *
 * - The table has a row per tensor: name (with its buffer, tied-name and
 *   "approximate" markers), shape, initializer, fans, theory and sample std,
 *   the KS statistic and a sparkline of the histogram against the theory.
 * - The filter box keeps the rows whose name contains the text; selecting a
 *   module in the tree keeps the rows of its subtree.
 * - A row opens (click, Enter or Space) the tensor's detail below the table:
 *   its histogram against the initializer's theoretical density, and a
 *   theory-versus-sample table (fans, gain, moments, range, KS statistic).
 *   A small model (up to EXPAND_ALL_MAX tensors) shows every tensor's detail.
 */
import { ONE_ELEMENT_STD, type InitInspection, type ParameterInspection } from '../../engine/inspect/types';
import type { WeightsViewState } from '../../protocol/messages';
import { histogramSvg } from '../charts/histogram';
import { sparklineSvg } from '../charts/sparkline';
import { ce, h } from '../dom';
import { markCurrentRow, wireRowNavigation } from '../rowNavigation';
import { formatCount, formatNumber, formatShape } from '../format';
import { findModule, inModule, moduleTreeElement, modulesOf, selectModuleItem } from '../moduleTree';
import type { ChartExporter } from './chartExport';

/** Up to this many tensors, every tensor's detail is shown at once. */
export const EXPAND_ALL_MAX = 12;

export interface WeightsOptions {
  /** Filter, module and open tensor to start from (the panel's saved state). */
  state?: WeightsViewState;
  /** Called whenever the filter, the module or the open tensor changes. */
  onStateChange?: (state: WeightsViewState) => void;
}

export function renderWeights(inspection: InitInspection, notes: string[], exportChart: ChartExporter, options: WeightsOptions = {}): HTMLElement {
  const params = inspection.parameters;
  const expandAll = params.length <= EXPAND_ALL_MAX;
  const root = modulesOf(inspection);
  const saved = options.state ?? {};
  const state: Required<Pick<WeightsViewState, 'filter' | 'module'>> & { open: string | undefined } = {
    filter: saved.filter ?? '',
    module: saved.module !== undefined && findModule(root, saved.module) ? saved.module : '',
    open: saved.open !== undefined && params.some((p) => p.name === saved.open) ? saved.open : undefined,
  };
  const notify = (): void => options.onStateChange?.({ filter: state.filter, module: state.module, ...(state.open !== undefined ? { open: state.open } : {}) });

  // The module tree.
  const tree = moduleTreeElement(root, {
    rootLabel: inspection.modelName,
    expandDepth: 2,
    reveal: state.module,
    label: 'Modules: select one to list its tensors',
    onSelect: (path) => setModule(path, false),
  });
  if (state.module !== '') {
    // The items' selection lives in the tree's own state, which exists once the elements are connected.
    void customElements.whenDefined('vscode-tree-item').then(() => requestAnimationFrame(() => selectModuleItem(tree, state.module)));
  }
  const modulePane = h('nav', { class: 'module-pane', 'aria-label': 'Module tree' }, h('h2', { class: 'pane-title' }, 'Modules'), tree);

  // The filter bar.
  const filter = ce('vscode-textfield', {
    class: 'filter', type: 'search', placeholder: 'Filter tensors by name', 'aria-label': 'Filter tensors by name', value: state.filter,
  });
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
  const filterBar = h('div', { class: 'filter-bar' }, filter, scope, shown);

  // The table.
  const rows = params.map((p) => tensorRow(p));
  const tbody = h('tbody', {}, ...rows);
  const table = h('table', { class: 'tensors', 'aria-label': `Tensors of ${inspection.modelName} in state_dict order` },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', class: 'name' }, 'tensor'),
      h('th', { scope: 'col' }, 'shape'),
      h('th', { scope: 'col', class: 'init' }, 'initializer'),
      h('th', { scope: 'col', title: 'fan_in / fan_out' }, 'fan in/out'),
      h('th', { scope: 'col' }, 'std theory'),
      h('th', { scope: 'col' }, 'std sample'),
      h('th', { scope: 'col', title: 'Kolmogorov–Smirnov statistic D of the sample against the theory' }, 'KS D'),
      h('th', { scope: 'col', class: 'spark' }, 'histogram'))),
    tbody);
  const empty = h('p', { class: 'empty' });
  const scroller = h('div', { class: 'tensors-scroll' }, table, empty);
  const tablePane = h('div', { class: 'tensor-pane' }, filterBar, scroller);

  // The detail.
  const sections = new Map<string, HTMLElement>();
  const detail = h('div', { class: 'detail', 'aria-label': 'Tensor detail' });
  if (expandAll) {
    for (const p of params) sections.set(p.name, renderParameter(inspection.modelName, p, exportChart));
    detail.append(h('div', { class: 'params' }, ...sections.values()));
  }

  const rowOf = new Map(rows.map((r) => [r.dataset.name!, r]));
  let active: HTMLTableRowElement | undefined;

  function setActive(row: HTMLTableRowElement | undefined): void {
    if (active === row) return;
    if (active) active.tabIndex = -1;
    active = row;
    if (row) row.tabIndex = 0;
  }

  function visibleRows(): HTMLTableRowElement[] {
    return rows.filter((r) => !r.hidden);
  }

  function apply(): void {
    const needle = state.filter.trim().toLowerCase();
    let count = 0;
    params.forEach((p, i) => {
      const visible = inModule(p, state.module) && (needle === '' || [p.name, ...(p.aliases ?? [])].some((n) => n.toLowerCase().includes(needle)));
      rows[i]!.hidden = !visible;
      const section = sections.get(p.name);
      if (section) section.hidden = !visible;
      if (visible) count++;
    });
    const module = findModule(root, state.module);
    scope.hidden = state.module === '';
    scopeName.textContent = module ? `${module.path}${module.type ? ` (${module.type})` : ''}` : state.module;
    shown.textContent = count === params.length ? `${formatCount(params.length)} tensors` : `${formatCount(count)} of ${formatCount(params.length)} tensors`;
    empty.hidden = count > 0;
    empty.textContent = count > 0 ? '' : `No tensor${state.module ? ` in ${state.module}` : ''}${needle ? ` matches “${state.filter.trim()}”` : ''}.`;
    table.hidden = count === 0;
    if (!active || active.hidden) {
      const opened = state.open !== undefined ? rowOf.get(state.open) : undefined;
      setActive(opened && !opened.hidden ? opened : visibleRows()[0]);
    }
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
    const p = params.find((x) => x.name === name);
    if (!p) return;
    state.open = name;
    markCurrentRow(rows, name);
    let section = sections.get(name);
    if (expandAll) {
      for (const [n, s] of sections) s.classList.toggle('current', n === name);
    } else {
      section = renderParameter(inspection.modelName, p, exportChart);
      detail.replaceChildren(h('div', { class: 'params' }, section));
    }
    if (reveal) section?.scrollIntoView?.({ block: 'nearest' });
  }

  wireRowNavigation(tbody, { visibleRows, setActive, open, notify });

  apply();
  if (state.open !== undefined) open(state.open, false);
  else if (!expandAll) detail.append(h('p', { class: 'hint' }, 'Select a tensor (click it, or Enter) to see its histogram against the initializer’s theory, with every statistic.'));

  return h('div', { class: 'weights', 'data-layout': expandAll ? 'all' : 'one' },
    ...notes.map((n) => h('p', { class: 'note', role: 'note' }, n)),
    h('div', { class: 'browser' }, modulePane, tablePane),
    detail);
}

/** The markers after a tensor's name: buffer (persistent or not) and approximate. */
function markers(p: ParameterInspection): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (p.kind === 'buffer') {
    out.push(p.persistent === false
      ? h('span', { class: 'marker buffer non-persistent', title: 'A buffer registered with persistent=False: not in the state_dict' }, 'buffer, not persistent')
      : h('span', { class: 'marker buffer', title: 'A buffer: in the state_dict, but not a parameter (not trained)' }, 'buffer'));
  }
  if (p.approximate) {
    out.push(h('span', { class: 'marker approximate', title: p.approximate }, 'approximate', h('span', { class: 'visually-hidden' }, `: ${p.approximate}`)));
  }
  return out;
}

function aliasLine(p: ParameterInspection): HTMLElement | null {
  if (!p.aliases?.length) return null;
  return h('div', { class: 'aliases', title: 'The same tensor under another state_dict name (tied)' },
    ...p.aliases.flatMap((a, i) => [i > 0 ? ', ' : '= ', h('code', {}, a)]));
}

/** A long dotted name may wrap before its dots (and nowhere else) in a narrow column; a short one stays whole. */
function breakable(name: string): (string | HTMLElement)[] {
  if (name.length <= 24) return [name];
  return name.split('.').flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), `.${part}`]));
}

function tensorRow(p: ParameterInspection): HTMLTableRowElement {
  const num = (stat: string, v: number | null | undefined): HTMLElement => h('td', { class: 'num', 'data-stat': stat, 'data-value': v ?? '' }, formatNumber(v));
  const fanIn = p.theory?.fanIn ?? null;
  const fanOut = p.theory?.fanOut ?? null;
  const classes = ['tensor', p.kind === 'buffer' ? 'buffer' : '', p.approximate ? 'approximate' : ''].filter(Boolean).join(' ');
  return h('tr', { class: classes, 'data-name': p.name, 'data-kind': p.kind ?? 'parameter', tabindex: -1 },
    h('th', { scope: 'row', class: 'name' }, h('code', {}, ...breakable(p.name)), ...markers(p).flatMap((m) => [' ', m]), aliasLine(p)),
    h('td', { class: 'shape', 'data-stat': 'shape' }, formatShape(p.shape)),
    h('td', { class: 'init', 'data-stat': 'initializer', title: p.origin }, h('code', {}, p.initializer)),
    h('td', { class: 'num fans', 'data-stat': 'fans', 'data-fan-in': fanIn ?? '', 'data-fan-out': fanOut ?? '' }, fanIn === null && fanOut === null ? '—' : `${formatNumber(fanIn)} / ${formatNumber(fanOut)}`),
    num('theory.std', p.theory?.std),
    h('td', { class: 'num', 'data-stat': 'sample.std', 'data-value': p.sample.std ?? '', title: undefinedStd(p) }, sampleStdText(p)),
    num('ks', p.ks),
    h('td', { class: 'spark' }, sparklineSvg(p.histogram)));
}

/** One tensor's detail: its histogram against the theory, with the chart's exports, and its statistics. */
export function renderParameter(modelName: string, p: ParameterInspection, exportChart: ChartExporter): HTMLElement {
  const chart = histogramSvg(p.histogram, { width: 420, height: 160, label: `Histogram of ${p.name}: ${p.sample.count} values, ${p.initializer}` });
  const legend = h('p', { class: 'legend' },
    h('span', { class: 'swatch bar' }), ' sampled  ',
    p.histogram.expected ? h('span', { class: 'swatch theory' }) : null,
    p.histogram.expected && p.theory ? ` ${p.theory.family} theory` : '');
  return h('section', { class: 'param', 'data-name': p.name, 'aria-label': p.name },
    h('h2', {}, h('code', {}, p.name), ' ', h('span', { class: 'shape' }, formatShape(p.shape)), ...markers(p).flatMap((m) => [' ', m])),
    aliasLine(p),
    h('p', { class: 'init' }, h('code', {}, p.initializer), ` · ${p.origin}`, p.module && p.module.path ? ` · in ${p.module.path} (${p.module.type})` : ''),
    p.approximate ? h('p', { class: 'approximate-reason' }, h('strong', {}, 'Approximate: '), p.approximate) : null,
    h('div', { class: 'body' }, h('figure', {}, chart, legend, exportChart(chart, `${modelName}-${p.name}`)), statsTable(p)),
  );
}

/** The tooltip of a sample std that is undefined (one element), else none. */
function undefinedStd(p: ParameterInspection): string | undefined {
  return p.sample.std === null ? ONE_ELEMENT_STD : undefined;
}

function sampleStdText(p: ParameterInspection): string {
  return p.sample.std === null ? '–' : formatNumber(p.sample.std);
}

export function statsTable(p: ParameterInspection): HTMLElement {
  const row = (label: string, key: string, theory: number | null, sample: number | null, sampleCell?: { text: string; title?: string }): HTMLElement =>
    h('tr', {},
      h('th', { scope: 'row' }, label),
      h('td', { 'data-stat': `theory.${key}`, 'data-value': theory ?? '' }, formatNumber(theory)),
      h('td', { 'data-stat': `sample.${key}`, 'data-value': sample ?? '', title: sampleCell?.title }, sampleCell?.text ?? formatNumber(sample)));
  const info = (label: string, key: string, value: number | null): HTMLElement =>
    h('tr', {}, h('th', { scope: 'row' }, label), h('td', { colspan: 2, 'data-stat': key, 'data-value': value ?? '' }, formatNumber(value)));
  return h('table', { class: 'stats' },
    h('caption', {}, `${p.name}: theory vs sample`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, 'theory'), h('th', { scope: 'col' }, 'sample'))),
    h('tbody', {},
      row('mean', 'mean', p.theory?.mean ?? null, p.sample.mean),
      row('std', 'std', p.theory?.std ?? null, p.sample.std, { text: sampleStdText(p), title: undefinedStd(p) }),
      row('min', 'min', p.theory?.support[0] ?? null, p.sample.min),
      row('max', 'max', p.theory?.support[1] ?? null, p.sample.max),
      info('fan_in', 'fanIn', p.theory?.fanIn ?? null),
      info('fan_out', 'fanOut', p.theory?.fanOut ?? null),
      info('gain', 'gain', p.theory?.gain ?? null),
      info('KS statistic D', 'ks', p.ks),
      info('values', 'count', p.sample.count)));
}

/** Statistics of every tensor, one row each: the CSV/JSON export of this tab. */
export const WEIGHT_COLUMNS = [
  { header: 'parameter', value: (p: ParameterInspection) => p.name },
  { header: 'shape', value: (p: ParameterInspection) => p.shape.join('x') },
  { header: 'initializer', value: (p: ParameterInspection) => p.initializer },
  { header: 'origin', value: (p: ParameterInspection) => p.origin },
  { header: 'fan_in', value: (p: ParameterInspection) => p.theory?.fanIn ?? null },
  { header: 'fan_out', value: (p: ParameterInspection) => p.theory?.fanOut ?? null },
  { header: 'gain', value: (p: ParameterInspection) => p.theory?.gain ?? null },
  { header: 'theory_mean', value: (p: ParameterInspection) => p.theory?.mean ?? null },
  { header: 'theory_std', value: (p: ParameterInspection) => p.theory?.std ?? null },
  { header: 'theory_min', value: (p: ParameterInspection) => p.theory?.support[0] ?? null },
  { header: 'theory_max', value: (p: ParameterInspection) => p.theory?.support[1] ?? null },
  { header: 'sample_mean', value: (p: ParameterInspection) => p.sample.mean },
  { header: 'sample_std', value: (p: ParameterInspection) => p.sample.std },
  { header: 'sample_min', value: (p: ParameterInspection) => p.sample.min },
  { header: 'sample_max', value: (p: ParameterInspection) => p.sample.max },
  { header: 'ks', value: (p: ParameterInspection) => p.ks },
  { header: 'count', value: (p: ParameterInspection) => p.sample.count },
  { header: 'kind', value: (p: ParameterInspection) => p.kind ?? 'parameter' },
  { header: 'persistent', value: (p: ParameterInspection) => (p.kind === 'buffer' ? String(p.persistent !== false) : null) },
  { header: 'module', value: (p: ParameterInspection) => p.module?.path ?? null },
  { header: 'module_type', value: (p: ParameterInspection) => p.module?.type ?? null },
  { header: 'aliases', value: (p: ParameterInspection) => p.aliases?.join(' ') ?? null },
  { header: 'approximate', value: (p: ParameterInspection) => p.approximate ?? null },
];
