/**
 * The Signal tab: one forward and one backward pass of the initialized
 * network on a batch of the model's data, layer by layer — the activation std
 * (does the signal vanish or explode with depth?), the std of the gradient
 * reaching each layer's output, dead ReLUs and saturated Tanh/Sigmoid units —
 * with the engine's one-line verdict on top.
 */
import type { LayerSignal, SignalReport } from '../../engine/inspect/signal';
import { depthChart } from '../charts/depthChart';
import { h } from '../dom';
import { formatNumber } from '../format';
import type { ChartExporter } from './chartExport';
import { attentionSection, residualSection } from './signalDepth';
import { dataTable, numbersDisclosure, type Column } from './table';

export const SIGNAL_COLUMNS: Column<LayerSignal>[] = [
  // A graph model's modules are nested (blocks and their sublayers): indented by depth.
  { header: 'layer', value: (l) => `${'\u00a0\u00a0'.repeat(l.depth ?? 0)}${l.name}`, key: 'name' },
  { header: 'kind', value: (l) => l.kind, key: 'kind' },
  { header: 'activation mean', value: (l) => l.mean, key: 'mean' },
  { header: 'activation std', value: (l) => l.std, key: 'std' },
  { header: 'std / previous', value: (l) => l.stdRatio, key: 'stdRatio' },
  { header: 'std across examples', value: (l) => l.signalStd, key: 'signalStd' },
  { header: 'gradient std ∂L/∂a', value: (l) => l.gradStd, key: 'gradStd' },
  { header: 'weight-gradient std', value: (l) => l.weightGradStd ?? null, key: 'weightGradStd' },
  { header: 'dead ReLUs', value: (l) => l.deadFraction ?? null, key: 'deadFraction' },
  { header: 'saturated', value: (l) => l.saturatedFraction ?? null, key: 'saturatedFraction' },
];

const VERDICT_CLASS: Record<string, string> = {
  stable: 'ok', shrinking: 'warn', growing: 'warn', vanishing: 'bad', 'signal-lost': 'bad', exploding: 'bad', 'non-finite': 'bad',
};

export function renderSignal(report: SignalReport, exportChart: ChartExporter): HTMLElement {
  const categories = report.layers.map((l) => `${l.name} ${l.kind}`);
  const activations = depthChart({
    categories,
    series: [{ label: 'activation std', color: 0, points: report.layers.map((l) => ({ value: l.std })) }],
    width: 520, height: 220, scale: 'log', yLabel: 'activation std',
    reference: { value: report.input.std, label: `input std ${formatNumber(report.input.std)}` },
    label: `Activation std through depth of ${report.modelName}: ${report.verdict.text}`,
  });
  const gradients = depthChart({
    categories,
    series: [{ label: 'gradient std', color: 1, points: report.layers.map((l) => ({ value: l.gradStd })) }],
    width: 520, height: 220, scale: 'log', yLabel: '∂L/∂a std',
    label: `Gradient std through depth of ${report.modelName}`,
  });
  const unitLayers = report.layers.filter((l) => l.deadFraction !== undefined || l.saturatedFraction !== undefined);
  const units = unitLayers.length === 0 ? null : depthChart({
    categories: unitLayers.map((l) => `${l.name} ${l.kind}`),
    series: [
      { label: 'dead ReLUs', color: 2, points: unitLayers.map((l) => ({ value: l.deadFraction ?? null })) },
      { label: 'saturated', color: 3, points: unitLayers.map((l) => ({ value: l.saturatedFraction ?? null })) },
    ],
    width: 520, height: 180, scale: 'linear', yLabel: 'fraction of units',
    label: `Dead ReLU and saturated unit fractions of ${report.modelName}`,
  });
  const name = report.modelName;
  return h('div', { class: 'signal', 'data-verdict': report.verdict.kind },
    h('p', { class: `verdict ${VERDICT_CLASS[report.verdict.kind] ?? ''}`, role: 'status' }, h('strong', {}, 'Signal: '), report.verdict.text),
    h('p', { class: 'meta' }, `${report.examples} examples, seed ${report.seed}, backward pass of ${report.loss} (value ${formatNumber(report.lossValue)}); engine ${report.elapsedMs.toFixed(0)} ms`),
    h('div', { class: 'charts' },
      h('figure', {}, h('figcaption', {}, 'Activation std per layer (log scale)'), activations, exportChart(activations, `${name}-activation-std`)),
      h('figure', {}, h('figcaption', {}, 'Gradient std reaching each layer (log scale)'), gradients, exportChart(gradients, `${name}-gradient-std`)),
      units ? h('figure', {}, h('figcaption', {}, 'Dead ReLUs and saturated Tanh/Sigmoid outputs'), units, exportChart(units, `${name}-units`)) : null),
    numbersDisclosure(dataTable(`Signal through depth of ${name}`, SIGNAL_COLUMNS, report.layers, 'numbers signal-table')),
    report.residual ? residualSection(report.residual, name, exportChart) : null,
    report.attention?.length ? attentionSection(report.attention, name, exportChart) : null,
  );
}
