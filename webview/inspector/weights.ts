/**
 * The Weights tab: per parameter tensor, the histogram of its initial values
 * against the count each bin should hold under the initializer's theory, and
 * a theory-versus-sample table (fans, gain, moments, range, KS statistic).
 */
import type { InitInspection, ParameterInspection } from '../../engine/inspect/types';
import { histogramSvg } from '../charts/histogram';
import { h } from '../dom';
import { formatNumber, formatShape } from '../format';
import type { ChartExporter } from './chartExport';

export function renderWeights(inspection: InitInspection, notes: string[], exportChart: ChartExporter): HTMLElement {
  return h('div', { class: 'weights' },
    ...notes.map((n) => h('p', { class: 'note', role: 'note' }, n)),
    h('div', { class: 'params' }, ...inspection.parameters.map((p) => renderParameter(inspection.modelName, p, exportChart))));
}

function renderParameter(modelName: string, p: ParameterInspection, exportChart: ChartExporter): HTMLElement {
  const chart = histogramSvg(p.histogram, { width: 420, height: 160, label: `Histogram of ${p.name}: ${p.sample.count} values, ${p.initializer}` });
  const legend = h('p', { class: 'legend' },
    h('span', { class: 'swatch bar' }), ' sampled  ',
    p.histogram.expected ? h('span', { class: 'swatch theory' }) : null,
    p.histogram.expected && p.theory ? ` ${p.theory.family} theory` : '');
  return h('section', { class: 'param', 'data-name': p.name, 'aria-label': p.name },
    h('h2', {}, h('code', {}, p.name), ' ', h('span', { class: 'shape' }, formatShape(p.shape))),
    h('p', { class: 'init' }, h('code', {}, p.initializer), ` · ${p.origin}`),
    h('div', { class: 'body' }, h('figure', {}, chart, legend, exportChart(chart, `${modelName}-${p.name}`)), statsTable(p)),
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
];

