/**
 * Through depth, in `state_dict` order: each weight's std now ÷ the std its
 * initializer gave it (1: training kept the initial scale), and each tensor's
 * drift ‖θ − θ₀‖/‖θ₀‖ from the initial checkpoint.
 */
import type { CheckpointReport, DriftReport, ModelComparison } from '../../engine/checkpoint/report';
import { depthChart } from '../charts/depthChart';
import { h } from '../dom';

/**
 * A log axis when the values span more than a factor of 4 (so that a doubling and a halving look alike), else
 * a linear one: a log axis over [1, 1.5] has no tick but 1.
 */
function spreadScale(values: number[]): 'log' | 'linear' {
  const positive = values.filter((v) => v > 0);
  return positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 4 ? 'log' : 'linear';
}

export function depthCharts(report: CheckpointReport, model: ModelComparison | undefined, drift: DriftReport | undefined): HTMLElement | null {
  const figures: HTMLElement[] = [];
  const ratios = model ? report.tensors.filter((t) => model.tensors[t.name]?.stdRatio != null) : [];
  if (model && ratios.length > 0) {
    figures.push(h('figure', { class: 'ratio-chart' },
      h('figcaption', {}, 'std now ÷ std at initialization, through depth'),
      depthChart({
        categories: ratios.map((t) => t.name),
        series: [{ label: 'std ÷ init', color: 0, points: ratios.map((t) => ({ value: model.tensors[t.name]!.stdRatio })) }],
        width: 560, height: 200, scale: spreadScale(ratios.map((t) => model.tensors[t.name]!.stdRatio!).concat(1)),
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
        width: 560, height: 200, scale: spreadScale(drifted.map((t) => drift.relative[t.name]!)),
        label: `relative drift from the initial checkpoint for ${drifted.length} tensors`,
        yLabel: 'relative change',
      })));
  }
  return figures.length ? h('div', { class: 'charts' }, ...figures) : null;
}
