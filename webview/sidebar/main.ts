/** The side panel: the active model at a glance, with buttons to act on it. */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { HostToSidebar, ModelOverview, Section, SidebarToHost, SignalGlance } from '../../protocol/messages';
import { ce, h } from '../dom';
import { formatCount, formatNumber } from '../format';
import { vscodeApi } from '../vscodeApi';

type Overview = Extract<HostToSidebar, { type: 'overview' }>;
interface State {
  overview: Overview;
  signal?: Section<SignalGlance>;
}

const vscode = vscodeApi<State, SidebarToHost>();
const app = document.getElementById('app')!;
let state: State | undefined = vscode.getState();

function show(message: HostToSidebar): void {
  if (message.type === 'overview') state = { overview: message };
  else if (state?.overview.overview?.model.uri === message.uri) state = { ...state, signal: message.signal };
  else return;
  vscode.setState(state);
  render(state);
}

function render({ overview: message, signal }: State): void {
  app.replaceChildren(message.overview ? overview(message.overview, signal) : empty(message.reason ?? ''));
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
    h('ol', { class: 'layers', 'aria-label': 'Layers' }, ...o.layers.map((l) =>
      h('li', {}, h('code', {}, l.label), l.parameters ? h('span', { class: 'count' }, ` ${formatCount(l.parameters)}`) : null))));
}

function empty(reason: string): HTMLElement {
  const button = ce('vscode-button', { secondary: true }, 'New model from example');
  button.addEventListener('click', () => vscode.postMessage({ type: 'openExample' }));
  return h('div', { class: 'empty' }, h('p', {}, reason), button);
}

window.addEventListener('message', (event: MessageEvent<HostToSidebar>) => show(event.data));
if (state?.overview) render(state);
vscode.postMessage({ type: 'ready' });
