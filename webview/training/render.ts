import { compareRuns } from '../../engine/run/runId';
import { nearestByStep, nearestSnapshot } from '../../engine/run/recorder';
import { lossSeries } from '../../engine/run/format';
import { ratioGrid, type RatioGrid } from '../../engine/run/ratioGrid';
import { rollupRows } from '../../engine/run/rollup';
import type { Histogram, LayerStep, LossPoint, RunStep, Snapshot, SnapshotTerm } from '../../engine/run/types';
import type { ModelRef, RunSummary, TrainingToHost } from '../../protocol/messages';
import { histogramSvg } from '../charts/histogram';
import { ce, h } from '../dom';
import { formatNumber } from '../format';
import { heatmapSvg } from './heatmap';
import { defaultOpen, moduleTable, withAncestors } from './moduleTable';
import { ratioHeatmap, widths } from './ratioHeatmap';
import { decimate, lineChart, wantsLogScale, type Series } from './lineChart';

export interface RunView {
  summary: RunSummary;
  /** A long run's steps arrive thinned; `details` holds what the run file has for steps fetched for the scrubber. */
  steps: RunStep[];
  snapshots: Snapshot[];
  /** The losses of steps whose full record the run did not keep (thinned as `steps` are). */
  losses: LossPoint[];
  details: Map<number, StepDetail>;
}

/** A step as the run file holds it: its own full record (`exact`), or the nearest kept one and its own loss. */
export interface StepDetail {
  record: RunStep;
  exact: boolean;
  loss?: LossPoint;
}

/** The run's last step: of a full record, or of a loss line. */
export function lastStepOf(run: RunView): number {
  return Math.max(run.steps.at(-1)?.step ?? 0, run.losses.at(-1)?.step ?? 0);
}

export interface ViewState {
  model: ModelRef;
  runs: Map<string, RunView>;
  live: Set<string>;
  selected: string | undefined;
  /** The selected tensor: its distributions over time are drawn (and, in a model of many tensors, its charts). */
  layer: string | undefined;
  /** The selected module (a module row of the heat map). */
  module?: string | undefined;
  /** The modules open in the table (undefined: the model's default, see defaultOpen). */
  open?: Set<string> | undefined;
  /** The heat map's rows: tensors (default) or modules. */
  heatRows?: 'tensor' | 'module' | undefined;
  /** The scrubbed step; with `follow`, the latest step. */
  step: number | undefined;
  follow: boolean;
  error: string | undefined;
  loaded: boolean;
}

export interface Handlers {
  post(message: TrainingToHost): void;
  select(runId: string): void;
  scrub(step: number, follow: boolean): void;
  selectLayer(name: string): void;
  /** Open or close a module of the table. */
  toggleModule(path: string, open: Set<string>): void;
  /** A heat map cell picked: scrub to `step`, select its tensor or module, open the table down to it. */
  pickCell(step: number, follow: boolean, row: { layer: string } | { module: string }, open: Set<string>): void;
  /** The heat map's rows. */
  setHeatRows(by: 'tensor' | 'module'): void;
  /** The exact record of a step that the panel does not hold. */
  needStep(runId: string, step: number): void;
}

const CHART = { width: 440, height: 180 };

/** The usual healthy update-to-weight ratio is around 1e-3 per step. */
const RATIO_BAND = { lo: 3e-4, hi: 3e-3, label: 'the usual range of ‖Δθ‖/‖θ‖ per step, around 1e-3' };

