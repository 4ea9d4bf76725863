import type { InitInspection, ParameterInspection } from '../../engine/inspect/types';
import type { ModelRef } from '../../protocol/messages';
import { histogramSvg } from '../charts/histogram';
import { ce, h } from '../dom';
import { formatCount, formatNumber, formatShape } from '../format';

export interface InspectorActions {
  refresh(): void;
  openSource(): void;
}

export function renderLoading(model: ModelRef): HTMLElement {
  return h('div', { class: 'status' }, ce('vscode-progress-ring'), h('span', {}, `Initializing ${model.name}…`));
}

export function renderError(message: string, retry: () => void): HTMLElement {
  const button = ce('vscode-button', { secondary: true }, 'Try again');
  button.addEventListener('click', retry);
  return h('div', { class: 'status error', role: 'alert' }, h('p', {}, message), button);
}

export function renderInspection(model: ModelRef, inspection: InitInspection, actions: InspectorActions): HTMLElement {
  const refresh = ce('vscode-button', { id: 'refresh', secondary: true, title: 'Run the inspection again (same seed: same weights)' }, 'Re-run');
  refresh.addEventListener('click', actions.refresh);
  const open = ce('vscode-button', { id: 'open-source', secondary: true }, 'Open model file');
  open.addEventListener('click', actions.openSource);

  const header = h('header', { class: 'header' },
    h('h1', {}, `${inspection.modelName}: initialization`),
    h('p', { class: 'meta' },
      ce('vscode-badge', { id: 'param-count', 'data-value': inspection.parameterCount }, `${formatCount(inspection.parameterCount)} parameters`),
      ` seed ${inspection.seed} · ${inspection.parameters.length} tensors · engine ${inspection.elapsedMs.toFixed(1)} ms`),
    h('div', { class: 'toolbar' }, refresh, open),
  );
  const list = h('div', { class: 'params' }, ...inspection.parameters.map(renderParameter));
  return h('div', { class: 'inspection', 'data-model': model.uri }, header, list);
}

function renderParameter(p: ParameterInspection): HTMLElement {
  const chart = histogramSvg(p.histogram, { width: 420, height: 160, label: `Histogram of ${p.name}: ${p.sample.count} values, ${p.initializer}` });
  const legend = h('p', { class: 'legend' },
    h('span', { class: 'swatch bar' }), ' sampled  ',
    p.histogram.expected ? h('span', { class: 'swatch theory' }) : null,
    p.histogram.expected && p.theory ? ` ${p.theory.family} theory` : '');
  return h('section', { class: 'param', 'data-name': p.name, 'aria-label': p.name },
    h('h2', {}, h('code', {}, p.name), ' ', h('span', { class: 'shape' }, formatShape(p.shape))),
    h('p', { class: 'init' }, h('code', {}, p.initializer), ` · ${p.origin}`),
    h('div', { class: 'body' }, h('figure', {}, chart, legend), statsTable(p)),
  );
}

function statsTable(p: ParameterInspection): HTMLElement {
  const row = (label: string, key: string, theory: number | null, sample: number | null): HTMLElement =>
    h('tr', {},
      h('th', { scope: 'row' }, label),
      h('td', { 'data-stat': `theory.${key}`, 'data-value': theory ?? '' }, formatNumber(theory)),
      h('td', { 'data-stat': `sample.${key}`, 'data-value': sample ?? '' }, formatNumber(sample)));
  const info = (label: string, key: string, value: number | null): HTMLElement =>
    h('tr', {}, h('th', { scope: 'row' }, label), h('td', { colspan: 2, 'data-stat': key, 'data-value': value ?? '' }, formatNumber(value)));
  return h('table', { class: 'stats' },
    h('caption', {}, `${p.name}: theory vs sample`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, 'theory'), h('th', { scope: 'col' }, 'sample'))),
    h('tbody', {},
      row('mean', 'mean', p.theory?.mean ?? null, p.sample.mean),
      row('std', 'std', p.theory?.std ?? null, p.sample.std),
      row('min', 'min', p.theory?.support[0] ?? null, p.sample.min),
      row('max', 'max', p.theory?.support[1] ?? null, p.sample.max),
      info('fan_in', 'fanIn', p.theory?.fanIn ?? null),
      info('fan_out', 'fanOut', p.theory?.fanOut ?? null),
      info('gain', 'gain', p.theory?.gain ?? null),
      info('KS statistic D', 'ks', p.ks),
      info('values', 'count', p.sample.count)));
}
