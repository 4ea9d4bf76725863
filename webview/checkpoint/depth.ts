/**
 * Through depth, in `state_dict` order: each weight's std now ÷ the std its
 * initializer gave it (1: training kept the initial scale; a log axis, so a
 * doubling and a halving look alike), and each tensor's drift ‖θ − θ₀‖/‖θ₀‖
 * from the initial checkpoint.
 */
import type { CheckpointReport, DriftReport, ModelComparison } from '../../engine/checkpoint/report';
import { depthChart } from '../charts/depthChart';
import { h } from '../dom';

export function depthCharts(report: CheckpointReport, model: ModelComparison | undefined, drift: DriftReport | undefined): HTMLElement | null {
  const figures: HTMLElement[] = [];
  const ratios = model ? report.tensors.filter((t) => model.tensors[t.name]?.stdRatio != null) : [];
  if (model && ratios.length > 0) {
    figures.push(h('figure', { class: 'ratio-chart' },
      h('figcaption', {}, 'std now ÷ std at initialization, through depth'),
      depthChart({
        categories: ratios.map((t) => t.name),
        series: [{ label: 'std ÷ init', color: 0, points: ratios.map((t) => ({ value: model.tensors[t.name]!.stdRatio })) }],
        width: 560, height: 220, scale: 'log',
        label: `std now divided by the initializer's theory std for ${ratios.length} tensors of ${model.modelName}`,
        yLabel: 'std ÷ init', reference: { value: 1, label: 'unchanged' },
      })));
  }
  const drifted = drift ? report.tensors.filter((t) => drift.relative[t.name] != null && drift.relative[t.name]! > 0) : [];
  if (drift && drifted.length > 0) {
    figures.push(h('figure', { class: 'drift-chart' },
      h('figcaption', {}, '‖θ − θ₀‖ / ‖θ₀‖ through depth'),
      depthChart({
        categories: drifted.map((t) => t.name),
        series: [{ label: 'drift', color: 1, points: drifted.map((t) => ({ value: drift.relative[t.name]! })) }],
        width: 560, height: 220, scale: 'log',
        label: `relative drift from the initial checkpoint for ${drifted.length} tensors`,
        yLabel: 'relative change',
      })));
  }
  return figures.length ? h('div', { class: 'charts' }, ...figures) : null;
}