export function render(state: ViewState, on: Handlers): HTMLElement {
  const run = state.selected ? state.runs.get(state.selected) : undefined;
  const root = h('div', { class: 'training' }, header(state, run, on));
  if (state.error) root.append(h('p', { class: 'status error', role: 'alert' }, state.error));
  if (!state.loaded) {
    root.append(h('p', { class: 'status' }, 'Loading runs…'));
    return root;
  }
  if (!run) {
    root.append(h('p', { class: 'empty' }, 'No runs of this model yet. Train it to see what AdamW does to every layer, step by step.'));
    return root;
  }
  if (run.steps.length === 0) {
    const lossesOnly = `This run kept only the loss of its ${lastStepOf(run)} steps (its size cap, weightscope.runs.maxRunMB, left no room for full records).`;
    root.append(h('p', { class: 'status' }, state.live.has(run.summary.meta.id) ? 'Starting…' : run.losses.length > 0 ? lossesOnly : 'This run has no recorded steps.'));
    return root;
  }
  const last = lastStepOf(run);
  const step = Math.min(state.follow || state.step === undefined ? last : state.step, last);
  root.append(
    scrubber(run, step, last, on),
    ratioSection(state, run, step, on),
    charts(run, step, state.live.has(run.summary.meta.id), chartedTensors(run, state.layer)),
    atStep(state, run, step, on),
    distributions(run, step, chartedTensors(run, state.layer)),
    overTime(state, run, step, on),
    decayComparison(state, run, step),
  );
  return root;
}

function header(state: ViewState, run: RunView | undefined, on: Handlers): HTMLElement {
  const button = (id: string, label: string, message: TrainingToHost, attrs: Record<string, string | boolean> = {}): HTMLElement => {
    const b = ce('vscode-button', { id, ...attrs }, label);
    b.addEventListener('click', () => on.post(message));
    return b;
  };
  const liveHere = [...state.live].some((id) => state.runs.has(id));
  const select = ce('vscode-single-select', { id: 'run-select', 'aria-label': 'Run' });
  for (const [id, r] of state.runs) {
    const option = ce('vscode-option', { value: id, ...(id === state.selected ? { selected: true } : {}) }, runLabel(r.summary));
    select.append(option);
  }
  select.addEventListener('change', (e) => on.select((e.target as HTMLSelectElement).value));
  const meta = run?.summary.meta;
  // The reason of a NaN/Inf stop is the alert below; the status line does not repeat it.
  const reason = meta?.reason && !meta.nonFinite ? ` · ${meta.reason}` : '';
  const generator = meta?.generator ? ` · ${meta.generator.label}` : '';
  const status = meta ? `${meta.status === 'running' || state.live.has(meta.id) ? 'training' : meta.status} · ${lastStepOf(run!)}/${meta.plannedSteps} steps · ${describeOptimizer(meta.optimizer)}${generator}${reason}` : '';
  const cap = meta?.recording?.capReachedAt;
  const exports = run ? [
    button('export-csv', 'CSV', { type: 'export', runId: run.summary.meta.id, format: 'csv' }, { secondary: true }),
    button('export-json', 'JSON', { type: 'export', runId: run.summary.meta.id, format: 'json' }, { secondary: true }),
    button('export-html', 'HTML report', { type: 'export', runId: run.summary.meta.id, format: 'html' }, { secondary: true }),
    button('export-torch', 'Open as PyTorch script', { type: 'export', runId: run.summary.meta.id, format: 'torch' }, { secondary: true }),
  ] : [];
  return h('header', { class: 'header' },
    h('h1', {}, `Training: ${state.model.name}`),
    h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Training actions' },
      button('train', 'Train', { type: 'train' }, liveHere ? { disabled: true } : {}),
      button('compare', 'Compare optimizers', { type: 'compare' }, liveHere ? { disabled: true, secondary: true } : { secondary: true }),
      button('stop', 'Stop', { type: 'stop' }, liveHere ? {} : { disabled: true, secondary: true }),
      state.runs.size > 0 ? select : null,
      ...exports),
    meta ? h('p', { class: 'meta', id: 'run-status', 'data-status': meta.status }, status) : null,
    cap !== undefined ? h('p', { class: 'hint', id: 'run-cap' }, `This run reached its size cap (weightscope.runs.maxRunMB) at step ${cap}: from there on it kept each step's loss only.`) : null,
    meta?.nonFinite ? h('p', { class: 'alert', role: 'alert', id: 'non-finite' }, h('strong', {}, 'Stopped: '), ...withCode(meta.nonFinite.message)) : null);
}

