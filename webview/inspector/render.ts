/**
 * The inspector's frame: a header (model, parameter count, actions, exports),
 * three tabs — Weights, Signal, Compare — and the loading and error states.
 * Each tab's content is rendered by its own module into the panel returned
 * here, so that a late result replaces one tab without touching the others.
 */
import type { InitInspection } from '../../engine/inspect/types';
import type { InspectorTab, ModelRef } from '../../protocol/messages';
import { ce, h } from '../dom';
import { formatCount } from '../format';

export interface ShellActions {
  refresh(): void;
  openSource(): void;
  selectTab(tab: InspectorTab): void;
  exportCsv(): void;
  exportJson(): void;
  exportHtml(): void;
}

export const TABS: { id: InspectorTab; title: string }[] = [
  { id: 'weights', title: 'Weights' },
  { id: 'signal', title: 'Signal through depth' },
  { id: 'compare', title: 'Compare initializers' },
];

export interface Shell {
  root: HTMLElement;
  panels: Record<InspectorTab, HTMLElement>;
}

export function renderLoading(model: ModelRef): HTMLElement {
  return h('div', { class: 'status' }, ce('vscode-progress-ring'), h('span', {}, `Initializing ${model.name}…`));
}

/** A tab's placeholder while the engine works on it. */
export function renderPending(text: string): HTMLElement {
  return h('div', { class: 'status pending' }, ce('vscode-progress-ring'), h('span', {}, text));
}

export function renderError(message: string, retry: () => void): HTMLElement {
  const button = ce('vscode-button', { secondary: true }, 'Try again');
  button.addEventListener('click', retry);
  return h('div', { class: 'status error', role: 'alert' }, h('p', {}, message), button);
}

function button(id: string, label: string, title: string, onClick: () => void): HTMLElement {
  const b = ce('vscode-button', { id, secondary: true, title }, label);
  b.addEventListener('click', onClick);
  return b;
}

export function renderShell(model: ModelRef, inspection: InitInspection, tab: InspectorTab, actions: ShellActions): Shell {
  const header = h('header', { class: 'header' },
    h('h1', {}, `${inspection.modelName}: initialization`),
    h('p', { class: 'meta' },
      ce('vscode-badge', { id: 'param-count', 'data-value': inspection.parameterCount }, `${formatCount(inspection.parameterCount)} parameters`),
      ` ${inspection.generator?.label ?? `seed ${inspection.seed}`} · ${inspection.parameters.length} tensors · engine ${inspection.elapsedMs.toFixed(1)} ms`),
    h('div', { class: 'toolbar' },
      button('refresh', 'Re-run', 'Run the inspection again (same seed: same weights)', actions.refresh),
      button('open-source', 'Open model file', 'Show the model file', actions.openSource),
      h('span', { class: 'export', role: 'group', 'aria-label': 'Export' },
        button('export-csv', 'CSV', "Save this tab's numbers as CSV", actions.exportCsv),
        button('export-json', 'JSON', 'Save every statistic of this inspection as JSON', actions.exportJson),
        button('export-html', 'HTML report', 'Save a self-contained HTML report of this inspection', actions.exportHtml))),
  );
  const tabs = ce('vscode-tabs', { 'selected-index': TABS.findIndex((t) => t.id === tab) });
  const panels = {} as Record<InspectorTab, HTMLElement>;
  for (const t of TABS) {
    tabs.append(ce('vscode-tab-header', { slot: 'header', 'data-tab': t.id }, t.title));
    panels[t.id] = ce('vscode-tab-panel', { 'data-tab': t.id });
    tabs.append(panels[t.id]);
  }
  tabs.addEventListener('vsc-tabs-select', (e) => {
    const index = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    const selected = TABS[index];
    if (selected) actions.selectTab(selected.id);
  });
  const root = h('div', { class: 'inspection', 'data-model': model.uri }, header, tabs);
  return { root, panels };
}
