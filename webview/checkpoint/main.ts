/**
 * The checkpoint editor's webview: progress while the engine reads the file,
 * then the file's tensors (module tree, table, detail), and once they are
 * known the model the checkpoint belongs to (each tensor against its
 * initializer's theory, the ratio through depth) and the drift from an
 * initial checkpoint. A refused or corrupt file shows the reader's message.
 * The filter, module and open tensor survive hide/show through `setState`.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-tree/index.js';
import '@vscode-elements/elements/dist/vscode-tree-item/index.js';
import type { CheckpointReport } from '../../engine/checkpoint/report';
import type { CheckpointDriftState, CheckpointModelState, CheckpointToHost, CheckpointViewState, HostToCheckpoint } from '../../protocol/messages';
import { ce, h } from '../dom';
import { formatCount } from '../format';
import { vscodeApi } from '../vscodeApi';
import { renderBrowser } from './browser';
import { depthCharts } from './depth';

const vscode = vscodeApi<CheckpointViewState, CheckpointToHost>();
const app = document.getElementById('app')!;
const post = (m: CheckpointToHost): void => vscode.postMessage(m);

let report: CheckpointReport | undefined;
let model: CheckpointModelState = { status: 'searching' };
let drift: CheckpointDriftState = { status: 'none' };

function button(id: string, label: string, title: string, message: CheckpointToHost, secondary = true): HTMLElement {
  const b = ce('vscode-button', { id, secondary, title }, label);
  b.addEventListener('click', () => post(message));
  return b;
}

const FORMATS: Record<CheckpointReport['format'], string> = {
  safetensors: 'safetensors',
  'safetensors-sharded': 'sharded safetensors',
  'torch-zip': 'torch.save archive',
  npz: 'NumPy .npz',
};

function modelLine(): HTMLElement {
  const label = h('span', { class: 'label' }, 'Model: ');
  switch (model.status) {
    case 'searching':
      return h('p', { class: 'model-line', 'data-status': 'searching' }, label, 'looking for the model of these tensors in the workspace…');
    case 'none':
      return h('div', { class: 'model-line', 'data-status': 'none' },
        h('p', {}, label, model.candidates === 0
          ? 'no model file in the workspace (a .py with an nn.Module, or a .nn.json/.nn.yaml) to compare with.'
          : `none of the workspace's ${model.candidates} models has these state_dict names and shapes.`),
        model.closest ? h('ul', { class: 'problems', 'aria-label': `Why ${model.closest.name} does not match` },
          h('li', {}, `closest: ${model.closest.name}`), ...model.closest.problems.slice(0, 3).map((p) => h('li', {}, p))) : null);
    case 'several':
      return h('p', { class: 'model-line', 'data-status': 'several' }, label,
        `${model.matches.length} models match these tensors: `, button('pick-model', 'Pick the model…', 'Choose which model this checkpoint belongs to (remembered)', { type: 'pickModel' }, false));
    case 'matched':
      return h('p', { class: 'model-line', 'data-status': 'matched', 'data-model': model.model.name }, label,
        h('strong', {}, model.model.name), ': every tensor next to the std its initializer gave it. ',
        button('open-model', 'Open model', 'Show the model file', { type: 'openModel' }),
        model.others > 0 ? button('pick-model', 'Another model…', `${model.others} other model(s) match too`, { type: 'pickModel' }) : '');
  }
}

function driftLine(): HTMLElement {
  const label = h('span', { class: 'label' }, 'Initial checkpoint: ');
  const choose = button('choose-initial', drift.status === 'none' ? 'Compare with initial checkpoint…' : 'Another…', 'Pick the checkpoint this one started from (or another of the same model): each tensor’s drift ‖θ − θ₀‖/‖θ₀‖, side by side', { type: 'chooseInitial' });
  switch (drift.status) {
    case 'none':
      return h('p', { class: 'drift-line', 'data-status': 'none' }, label, 'none. ', choose);
    case 'loading':
      return h('p', { class: 'drift-line', 'data-status': 'loading' }, label, h('code', {}, drift.initial),
        ` — measuring the drift${drift.total ? ` (${drift.done} of ${drift.total} tensors)` : ''}…`);
    case 'error':
      return h('p', { class: 'drift-line', 'data-status': 'error', role: 'alert' }, label, h('code', {}, drift.initial), `: ${drift.message} `, choose);
    case 'ready':
      return h('p', { class: 'drift-line', 'data-status': 'ready' }, label, h('code', {}, drift.initial),
        drift.origin === 'init_from' ? ' (the model’s init_from)' : '', '. ', choose,
        drift.origin === 'chosen' ? button('clear-initial', 'Clear', 'Forget the chosen initial checkpoint', { type: 'clearInitial' }) : '',
        drift.drift.unmatched.length ? h('span', { class: 'label' }, ` Not in both files: ${drift.drift.unmatched.slice(0, 5).join(', ')}${drift.drift.unmatched.length > 5 ? '…' : ''}`) : '');
  }
}

function render(): void {
  if (!report) return;
  const r = report;
  const scrollTop = app.querySelector('.tensors-scroll')?.scrollTop ?? 0;
  const comparison = model.status === 'matched' ? model.comparison : undefined;
  const driftReport = drift.status === 'ready' ? drift.drift : undefined;
  const header = h('header', { class: 'header' },
    h('h1', {}, r.file.split(/[\\/]/).pop() ?? r.file),
    h('p', { class: 'meta' },
      ce('vscode-badge', { id: 'param-count', 'data-value': r.parameterCount }, `${formatCount(r.parameterCount)} parameters`),
      ` ${FORMATS[r.format]} · ${formatCount(r.tensors.length)} tensors`,
      r.nesting.length ? ` · found under ${r.nesting.map((k) => `['${k}']`).join('')}` : '',
      r.strippedPrefix ? ` · prefix '${r.strippedPrefix}' removed` : '',
      r.otherKeys.length ? ` · also in the file: ${r.otherKeys.join(', ')}` : ''),
    h('div', { class: 'context' }, modelLine(), driftLine()));
  const charts = depthCharts(r, comparison, driftReport);
  const browser = renderBrowser(r, {
    state: vscode.getState() ?? {},
    onStateChange: (s) => vscode.setState(s),
    ...(comparison ? { model: comparison } : {}),
    ...(driftReport ? { drift: driftReport } : {}),
  });
  app.replaceChildren(h('div', { class: 'checkpoint' }, header, ...(charts ? [charts] : []), browser));
  app.dataset.state = 'ready';
  app.dataset.model = model.status;
  app.dataset.drift = drift.status;
  const scroller = app.querySelector('.tensors-scroll');
  if (scroller) scroller.scrollTop = scrollTop;
}

function show(message: HostToCheckpoint): void {
  switch (message.type) {
    case 'progress': {
      report = undefined;
      const bar = h('progress', { max: Math.max(1, message.total), value: message.done });
      app.replaceChildren(h('div', { class: 'progress', role: 'status' },
        h('div', { class: 'status' }, ce('vscode-progress-ring'), h('span', {}, message.total
          ? `Reading ${message.file}: ${formatCount(message.done)} of ${formatCount(message.total)} tensors summarized${message.name ? ` (${message.name})` : ''}`
          : `Opening ${message.file}…`)),
        message.total ? bar : '',
        h('div', {}, button('cancel', 'Cancel', 'Stop reading this checkpoint', { type: 'cancel' }))));
      app.dataset.state = 'loading';
      return;
    }
    case 'error':
      report = undefined;
      app.replaceChildren(h('div', { class: 'status error', role: 'alert' },
        h('h1', {}, `Weightscope cannot show ${message.file}`),
        // The readers' messages start with the file's name, which the heading already gives.
        h('p', { class: 'message' }, message.message.startsWith(`${message.file}: `) ? message.message.slice(message.file.length + 2) : message.message),
        button('retry', 'Try again', 'Read the file again', { type: 'retry' })));
      app.dataset.state = 'error';
      return;
    case 'report':
      report = message.report;
      model = { status: 'searching' };
      drift = { status: 'none' };
      render();
      return;
    case 'model':
      model = message.model;
      render();
      return;
    case 'drift':
      drift = message.drift;
      render();
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<HostToCheckpoint>) => show(event.data));
post({ type: 'ready' });