/** A message's `backticked` names (tensors) as code, the rest as text. */
function withCode(message: string): (string | HTMLElement)[] {
  return message.split(/`([^`]+)`/).map((part, i) => (i % 2 === 1 ? h('code', {}, part) : part)).filter((part) => part !== '');
}

function runLabel(r: RunSummary): string {
  return `${r.meta.name} — ${new Date(r.meta.createdAt).toLocaleString()} (${r.meta.stepsDone || '…'} steps)`;
}

function describeOptimizer(o: RunSummary['meta']['optimizer']): string {
  const wd = o.args['weight_decay'];
  return `${o.type} lr=${o.lr}${wd !== undefined ? ` λ=${String(wd)}` : ''}${o.decay === 'paper' ? ' (paper decay)' : ''}${o.noDecay.length ? ` no decay: ${o.noDecay.join(', ')}` : ''}`;
}

function scrubber(run: RunView, step: number, last: number, on: Handlers): HTMLElement {
  const input = h('input', { type: 'range', id: 'scrubber', min: 1, max: last, step: 1, value: step, 'aria-label': 'Step', 'aria-valuetext': `step ${step} of ${last}` });
  input.addEventListener('input', () => on.scrub(Number(input.value), Number(input.value) === last));
  // [ and ] jump to the previous and next snapshot (steps with full distributions).
  input.addEventListener('keydown', (e) => {
    if (e.key !== '[' && e.key !== ']') return;
    e.preventDefault();
    const steps = run.snapshots.map((s) => s.step);
    const target = e.key === ']' ? steps.find((s) => s > step) : [...steps].reverse().find((s) => s < step);
    if (target !== undefined) on.scrub(target, target === last);
  });
  const snap = nearestSnapshot(run.snapshots, step);
  return h('section', { class: 'scrubber', 'aria-label': 'Step scrubber' },
    h('label', { for: 'scrubber' }, 'Step '),
    input,
    h('output', { id: 'scrubber-step', for: 'scrubber', 'data-step': step }, `step ${step} of ${last}`),
    snap ? h('span', { class: 'hint' }, `Distributions from step ${snap.step}, the nearest snapshot ([ and ] jump between snapshots)`) : null);
}

const gridCache = new WeakMap<RunView, { key: string; grid: RatioGrid }>();

/** The run's ratio grid, computed again only when its records or the rows change (the panel redraws on every scrub). */
function gridOf(run: RunView, by: 'tensor' | 'module', maxColumns: number): RatioGrid {
  const key = `${by}:${maxColumns}:${run.steps.length}:${run.steps.at(-1)?.step ?? 0}`;
  const cached = gridCache.get(run);
  if (cached?.key === key) return cached.grid;
  const grid = ratioGrid(run.steps, rollupRows(runParameters(run), by), maxColumns);
  gridCache.set(run, { key, grid });
  return grid;
}

/** Which steps the panel has full records of, in words: the heat map's columns are those records. */
function recordsNote(run: RunView): string {
  const last = lastStepOf(run);
  if (run.steps.length === last) return `The run recorded all ${last} steps.`;
  const rec = run.summary.meta.recording;
  const kept = rec ? `This run keeps full records at every step up to ${rec.denseSteps} and at log-spaced steps after${rec.capReachedAt !== undefined ? `, and only losses from step ${rec.capReachedAt} (its size cap)` : ''}` : 'This run did not keep a full record of every step';
  return `${kept}; the map has the ${run.steps.length} records the panel holds (of ${last} steps), each column as wide as the others whatever the steps between them.`;
}

/** The layer × step heat map of ‖Δθ‖/‖θ‖, with the choice of rows. */
function ratioSection(state: ViewState, run: RunView, step: number, on: Handlers): HTMLElement {
  const by = state.heatRows ?? 'tensor';
  // As wide as the panel (less the page's padding); a panel that lays nothing out (a test's DOM) gets 800 pixels.
  const size = widths((document.documentElement.clientWidth || 800) - 40);
  const grid = gridOf(run, by, size.plot);
  const parameters = runParameters(run);
  const select = h('select', { id: 'ratio-heatmap-rows', 'aria-label': 'Rows of the heat map' },
    h('option', { value: 'tensor', ...(by === 'tensor' ? { selected: true } : {}) }, `tensors (${parameters.length})`),
    h('option', { value: 'module', ...(by === 'module' ? { selected: true } : {}) }, `modules (${rollupRows(parameters, 'module').length})`));
  select.addEventListener('change', () => on.setHeatRows(select.value === 'module' ? 'module' : 'tensor'));
  const last = lastStepOf(run);
  const open = state.open ?? defaultOpen(parameters);
  return h('section', { class: 'ratio-map', 'aria-label': 'Update-to-weight ratio per layer and step' },
    h('h2', {}, 'Update-to-weight ratio ‖Δθ‖/‖θ‖ per ', select, ' and step'),
    ratioHeatmap(grid, {
      by,
      step,
      selected: by === 'tensor' ? state.layer : state.module,
      recordsNote: recordsNote(run),
      size,
      pick: (at, name) => {
        const row = by === 'tensor' ? { layer: name } : { module: name };
        on.pickCell(at, at === last, row, withAncestors(open, name, by === 'module'));
      },
    }));
}

function layerNames(run: RunView): string[] {
  return runParameters(run).map((p) => p.name);
}

/** The run's parameter tensors in model order (runs of other producers may not list them: the record's names then). */
function runParameters(run: RunView): { name: string; shape: number[] }[] {
  const fromMeta = run.summary.meta.model.parameters;
  return fromMeta.length ? fromMeta : Object.keys(run.steps[0]?.layers ?? {}).map((name) => ({ name, shape: [1] }));
}

/** Up to this many tensors, the per-tensor charts draw every tensor; past it, the selected one. */
export const ALL_TENSOR_CHARTS = 12;

/** The tensors the per-tensor charts and distributions draw: all of a small model's, else the selected one. */
export function chartedTensors(run: RunView, selected: string | undefined): string[] {
  const names = layerNames(run);
  if (names.length <= ALL_TENSOR_CHARTS) return names;
  return [selected && names.includes(selected) ? selected : names[0]!];
}

function layerSeries(run: RunView, names: readonly string[], pick: (l: LayerStep) => number | null | undefined, suffix = '', dashed = false, offset = 0): Series[] {
  const steps = decimate(run.steps);
  return names.map((name, i) => ({
    label: `${name}${suffix}`,
    color: i + offset,
    dashed,
    points: steps.map((s) => [s.step, pick(s.layers[name] ?? ({} as LayerStep)) ?? NaN] as const),
  }));
}

function figure(title: string, chart: SVGElement, legend: Series[]): HTMLElement {
  return h('figure', { class: 'chart' },
    h('figcaption', {}, title),
    chart,
    h('ul', { class: 'legend', 'aria-hidden': 'true' }, ...legend.map((sr) => h('li', {}, h('span', { class: `swatch c${sr.color % 8}${sr.dashed ? ' dashed' : ''}` }), sr.label))));
}

function charts(run: RunView, step: number, live: boolean, names: readonly string[]): HTMLElement {
  // A live run's axis spans the planned steps (the lines grow into it); a run that ended early
  // (stopped, or at a NaN/Inf) spans its recorded steps, which would otherwise squeeze into a corner.
  const last = lastStepOf(run);
  const xMax = live || run.summary.meta.status === 'running' ? Math.max(run.summary.meta.plannedSteps, last) : last;
  const steps = decimate(run.steps);
  const opts = (label: string, log: boolean) => ({ ...CHART, label, log, xMax, cursor: step });
  // Every step's loss: from the full records and, where a run kept only the loss, from its loss lines.
  const losses = lossSeries(run.steps, run.losses);
  const loss: Series[] = [
    { label: 'train loss', color: 0, points: decimate(losses).map((s) => [s.step, s.loss] as const) },
    { label: 'validation loss', color: 1, points: losses.filter((s) => s.valLoss !== null).map((s) => [s.step, s.valLoss!] as const) },
  ];
  const ratio = layerSeries(run, names, (l) => l.updateToWeight);
  const adamVsDecay = [...layerSeries(run, names, (l) => l.stepNorm, ' Adam'), ...layerSeries(run, names, (l) => l.decayNorm, ' decay', true)];
  const mHat = layerSeries(run, names, (l) => l.mHatNorm);
  const sqrtV = layerSeries(run, names, (l) => l.sqrtVHat?.mean);
  const stepSize = layerSeries(run, names, (l) => l.stepSize?.mean);
  const scalars: Series[] = [
    { label: '1/(1−β1^t)', color: 0, points: steps.map((s) => [s.step, s.biasCorrection1 ?? NaN] as const) },
    { label: '1/(1−β2^t)', color: 1, points: steps.map((s) => [s.step, s.biasCorrection2 ?? NaN] as const) },
    { label: 'lr', color: 2, points: steps.map((s) => [s.step, s.lr] as const) },
  ];
  const one = names.length === 1 && layerNames(run).length > ALL_TENSOR_CHARTS;
  return h('section', { class: 'charts', 'aria-label': 'Charts over steps' },
    one ? h('p', { class: 'hint charted', id: 'charted-tensor', 'data-layer': names[0] }, 'Per-tensor charts of ', h('code', {}, names[0]!), ': select another tensor in the table or the heat map.') : null,
    // A log axis once the loss spans two decades: on a linear one, a loss falling to 1e-6 is a spike and a flat line.
    wantsLogScale(loss)
      ? figure('Loss (log)', lineChart(loss, opts('Training and validation loss per step, log scale', true)), loss)
      : figure('Loss', lineChart(loss, opts('Training and validation loss per step', false)), loss),
    figure('Update-to-weight ratio ‖Δθ‖/‖θ‖ (log; band ≈ 1e-3)', lineChart(ratio, { ...opts('Update-to-weight ratio per layer, log scale, with the usual band around 1e-3', true), band: RATIO_BAND, reference: 1e-3 }), ratio),
    figure('Adam update ‖lr·m̂/(√v̂+ε)‖ vs decay update ‖lr·λ·θ‖ (log)', lineChart(adamVsDecay, opts('Adam update norm and decay update norm per layer, log scale', true)), adamVsDecay),
    figure('‖m̂‖ (log)', lineChart(mHat, opts('Norm of the bias-corrected first moment per layer, log scale', true)), mHat),
    figure('√v̂, mean over elements (log)', lineChart(sqrtV, opts('Mean square root of the bias-corrected second moment per layer, log scale', true)), sqrtV),
    figure('Effective step lr/(√v̂+ε), mean (log)', lineChart(stepSize, opts('Mean effective per-element step size per layer, log scale', true)), stepSize),
    figure('Bias corrections and lr (log)', lineChart(scalars, opts('Bias-correction factors and learning rate per step, log scale', true)), scalars));
}

/** The record of `step`, or the nearest one kept (a live run's panel gets a thinned stream of steps). */
function stepRecord(steps: readonly RunStep[], step: number): RunStep {
  return nearestByStep(steps, step, 'later')!;
}

function atStep(state: ViewState, run: RunView, step: number, on: Handlers): HTMLElement {
  const detail = run.details.get(step);
  const s = detail?.record ?? stepRecord(run.steps, step);
  if (!detail && s.step !== step) on.needStep(run.summary.meta.id, step);
  const scalars = h('dl', { class: 'scalars', id: 'step-scalars', 'data-step': s.step },
    ...([['loss', 'loss', s.loss], ['valLoss', 'validation loss', s.valLoss], ['gradNorm', '‖g‖ (all)', s.gradNorm], ['lr', 'lr', s.lr],
      ['biasCorrection1', '1/(1−β1^t)', s.biasCorrection1], ['biasCorrection2', '1/(1−β2^t)', s.biasCorrection2]] as const)
      .flatMap(([key, label, v]) => [h('dt', {}, label), h('dd', { 'data-key': key, 'data-value': v === null ? '' : String(v) }, formatNumber(v))]));
  const parameters = runParameters(run);
  // The tensor where the run's first NaN/Inf appeared, at that step: the row the alert is about (its modules open).
  const bad = run.summary.meta.nonFinite;
  const open = state.open ?? (bad ? withAncestors(defaultOpen(parameters), bad.param, false) : defaultOpen(parameters));
  const table = moduleTable(s, parameters, {
    modelName: run.summary.meta.model.name,
    open,
    ...(state.layer ? { selectedTensor: state.layer } : {}),
    ...(state.module !== undefined ? { selectedModule: state.module } : {}),
    ...(bad && bad.step === s.step ? { flagged: { param: bad.param, kind: bad.kind, message: bad.message } } : {}),
    toggle: (path) => {
      const next = new Set(open);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      on.toggleModule(path, next);
    },
    selectTensor: (name) => on.selectLayer(name),
  });
  const note = detail && !detail.exact ? notKept(run, step, s.step, detail.loss)
    : s.step !== step ? h('p', { class: 'hint', id: 'step-loading' }, `Showing step ${s.step}, the nearest one loaded; reading step ${step}…`) : null;
  return h('section', { class: 'at-step', 'aria-label': `Numbers at step ${s.step}` }, h('h2', {}, `Step ${s.step}`), note, scalars, h('div', { class: 'table-scroll' }, table));
}

/** The label of a step whose full record the run did not keep: what is shown instead, and the step's own loss. */
function notKept(run: RunView, step: number, shown: number, loss: LossPoint | undefined): HTMLElement {
  const rec = run.summary.meta.recording;
  const why = rec?.capReachedAt !== undefined && step >= rec.capReachedAt ? 'past its size cap this run kept each step\'s loss only'
    : `this run keeps every step's loss, and full records at every step up to ${rec?.denseSteps ?? 'its first steps'} and at log-spaced steps after`;
  return h('p', { class: 'hint not-kept', id: 'step-not-kept', role: 'status', 'data-step': step, 'data-shown': shown },
    h('strong', {}, `Step ${step}'s full record was not kept`), ` (${why}). The numbers below are step ${shown}'s, the nearest kept step.`,
    loss ? ` Loss at step ${step}: ${formatNumber(loss.loss)}${loss.valLoss !== null ? `, validation loss ${formatNumber(loss.valLoss)}` : ''}.` : '');
}

