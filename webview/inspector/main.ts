/**
 * The inspector webview: what the initialization of one model does. The
 * extension host sends the initial weights' summaries first, then the signal
 * through depth, then (once the Compare tab is opened) the initializers side
 * by side; each arrives as its own message and fills its own tab. The tab,
 * the chosen parameter, the seeds and the Weights tab's filter, module and
 * open tensor survive hide/show, re-runs and window reloads through `setState`.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-tree/index.js';
import '@vscode-elements/elements/dist/vscode-tree-item/index.js';
import type { CompareReport } from '../../engine/inspect/compare';
import type { SignalReport } from '../../engine/inspect/signal';
import type { InitInspection } from '../../engine/inspect/types';
import type { HostToInspector, InspectorState, InspectorTab, InspectorToHost, ModelRef, Section } from '../../protocol/messages';
import { vscodeApi } from '../vscodeApi';
import { chartExporter } from './chartExport';
import { COMPARE_COLUMNS, compareRows, renderCompare } from './compare';
import { exportText, htmlReport } from './exporting';
import { renderError, renderLoading, renderPending, renderShell, TABS, type Shell } from './render';
import { renderSignal, SIGNAL_COLUMNS } from './signal';
import { toCsv } from './table';
import { renderWeights, WEIGHT_COLUMNS } from './weights';

const vscode = vscodeApi<InspectorState, InspectorToHost>();
const app = document.getElementById('app')!;
const DEFAULT_SEEDS = 3;

interface View {
  model: ModelRef;
  inspection: InitInspection;
  notes: string[];
  signal?: Section<SignalReport>;
  compare?: Section<CompareReport>;
  shell: Shell;
}

let view: View | undefined;
/** Whether this page has asked for the comparison since the last inspection began. */
let compareAsked = false;

const state = (): Partial<InspectorState> => vscode.getState() ?? {};
const setState = (patch: Partial<InspectorState>): void => vscode.setState({ ...state(), ...patch } as InspectorState);
const post = (m: InspectorToHost): void => vscode.postMessage(m);
const exportChart = chartExporter(post, (message) => showNote(message));

function showNote(message: string): void {
  app.querySelector('.header')?.append(Object.assign(document.createElement('p'), { className: 'note', role: 'alert', textContent: message }));
}

function askForComparison(seeds = state().seeds ?? DEFAULT_SEEDS): void {
  compareAsked = true;
  post({ type: 'compare', seeds });
}

function selectTab(tab: InspectorTab): void {
  setState({ tab });
  if (tab === 'compare' && !compareAsked) askForComparison();
}

function fillSignal(v: View): void {
  const panel = v.shell.panels.signal;
  const s = v.signal;
  if (!s || s.status === 'loading') panel.replaceChildren(renderPending('Measuring the signal through depth…'));
  else if (s.status === 'error') panel.replaceChildren(renderError(`The signal could not be measured: ${s.message}`, () => post({ type: 'refresh' })));
  else panel.replaceChildren(renderSignal(s.report, exportChart));
  panel.dataset.state = s?.status ?? 'loading';
}

function fillCompare(v: View): void {
  const panel = v.shell.panels.compare;
  const c = v.compare;
  if (!c) panel.replaceChildren(renderPending('The comparison runs when this tab is opened…'));
  else if (c.status === 'loading') panel.replaceChildren(renderPending('Comparing initializers over several seeds…'));
  else if (c.status === 'error') panel.replaceChildren(renderError(`The comparison failed: ${c.message}`, () => askForComparison()));
  else {
    panel.replaceChildren(renderCompare(c.report, state().selectedParameter, {
      setSeeds: (seeds) => {
        setState({ seeds });
        askForComparison(seeds);
      },
      selectParameter: (name) => {
        setState({ selectedParameter: name });
        fillCompare(v);
      },
    }, exportChart));
  }
  panel.dataset.state = c?.status ?? 'idle';
}

function currentTab(): InspectorTab {
  return state().tab ?? 'weights';
}

function exportCsv(v: View): void {
  const name = v.inspection.modelName;
  const tab = currentTab();
  if (tab === 'signal' && v.signal?.status === 'ready') post(exportText(`${name}-signal.csv`, toCsv(SIGNAL_COLUMNS, v.signal.report.layers)));
  else if (tab === 'compare' && v.compare?.status === 'ready') post(exportText(`${name}-compare.csv`, toCsv(COMPARE_COLUMNS, compareRows(v.compare.report))));
  else post(exportText(`${name}-weights.csv`, toCsv(WEIGHT_COLUMNS, v.inspection.parameters)));
}

function exportJson(v: View): void {
  const ready = <T,>(s: Section<T> | undefined): T | null => (s?.status === 'ready' ? s.report : null);
  const json = { model: v.model, initialization: v.inspection, signal: ready(v.signal), compare: ready(v.compare) };
  post(exportText(`${v.inspection.modelName}-inspection.json`, `${JSON.stringify(json, null, 2)}\n`));
}

function exportHtml(v: View): void {
  const sections = TABS
    .filter((t) => v.shell.panels[t.id].dataset.state === 'ready')
    .map((t) => ({ heading: t.title, element: v.shell.panels[t.id] }));
  post(exportText(`${v.inspection.modelName}-report.html`, htmlReport(`Weightscope: ${v.inspection.modelName}`, sections)));
}

function show(message: HostToInspector): void {
  if (message.model) setState({ model: message.model });
  switch (message.type) {
    case 'loading':
      view = undefined;
      compareAsked = false;
      app.replaceChildren(renderLoading(message.model));
      app.dataset.state = 'loading';
      return;
    case 'error':
      view = undefined;
      app.replaceChildren(renderError(message.message, () => post({ type: 'refresh' })));
      app.dataset.state = 'error';
      return;
    case 'initInspection': {
      const shell = renderShell(message.model, message.inspection, currentTab(), {
        refresh: () => post({ type: 'refresh' }),
        openSource: () => post({ type: 'openSource' }),
        selectTab,
        exportCsv: () => view && exportCsv(view),
        exportJson: () => view && exportJson(view),
        exportHtml: () => view && exportHtml(view),
      });
      view = { model: message.model, inspection: message.inspection, notes: message.notes, shell };
      shell.panels.weights.replaceChildren(renderWeights(message.inspection, message.notes, exportChart, {
        state: state().weights ?? {},
        onStateChange: (weights) => setState({ weights }),
      }));
      shell.panels.weights.dataset.state = 'ready';
      fillSignal(view);
      fillCompare(view);
      app.replaceChildren(shell.root);
      app.dataset.state = 'ready';
      if (currentTab() === 'compare' && !compareAsked) askForComparison();
      return;
    }
    case 'signal':
      if (!view) return;
      view.signal = message.signal;
      fillSignal(view);
      return;
    case 'compare':
      if (!view) return;
      compareAsked = true;
      view.compare = message.compare;
      fillCompare(view);
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<HostToInspector>) => show(event.data));
post({ type: 'ready' });
