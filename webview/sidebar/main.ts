/** The side panel: the active model at a glance, with buttons to act on it. */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { HostToSidebar, ModelOverview, SidebarRun, SidebarToHost } from '../../protocol/messages';
import { ce, h } from '../dom';
import { formatCount } from '../format';
import { vscodeApi } from '../vscodeApi';

interface SidebarState {
  overview?: Extract<HostToSidebar, { type: 'overview' }>;
  runs?: SidebarRun[];
}

const vscode = vscodeApi<SidebarState, SidebarToHost>();
const app = document.getElementById('app')!;
let state: SidebarState = vscode.getState() ?? {};

function render(message: HostToSidebar | undefined): void {
  if (message?.type === 'overview') state = { ...state, overview: message };
  else if (message?.type === 'runs') state = { ...state, runs: message.runs };
  vscode.setState(state);
  const o = state.overview;
  app.replaceChildren(
    o?.overview ? overview(o.overview) : empty(o?.reason ?? ''),
    runsSection(state.runs ?? []));
}

/** Saved training runs: open one (its model's training panel), rename or delete it. */
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
    return h('li', { 'data-run': r.id }, open, h('span', { class: 'run-meta' }, ` ${r.status} · ${formatCount(r.steps)} steps`), h('span', { class: 'run-actions' }, rename, remove));
  };
  return h('section', { class: 'runs', 'aria-label': 'Training runs' },
    h('h2', {}, 'Runs'),
    runs.length ? h('ul', { class: 'run-list' }, ...runs.map(item)) : h('p', { class: 'hint' }, 'No runs yet: Train a model to record one.'));
}

function overview(o: ModelOverview): HTMLElement {
  const inspect = ce('vscode-button', { id: 'inspect' }, 'Inspect initialization');
  inspect.addEventListener('click', () => vscode.postMessage({ type: 'inspect', uri: o.model.uri }));
  const problems = o.problems.errors + o.problems.warnings > 0
    ? h('p', { class: o.problems.errors ? 'problems error' : 'problems' }, `${o.problems.errors} errors, ${o.problems.warnings} warnings: see the Problems panel.`)
    : h('p', { class: 'problems ok' }, 'No problems found.');
  return h('div', { class: 'overview' },
    h('h2', {}, o.model.name),
    h('p', {}, ce('vscode-badge', { 'data-value': o.parameterCount }, formatCount(o.parameterCount)), ' trainable parameters'),
    problems,
    h('ol', { class: 'layers', 'aria-label': 'Layers' }, ...o.layers.map((l) =>
      h('li', {}, h('code', {}, l.label), l.parameters ? h('span', { class: 'count' }, ` ${formatCount(l.parameters)}`) : null))),
    h('div', { class: 'actions' }, inspect, train(o.model.uri)));
}

function train(uri: string): HTMLElement {
  const button = ce('vscode-button', { id: 'train', secondary: true }, 'Train');
  button.addEventListener('click', () => vscode.postMessage({ type: 'train', uri }));
  return button;
}

function empty(reason: string): HTMLElement {
  const button = ce('vscode-button', { secondary: true }, 'New model from example');
  button.addEventListener('click', () => vscode.postMessage({ type: 'openExample' }));
  return h('div', { class: 'empty' }, h('p', {}, reason), button);
}

window.addEventListener('message', (event: MessageEvent<HostToSidebar>) => render(event.data));
render(undefined);
vscode.postMessage({ type: 'ready' });
