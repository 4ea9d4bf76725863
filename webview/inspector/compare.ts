/**
 * The Compare tab: the same architecture under several initializers over
 * several seeds — one verdict per initializer, the activation and gradient
 * std through depth on one chart (geometric mean across seeds, with the
 * seeds' min–max as a band), and one parameter's histograms overlaid.
 */
import type { CompareReport, VariantReport } from '../../engine/inspect/compare';
import { depthChart, SERIES_COLORS } from '../charts/depthChart';
import { overlaySvg } from '../charts/histogram';
import { ce, h } from '../dom';
import { formatNumber } from '../format';
import type { ChartExporter } from './chartExport';
import { dataTable, numbersDisclosure, type Column } from './table';

export interface CompareActions {
  /** Runs the comparison again over this many seeds. */
  setSeeds(seeds: number): void;
  selectParameter(name: string): void;
}

/** Series style of variant k: the theme's six chart colors, then the same dashed. */
function style(k: number): { color: number; dashed: boolean } {
  return { color: k % SERIES_COLORS, dashed: k >= SERIES_COLORS };
}

export interface CompareRow {
  variant: string;
  layer: string;
  kind: string;
  std: number;
  stdMin: number;
  stdMax: number;
  gradStd: number | null;
  deadFraction: number | null;
  saturatedFraction: number | null;
}

export function compareRows(report: CompareReport): CompareRow[] {
  return report.variants.flatMap((v) => v.layers.map((l) => ({
    variant: v.label, layer: l.name, kind: l.kind, std: l.std.mean, stdMin: l.std.min, stdMax: l.std.max,
    gradStd: l.gradStd?.mean ?? null, deadFraction: l.deadFraction ?? null, saturatedFraction: l.saturatedFraction ?? null,
  })));
}

export const COMPARE_COLUMNS: Column<CompareRow>[] = [
  { header: 'initializer', value: (r) => r.variant, key: 'variant' },
  { header: 'layer', value: (r) => r.layer, key: 'layer' },
  { header: 'kind', value: (r) => r.kind, key: 'kind' },
  { header: 'activation std (geo. mean)', value: (r) => r.std, key: 'std' },
  { header: 'min over seeds', value: (r) => r.stdMin, key: 'stdMin' },
  { header: 'max over seeds', value: (r) => r.stdMax, key: 'stdMax' },
  { header: 'gradient std', value: (r) => r.gradStd, key: 'gradStd' },
  { header: 'dead ReLUs', value: (r) => r.deadFraction, key: 'deadFraction' },
  { header: 'saturated', value: (r) => r.saturatedFraction, key: 'saturatedFraction' },
];

export function seedsControl(seeds: number, onChange: (seeds: number) => void): HTMLElement {
  const select = ce('vscode-single-select', { id: 'seeds', 'aria-label': 'Seeds per initializer' },
    ...[1, 3, 5, 10].map((n) => ce('vscode-option', { value: String(n), ...(n === seeds ? { selected: true } : {}) }, `${n} seed${n === 1 ? '' : 's'}`)));
  select.addEventListener('change', () => onChange(Number((select as HTMLElement & { value: string }).value)));
  return h('label', { class: 'control' }, 'Seeds ', select);
}

function verdictList(report: CompareReport): HTMLElement {
  return h('ul', { class: 'verdicts', 'aria-label': 'Verdict per initializer' }, ...report.variants.map((v, k) => {
    const { color, dashed } = style(k);
    return h('li', { 'data-variant': v.label, 'data-verdict': v.verdict.kind, 'data-factor': v.verdict.factorPerLinear },
      h('span', { class: `swatch line series-${color}${dashed ? ' dashed' : ''}`, 'aria-hidden': 'true' }),
      h('strong', {}, v.label), ': ', h('span', { class: `verdict-text ${v.verdict.kind}` }, v.verdict.text));
  }));
}

