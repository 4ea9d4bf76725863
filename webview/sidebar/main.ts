/** The side panel: the active model at a glance, with buttons to act on it. */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { HostToSidebar, ModelOverview, SidebarToHost } from '../../protocol/messages';
import { ce, h } from '../dom';
import { formatCount } from '../format';
import { vscodeApi } from '../vscodeApi';

const vscode = vscodeApi<HostToSidebar, SidebarToHost>();
const app = document.getElementById('app')!;

function render(message: HostToSidebar): void {
  vscode.setState(message);
  app.replaceChildren(message.overview ? overview(message.overview) : empty(message.reason ?? ''));
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
    inspect);
}

function empty(reason: string): HTMLElement {
  const button = ce('vscode-button', { secondary: true }, 'New model from example');
  button.addEventListener('click', () => vscode.postMessage({ type: 'openExample' }));
  return h('div', { class: 'empty' }, h('p', {}, reason), button);
}

window.addEventListener('message', (event: MessageEvent<HostToSidebar>) => render(event.data));
const saved = vscode.getState();
if (saved) render(saved);
vscode.postMessage({ type: 'ready' });
