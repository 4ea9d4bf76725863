/**
 * The side panel: the active model at a glance (parameters, problems, the
 * signal's verdict and each layer's activation std at initialization, its
 * layers, or its module tree when it nests modules) with buttons to act on
 * it, and the saved training runs.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-tree/index.js';
import '@vscode-elements/elements/dist/vscode-tree-item/index.js';
import type { HostToSidebar, ModelOverview, Section, SidebarRun, SidebarToHost, SignalGlance } from '../../protocol/messages';
import { ce, h } from '../dom';
import { formatCount, formatNumber } from '../format';
import { structure } from './structure';
import { vscodeApi } from '../vscodeApi';

interface SidebarState {
  overview?: Extract<HostToSidebar, { type: 'overview' }>;
  /** The signal of the model in `overview` (dropped when another model is shown). */
  signal?: Section<SignalGlance>;
  runs?: SidebarRun[];
}

const vscode = vscodeApi<SidebarState, SidebarToHost>();
const app = document.getElementById('app')!;
let state: SidebarState = vscode.getState() ?? {};

function render(message: HostToSidebar | undefined): void {
  if (message?.type === 'overview') {
    const sameModel = message.overview?.model.uri === state.overview?.overview?.model.uri;
    state = { ...state, overview: message, ...(sameModel && state.signal ? { signal: state.signal } : { signal: undefined }) };
  } else if (message?.type === 'signal') {
    if (state.overview?.overview?.model.uri !== message.uri) return;
    state = { ...state, signal: message.signal };
  } else if (message?.type === 'runs') state = { ...state, runs: message.runs };
  vscode.setState(state);
  const o = state.overview;
  app.replaceChildren(
    o?.overview ? overview(o.overview, state.signal) : empty(o?.reason ?? ''),
    runsSection(state.runs ?? []));
}

/** Saved training runs: open one (its model's training panel), rename, export or delete it. */
function runsSection(runs: SidebarRun[]): HTMLElement {
  const item = (r: SidebarRun): HTMLElement => {
    const open = h('a', { href: '#', class: 'run-name', title: `Open the training panel of ${r.model}` }, r.name);
    open.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'openRun', id: r.id });
    });
    const rename = ce('vscode-button', { secondary: true, 'aria-label': `Rename ${r.name}` }, 'Rename');
    rename.addEventListener('click', () => vscode.postMessage({ type: 'renameRun', id: r.id }));
    const remove = ce('vscode-button', { secondary: true, 'aria-label': `Delete ${r.name}` }, 'Delete');
    remove.addEventListener('click', () => vscode.postMessage({ type: 'deleteRun', id: r.id }));
    const exportAs = ce('vscode-button', { secondary: true, 'aria-label': `Export ${r.name} as CSV, JSON, an HTML report or a PyTorch script` }, 'Export…');
    exportAs.addEventListener('click', () => vscode.postMessage({ type: 'exportRun', id: r.id }));
    return h('li', { 'data-run': r.id }, open, h('span', { class: 'run-meta' }, ` ${r.status} · ${formatCount(r.steps)} steps`), h('span', { class: 'run-actions' }, rename, exportAs, remove));
  };
  return h('section', { class: 'runs', 'aria-label': 'Training runs' },
    h('h2', {}, 'Runs'),
    runs.length ? h('ul', { class: 'run-list' }, ...runs.map(item)) : h('p', { class: 'hint' }, 'No runs yet: Train a model to record one.'));
}

const VERDICT_CLASS: Record<string, string> = { stable: 'ok', shrinking: 'warn', growing: 'warn' };

/** The verdict, and per layer its activation std (and dead or saturated units) at initialization. */
function signalGlance(signal: Section<SignalGlance> | undefined): HTMLElement | null {
  if (!signal) return null;
  if (signal.status === 'loading') return h('p', { class: 'signal pending' }, ce('vscode-progress-ring'), ' measuring the signal…');
  if (signal.status === 'error') return h('p', { class: 'signal error' }, `Signal: ${signal.message}`);
  const g = signal.report;
  return h('div', { class: 'signal', 'data-verdict': g.kind },
    h('p', { class: `verdict ${VERDICT_CLASS[g.kind] ?? 'bad'}` }, h('strong', {}, 'At initialization: '), g.verdict),
    h('table', { class: 'glance' },
      h('caption', {}, 'Activation std per layer'),
      h('tbody', {}, ...g.layers.map((l) => h('tr', {},
        h('th', { scope: 'row' }, h('code', {}, `${l.name} ${l.kind}`)),
        h('td', { 'data-value': l.std }, formatNumber(l.std)),
        h('td', { class: 'units' },
          l.deadFraction !== undefined && l.deadFraction > 0 ? `${Math.round(l.deadFraction * 100)}% dead` : '',
          l.saturatedFraction !== undefined && l.saturatedFraction > 0 ? `${Math.round(l.saturatedFraction * 100)}% saturated` : ''))))));
}

function overview(o: ModelOverview, signal: Section<SignalGlance> | undefined): HTMLElement {
  const inspect = ce('vscode-button', { id: 'inspect' }, 'Inspect initialization');
  inspect.addEventListener('click', () => vscode.postMessage({ type: 'inspect', uri: o.model.uri }));
  const train = ce('vscode-button', { id: 'train', secondary: true }, 'Train');
  train.addEventListener('click', () => vscode.postMessage({ type: 'train', uri: o.model.uri }));
  const problems = o.problems.errors + o.problems.warnings > 0
    ? h('p', { class: o.problems.errors ? 'problems error' : 'problems' }, `${o.problems.errors} errors, ${o.problems.warnings} warnings: see the Problems panel.`)
    : h('p', { class: 'problems ok' }, 'No problems found.');
  return h('div', { class: 'overview' },
    h('h2', {}, o.model.name),
    h('p', {}, ce('vscode-badge', { 'data-value': o.parameterCount }, formatCount(o.parameterCount)), ' trainable parameters'),
    problems,
    h('div', { class: 'actions' }, inspect, train),
    signalGlance(signal),
    structure(o));
}


function empty(reason: string): HTMLElement {
  const button = ce('vscode-button', { secondary: true }, 'New model from example');
  button.addEventListener('click', () => vscode.postMessage({ type: 'openExample' }));
  return h('div', { class: 'empty' }, h('p', {}, reason), button);
}

window.addEventListener('message', (event: MessageEvent<HostToSidebar>) => render(event.data));
render(undefined);
vscode.postMessage({ type: 'ready' });
