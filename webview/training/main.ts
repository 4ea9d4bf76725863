/**
 * The training panel: a model's runs, live while they train. Charts of every
 * step (loss, update-to-weight ratio per layer, Adam vs decay update norms,
 * ‖m̂‖, √v̂, the effective step size, bias corrections and lr), a step
 * scrubber showing every number and distribution at the chosen step (the
 * nearest snapshot for histograms), and the per-layer effective decay rates
 * of the runs compared.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { LossPoint, RunStep, Snapshot } from '../../engine/run/types';
import type { HostToTraining, ModelRef, RunSummary, TrainingPanelState, TrainingToHost } from '../../protocol/messages';
import { vscodeApi } from '../vscodeApi';
import { render, type RunView, type ViewState } from './render';

const vscode = vscodeApi<TrainingPanelState, TrainingToHost>();
const app = document.getElementById('app')!;

const saved = vscode.getState();
const state: ViewState = {
  model: saved?.model ?? { uri: '', name: '' },
  runs: new Map<string, RunView>(),
  live: new Set<string>(),
  selected: saved?.selectedRun,
  layer: saved?.layer,
  module: saved?.module,
  open: saved?.open ? new Set(saved.open) : undefined,
  heatRows: saved?.heatRows,
  step: saved?.step,
  follow: saved?.step === undefined,
  error: undefined,
  loaded: false,
};

function persist(): void {
  const s: TrainingPanelState = { model: state.model };
  if (state.selected) s.selectedRun = state.selected;
  if (state.layer) s.layer = state.layer;
  if (state.module !== undefined) s.module = state.module;
  if (state.open) s.open = [...state.open];
  if (state.heatRows) s.heatRows = state.heatRows;
  if (state.step !== undefined && !state.follow) s.step = state.step;
  vscode.setState(s);
}

function addRun(summary: RunSummary, steps: RunStep[], snapshots: Snapshot[], losses: LossPoint[] = []): void {
  state.runs.set(summary.meta.id, { summary, steps, snapshots, losses, details: new Map() });
}

function append(run: RunView, steps: RunStep[], snapshots: Snapshot[]): void {
  const lastStep = run.steps.at(-1)?.step ?? 0;
  for (const s of steps) if (s.step > lastStep) run.steps.push(s);
  const lastSnap = run.snapshots.at(-1)?.step ?? 0;
  for (const s of snapshots) if (s.step > lastSnap) run.snapshots.push(s);
}

const requested = new Set<string>();

let scheduled = false;
/** Re-render at most once a second while records stream in (drawing every chart competes with training for the CPU). */
function redraw(now = false): void {
  if (now) {
    scheduled = false;
    paint();
    return;
  }
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    if (!scheduled) return;
    scheduled = false;
    paint();
  }, 1000);
}

function paint(): void {
  const focused = document.activeElement?.id;
  app.replaceChildren(render(state, {
    post: (m) => vscode.postMessage(m),
    select: (id) => {
      state.selected = id;
      state.follow = true;
      persist();
      redraw(true);
    },
    needStep: (runId, step) => {
      const key = `${runId}#${step}`;
      if (requested.has(key)) return;
      requested.add(key);
      vscode.postMessage({ type: 'stepDetail', runId, step });
    },
    selectLayer: (name) => {
      state.layer = name;
      persist();
      redraw(true);
    },
    pickCell: (step, follow, row, open) => {
      state.step = step;
      state.follow = follow;
      if ('layer' in row) state.layer = row.layer;
      else state.module = row.module;
      state.open = open;
      persist();
      redraw(true);
    },
    setHeatRows: (by) => {
      state.heatRows = by;
      persist();
      redraw(true);
    },
    toggleModule: (_path, open) => {
      state.open = open;
      persist();
      redraw(true);
    },
    scrub: (step, follow) => {
      state.step = step;
      state.follow = follow;
      persist();
      redraw(true);
    },
  }));
  // Keep keyboard focus on the control that had it (the scrubber while using the arrow keys).
  if (focused) document.getElementById(focused)?.focus();
  app.dataset.state = state.loaded ? 'ready' : 'loading';
}

function onMessage(message: HostToTraining): void {
  switch (message.type) {
    case 'runs': {
      state.model = message.model as ModelRef;
      state.runs.clear();
      requested.clear();
      for (const r of message.runs) addRun(r.summary, r.steps, r.snapshots, r.losses ?? []);
      state.live = new Set(message.live);
      if (!state.selected || !state.runs.has(state.selected)) state.selected = message.runs[0]?.summary.meta.id;
      state.loaded = true;
      state.error = undefined;
      persist();
      redraw(true);
      return;
    }
    case 'append': {
      const run = state.runs.get(message.runId);
      if (!run) return;
      append(run, message.steps, message.snapshots);
      redraw();
      return;
    }
    case 'meta': {
      const existing = state.runs.get(message.summary.meta.id);
      if (existing) existing.summary = message.summary;
      else {
        addRun(message.summary, [], []);
        // A new run of this model: show it (a comparison shows its first variant).
        if (!message.summary.meta.variant || !state.selected || !state.live.has(state.selected)) {
          state.selected = message.summary.meta.id;
          state.follow = true;
        }
      }
      if (message.summary.meta.status === 'running') state.live.add(message.summary.meta.id);
      else state.live.delete(message.summary.meta.id);
      state.loaded = true;
      persist();
      redraw(true);
      return;
    }
    case 'stepDetail': {
      const { record, exact, loss } = message;
      state.runs.get(message.runId)?.details.set(message.step, { record, exact, ...(loss ? { loss } : {}) });
      redraw(true);
      return;
    }
    case 'error':
      state.error = message.message;
      redraw(true);
      return;
  }
}

// The heat map is as wide as the panel: draw it again when the panel is resized.
window.addEventListener('resize', () => redraw());
window.addEventListener('message', (event: MessageEvent<HostToTraining>) => onMessage(event.data));
paint();
vscode.postMessage({ type: 'ready' });