const TERM_TITLES: Record<SnapshotTerm, string> = { weight: 'θ', mHat: 'm̂', sqrtVHat: '√v̂', update: 'Δθ' };

function distributions(run: RunView, step: number, names: readonly string[]): HTMLElement {
  const snap = nearestSnapshot(run.snapshots, step);
  const section = h('section', { class: 'distributions', 'aria-label': 'Distributions at the nearest snapshot' });
  if (!snap) return section;
  section.append(h('h2', { id: 'snapshot-title', 'data-step': snap.step }, `Distributions at step ${snap.step}`));
  for (const name of names) {
    const terms = snap.layers[name];
    if (!terms) continue;
    section.append(h('div', { class: 'layer-dists', 'data-layer': name },
      h('h3', {}, h('code', {}, name)),
      h('div', { class: 'row' }, ...(Object.keys(TERM_TITLES) as SnapshotTerm[]).filter((t) => terms[t]).map((t) =>
        h('figure', { 'data-term': t }, h('figcaption', {}, TERM_TITLES[t]), histogramSvg(toSummary(terms[t]!), { width: 250, height: 110, label: `Histogram of ${TERM_TITLES[t]} of ${name} at step ${snap.step}` }))))));
  }
  return section;
}

/** The chosen tensor's distributions at every snapshot, as heatmaps. */
function overTime(state: ViewState, run: RunView, step: number, on: Handlers): HTMLElement {
  const names = layerNames(run);
  const layer = state.layer && names.includes(state.layer) ? state.layer : names[0]!;
  const select = h('select', { id: 'heatmap-layer', 'aria-label': 'Tensor shown over time' }, ...names.map((n) => h('option', { value: n, ...(n === layer ? { selected: true } : {}) }, n)));
  select.addEventListener('change', () => on.selectLayer(select.value));
  const current = nearestSnapshot(run.snapshots, step)?.step;
  const figures = (Object.keys(TERM_TITLES) as SnapshotTerm[]).flatMap((t) => {
    const columns = run.snapshots.filter((sn) => sn.layers[layer]?.[t]).map((sn) => ({ step: sn.step, hist: sn.layers[layer]![t]! }));
    if (columns.length === 0) return [];
    return [h('figure', { 'data-term': t }, h('figcaption', {}, `${TERM_TITLES[t]} over time`),
      heatmapSvg(columns, { width: 420, height: 150, rows: 40, label: `Distribution of ${TERM_TITLES[t]} of ${layer} at each snapshot, as a heatmap`, ...(current !== undefined ? { cursorStep: current } : {}) }))];
  });
  return h('section', { class: 'over-time', 'aria-label': 'Distributions over time' },
    h('h2', {}, 'Distributions over time ', select),
    h('p', { class: 'explain' }, 'One column per snapshot (log-spaced steps), darker = more of the tensor\'s values in that range; the outlined column is the scrubbed step\'s snapshot.'),
    h('div', { class: 'row' }, ...figures));
}