function depthSeries(report: CompareReport, pick: (l: VariantReport['layers'][number]) => { min: number; mean: number; max: number } | null) {
  return report.variants.map((v, k) => ({
    label: v.label,
    ...style(k),
    points: v.layers.map((l) => {
      const s = pick(l);
      return s ? { value: s.mean, lo: s.min, hi: s.max } : { value: null };
    }),
  }));
}

export function renderCompare(report: CompareReport, selected: string | undefined, actions: CompareActions, exportChart: ChartExporter): HTMLElement {
  const first = report.variants[0]!;
  const categories = first.layers.map((l) => `${l.name} ${l.kind}`);
  const name = report.modelName;
  const activations = depthChart({
    categories, series: depthSeries(report, (l) => l.std), width: 620, height: 260, scale: 'log', yLabel: 'activation std',
    reference: { value: first.input.std, label: `input std ${formatNumber(first.input.std)}` },
    label: `Activation std through depth of ${name} under ${report.variants.length} initializers`,
  });
  const gradients = depthChart({
    categories, series: depthSeries(report, (l) => l.gradStd), width: 620, height: 260, scale: 'log', yLabel: '∂L/∂a std',
    label: `Gradient std through depth of ${name} under ${report.variants.length} initializers`,
  });

  const parameters = first.parameters.map((p) => p.name);
  const current = selected && parameters.includes(selected) ? selected : parameters[0];
  const picker = ce('vscode-single-select', { id: 'compare-parameter', 'aria-label': 'Parameter whose histograms are overlaid' },
    ...parameters.map((p) => ce('vscode-option', { value: p, ...(p === current ? { selected: true } : {}) }, p)));
  picker.addEventListener('change', () => actions.selectParameter((picker as HTMLElement & { value: string }).value));
  let overlay: HTMLElement | null = null;
  if (current) {
    const svg = overlaySvg(report.edges[current]!, report.variants.map((v, k) => ({
      label: v.label, ...style(k), counts: v.parameters.find((p) => p.name === current)!.counts,
    })), { width: 620, height: 220, label: `Histograms of ${current} under each initializer, overlaid` });
    const stds = dataTable(`${current}: std per initializer`, [
      { header: 'initializer', value: (v: VariantReport) => v.label },
      { header: 'initializer call', value: (v: VariantReport) => v.parameters.find((p) => p.name === current)!.initializer },
      { header: 'theory std', value: (v: VariantReport) => v.parameters.find((p) => p.name === current)!.theoryStd, key: 'theoryStd' },
      { header: 'sample std', value: (v: VariantReport) => v.parameters.find((p) => p.name === current)!.sampleStd, key: 'sampleStd' },
    ], report.variants, 'numbers parameter-stds');
    overlay = h('figure', { 'data-parameter': current }, h('figcaption', {}, `Initial values of ${current} (fraction per bin, √ scale; ${report.seeds.length} seed${report.seeds.length === 1 ? '' : 's'} pooled)`),
      svg, exportChart(svg, `${name}-${current}-compare`), stds);
  }

  return h('div', { class: 'compare', 'data-variants': report.variants.length },
    h('div', { class: 'toolbar' }, seedsControl(report.seeds.length, actions.setSeeds), h('label', { class: 'control' }, 'Parameter ', picker)),
    h('p', { class: 'meta' }, `${report.variants.length} initializers × seeds ${report.seeds.join(', ')}, ${report.examples} examples each, backward pass of ${first.loss}; engine ${(report.elapsedMs / 1000).toFixed(2)} s`),
    verdictList(report),
    h('div', { class: 'charts' },
      h('figure', {}, h('figcaption', {}, 'Activation std per layer (log scale; band: min–max over seeds)'), activations, exportChart(activations, `${name}-compare-activation-std`)),
      h('figure', {}, h('figcaption', {}, 'Gradient std reaching each layer (log scale)'), gradients, exportChart(gradients, `${name}-compare-gradient-std`)),
      overlay),
    numbersDisclosure(dataTable(`Initializers compared on ${name}`, COMPARE_COLUMNS, compareRows(report), 'numbers compare-table')),
  );
}