function toSummary(hist: Histogram): { edges: number[]; counts: number[] } {
  const n = hist.counts.length;
  return { edges: Array.from({ length: n + 1 }, (_, i) => (i === n ? hist.hi : hist.lo + ((hist.hi - hist.lo) * i) / n)), counts: hist.counts };
}

/** Effective decay per layer for this run and the runs compared with it (same group), at the chosen step. */
function decayComparison(state: ViewState, run: RunView, step: number): HTMLElement {
  const group = run.summary.meta.group;
  // The variants in the order they were started, whatever order their runs reached the panel in.
  const runs = group
    ? [...state.runs.values()].filter((r) => r.summary.meta.group === group && r.steps.length > 0).sort((a, b) => compareRuns(a.summary.meta, b.summary.meta))
    : [run];
  const names = layerNames(run);
  const at = (r: RunView): RunStep => stepRecord(r.steps, step);
  return h('section', { class: 'decay', 'aria-label': 'Effective decay rate per layer' },
    h('h2', {}, 'Effective weight decay per layer'),
    h('p', { class: 'explain' }, 'Relative shrink of each weight per step caused by weight decay. AdamW decays every weight by the same lr·λ; Adam with L2 adds λθ to the gradient, which the adaptive step then rescales by 1/(√v̂+ε), so the rate differs per layer (shown: λ·mean lr/(√v̂+ε)). SGD decays by lr·λ; the paper form of AdamW by η·λ.'),
    h('div', { class: 'table-scroll' }, h('table', { id: 'decay-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'tensor'), ...runs.map((r) => h('th', { scope: 'col' }, r.summary.meta.variant ?? r.summary.meta.name)))),
      h('tbody', {}, ...names.map((name) => h('tr', { 'data-layer': name },
        h('th', { scope: 'row' }, h('code', {}, name)),
        ...runs.map((r) => {
          const v = at(r).layers[name]?.effectiveDecay;
          return h('td', { 'data-run': r.summary.meta.id, 'data-value': v === undefined ? '' : String(v) }, formatNumber(v));
        })))))));
}
