// @vitest-environment jsdom
/** The inspector's Weights tab: module tree, table of every tensor, filter, module scope, detail view. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { InitInspection } from '../../../engine/inspect/types';
import type { WeightsViewState } from '../../../protocol/messages';
import { h } from '../../../webview/dom';
import { htmlReport } from '../../../webview/inspector/exporting';
import { EXPAND_ALL_MAX, renderWeights, WEIGHT_COLUMNS } from '../../../webview/inspector/weights';
import { toCsv } from '../../../webview/inspector/table';
import { gptInspection, mlpInspection } from './fixtures';

const noExport = (): HTMLElement => h('div', { class: 'export' });

function mount(inspection: InitInspection, state?: WeightsViewState) {
  const changes: WeightsViewState[] = [];
  const root = renderWeights(inspection, [], noExport, { ...(state ? { state } : {}), onStateChange: (s) => changes.push(s) });
  document.body.replaceChildren(root);
  const rows = (): HTMLTableRowElement[] => [...root.querySelectorAll<HTMLTableRowElement>('table.tensors tbody tr')];
  const visible = (): string[] => rows().filter((r) => !r.hidden).map((r) => r.dataset.name!);
  const row = (name: string): HTMLTableRowElement => root.querySelector<HTMLTableRowElement>(`tr[data-name="${name}"]`)!;
  const item = (path: string): HTMLElement => root.querySelector<HTMLElement>(`vscode-tree-item[data-module="${path}"]`)!;
  const filter = (text: string): void => {
    const field = root.querySelector('vscode-textfield.filter') as HTMLElement & { value: string };
    field.value = text;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const selectModule = (path: string): void => {
    root.querySelector('vscode-tree')!.dispatchEvent(new CustomEvent('vsc-tree-select', { detail: [item(path)] }));
  };
  const shown = (): string => root.querySelector('.shown')!.textContent!;
  const details = (): string[] => [...root.querySelectorAll<HTMLElement>('.detail section.param')].filter((s) => !s.hidden).map((s) => s.dataset.name!);
  return { root, rows, visible, row, item, filter, selectModule, shown, details, changes };
}

beforeEach(() => {
  document.body.replaceChildren();
  // jsdom has no layout: scrolling is a no-op here.
  Element.prototype.scrollIntoView = vi.fn();
});

describe('Weights tab: module tree', () => {
  it('shows every module with its class and the parameter count of its subtree, thousands separated', () => {
    const inspection = gptInspection();
    const { item } = mount(inspection);
    const root = item('');
    // The root counts a tied tensor once: the model's count, not the engine's subtree sum.
    expect(root.dataset.count).toBe(String(inspection.parameterCount));
    expect(root.querySelector('[slot="decoration"]')!.textContent).toBe(inspection.parameterCount.toLocaleString('en-US'));
    expect(root.querySelector('.module-name')!.textContent).toBe('TinyGPT');
    const attn = item('blocks.1.attn');
    expect(attn.getAttribute('aria-label')).toBe('attn: CausalSelfAttention, 256 parameters');
    expect(attn.querySelector('[slot="description"]')!.textContent).toBe('CausalSelfAttention');
    expect(attn.querySelector('[slot="decoration"]')!.textContent).toBe('256');
    expect(item('wte').querySelector('[slot="decoration"]')!.textContent).toBe('400');
    expect(item('blocks').querySelector('[slot="decoration"]')!.textContent).toBe('1,056');
    // Nested items sit in their parent's children slot; branches have the attribute, leaves not.
    expect(attn.parentElement).toBe(item('blocks.1'));
    expect(attn.getAttribute('slot')).toBe('children');
    expect(item('blocks.1').hasAttribute('branch')).toBe(true);
    expect(item('blocks.1.attn.drop').hasAttribute('branch')).toBe(false);
    // Expanded two levels deep: the root and its children; deeper modules start folded.
    expect(root.hasAttribute('open')).toBe(true);
    expect(item('blocks').hasAttribute('open')).toBe(true);
    expect(item('blocks.1').hasAttribute('open')).toBe(false);
  });

  it('selecting a module lists only the tensors of its subtree (a tied tensor under either name)', () => {
    const t = mount(gptInspection());
    t.selectModule('blocks.1.attn');
    expect(t.visible()).toEqual(['blocks.1.attn.mask', 'blocks.1.attn.c_attn.weight', 'blocks.1.attn.c_proj.weight']);
    expect(t.shown()).toBe('3 of 15 tensors');
    expect(t.root.querySelector('.scope')!.hasAttribute('hidden')).toBe(false);
    expect(t.root.querySelector('.scope code')!.textContent).toBe('blocks.1.attn (CausalSelfAttention)');
    t.selectModule('lm_head');
    expect(t.visible()).toEqual(['wte.weight']);
    t.selectModule('blocks.0.attn.drop');
    expect(t.visible()).toEqual([]);
    expect(t.root.querySelector('.empty')!.textContent).toBe('No tensor in blocks.0.attn.drop.');
    (t.root.querySelector('button.clear-scope') as HTMLButtonElement).click();
    expect(t.visible()).toHaveLength(15);
    expect(t.shown()).toBe('15 tensors');
    expect(t.root.querySelector('.scope')!.hasAttribute('hidden')).toBe(true);
    expect(t.changes.at(-1)).toEqual({ filter: '', module: '' });
  });
});

describe('Weights tab: table and filter', () => {
  it("shows a one-element tensor's undefined sample std as \"–\" and says why, in the table and the detail", () => {
    const inspection = mlpInspection();
    const bias = inspection.parameters.find((p) => p.name === 'fc3.bias')!;
    bias.sample = { ...bias.sample, count: 1, std: null };
    const t = mount(inspection);
    const why = 'one element: the sample standard deviation is undefined';
    const cell = t.row('fc3.bias').querySelector<HTMLElement>('[data-stat="sample.std"]')!;
    expect(cell.textContent).toBe('–');
    expect(cell.title).toBe(why);
    expect(cell.getAttribute('data-value')).toBe('');
    t.row('fc3.bias').querySelector('td')!.click();
    const detail = t.root.querySelector<HTMLElement>('.detail section.param[data-name="fc3.bias"] td[data-stat="sample.std"]')!;
    expect(detail.textContent).toBe('–');
    expect(detail.title).toBe(why);
    // A defined std has no such note.
    expect(t.row('fc2.bias').querySelector<HTMLElement>('[data-stat="sample.std"]')!.title).toBe('');
    expect(toCsv(WEIGHT_COLUMNS, inspection.parameters).split('\n').find((l) => l.startsWith('fc3.bias,'))).toMatch(/^fc3\.bias,1,/);
  });

  it('has one row per tensor in state_dict order, with shape, initializer, fans, stds, KS and a sparkline', () => {
    const inspection = gptInspection();
    const t = mount(inspection);
    expect(t.rows().map((r) => r.dataset.name)).toEqual(inspection.parameters.map((p) => p.name));
    const r = t.row('blocks.0.attn.c_attn.weight');
    const p = inspection.parameters.find((x) => x.name === 'blocks.0.attn.c_attn.weight')!;
    expect(r.querySelector('[data-stat="shape"]')!.textContent).toBe('[24, 8]');
    expect(r.querySelector('[data-stat="initializer"]')!.textContent).toBe(p.initializer);
    expect(r.querySelector('[data-stat="fans"]')!.textContent).toBe('8 / 24');
    expect(Number(r.querySelector('[data-stat="theory.std"]')!.getAttribute('data-value'))).toBe(p.theory!.std);
    expect(Number(r.querySelector('[data-stat="sample.std"]')!.getAttribute('data-value'))).toBe(p.sample.std);
    expect(Number(r.querySelector('[data-stat="ks"]')!.getAttribute('data-value'))).toBe(p.ks);
    const spark = r.querySelector('svg.sparkline')!;
    expect(spark.querySelector('path.bars')!.getAttribute('data-counts')).toBe('1,4,4,1');
    expect(spark.querySelector('path.bars')!.getAttribute('d')!.match(/M/g)).toHaveLength(4);
    expect(spark.querySelector('polyline.theory')!.getAttribute('points')!.split(' ')).toHaveLength(4);
    // Rows are reachable by keyboard: one tab stop (the first row), the others by arrow keys.
    expect(t.rows().filter((x) => x.tabIndex === 0).map((x) => x.dataset.name)).toEqual(['wte.weight']);
  });

  it('filters rows by a case-insensitive substring of the name or an alias', () => {
    const t = mount(gptInspection());
    t.filter('C_PROJ');
    expect(t.visible()).toEqual(['blocks.0.attn.c_proj.weight', 'blocks.1.attn.c_proj.weight']);
    expect(t.shown()).toBe('2 of 15 tensors');
    t.filter('lm_head');
    expect(t.visible()).toEqual(['wte.weight']);
    t.filter('nothing-like-this');
    expect(t.visible()).toEqual([]);
    expect(t.root.querySelector('table.tensors')!.hasAttribute('hidden')).toBe(true);
    expect(t.root.querySelector('.empty')!.textContent).toBe('No tensor matches “nothing-like-this”.');
    t.filter('');
    expect(t.visible()).toHaveLength(15);
    expect(t.changes.at(-1)).toEqual({ filter: '', module: '' });
  });

  it('combines the filter with the module scope, and moves the tab stop to a visible row', () => {
    const t = mount(gptInspection());
    t.selectModule('blocks.1');
    t.filter('weight');
    expect(t.visible()).toEqual(['blocks.1.ln.weight', 'blocks.1.attn.c_attn.weight', 'blocks.1.attn.c_proj.weight', 'blocks.1.mlp.c_fc.weight']);
    expect(t.rows().filter((x) => x.tabIndex === 0).map((x) => x.dataset.name)).toEqual(['blocks.1.ln.weight']);
    expect(t.changes.at(-1)).toEqual({ filter: 'weight', module: 'blocks.1' });
  });

  it('marks buffers (and non-persistent ones), tied names and approximate tensors', () => {
    const t = mount(gptInspection());
    const mask = t.row('blocks.0.attn.mask');
    expect(mask.classList.contains('buffer')).toBe(true);
    expect(mask.dataset.kind).toBe('buffer');
    expect(mask.querySelector('.marker.buffer')!.textContent).toBe('buffer, not persistent');
    expect(mask.querySelector('.marker.buffer')!.classList.contains('non-persistent')).toBe(true);
    const count = t.row('ln_f.running_count');
    expect(count.querySelector('.marker.buffer')!.textContent).toBe('buffer');
    expect(count.querySelector('.marker.buffer')!.classList.contains('non-persistent')).toBe(false);
    expect(t.row('ln_f.weight').querySelector('.marker')).toBeNull();

    expect(t.row('wte.weight').querySelector('.aliases')!.textContent).toBe('= lm_head.weight');
    expect(t.row('blocks.0.attn.c_attn.weight').querySelector('.aliases')).toBeNull();

    const approx = t.row('blocks.1.attn.c_attn.weight');
    const badge = approx.querySelector<HTMLElement>('.marker.approximate')!;
    expect(badge.title).toBe('could not follow _init_weights; torch default assumed');
    expect(badge.textContent).toBe('approximate: could not follow _init_weights; torch default assumed'); // the reason is read out too
    expect(t.row('blocks.0.attn.c_attn.weight').querySelector('.marker.approximate')).toBeNull();
  });

  it('exports every tensor as CSV with its kind, module, aliases and why it is approximate', () => {
    const inspection = gptInspection();
    const lines = toCsv(WEIGHT_COLUMNS, inspection.parameters).trim().split('\n');
    const header = lines[0]!.split(',');
    expect(lines).toHaveLength(16);
    const cell = (line: string, key: string): string => line.split(',')[header.indexOf(key)]!;
    expect(cell(lines[1]!, 'aliases')).toBe('lm_head.weight');
    expect(cell(lines[4]!, 'kind')).toBe('buffer');
    expect(cell(lines[4]!, 'persistent')).toBe('false');
    expect(cell(lines[1]!, 'persistent')).toBe('');
  });
});

describe('Weights tab: the detail of one tensor', () => {
  it('a model of more than EXPAND_ALL_MAX tensors opens one detail, on click', () => {
    const inspection = gptInspection();
    expect(inspection.parameters.length).toBeGreaterThan(EXPAND_ALL_MAX);
    const t = mount(inspection);
    expect(t.root.dataset.layout).toBe('one');
    expect(t.details()).toEqual([]);
    expect(t.root.querySelector('.detail .hint')).not.toBeNull();

    t.row('blocks.1.mlp.c_fc.weight').querySelector('td')!.click();
    expect(t.details()).toEqual(['blocks.1.mlp.c_fc.weight']);
    const p = inspection.parameters.find((x) => x.name === 'blocks.1.mlp.c_fc.weight')!;
    const section = t.root.querySelector('.detail section.param[data-name="blocks.1.mlp.c_fc.weight"]')!;
    expect(Number(section.querySelector('td[data-stat="sample.std"]')!.getAttribute('data-value'))).toBe(p.sample.std);
    expect(Number(section.querySelector('td[data-stat="theory.std"]')!.getAttribute('data-value'))).toBe(p.theory!.std);
    expect(Number(section.querySelector('td[data-stat="fanIn"]')!.getAttribute('data-value'))).toBe(8);
    expect(section.querySelectorAll('svg.histogram rect.bar')).toHaveLength(4);
    expect(t.row('blocks.1.mlp.c_fc.weight').getAttribute('aria-current')).toBe('true');
    expect(document.activeElement).toBe(t.row('blocks.1.mlp.c_fc.weight'));
    expect(t.changes.at(-1)).toEqual({ filter: '', module: '', open: 'blocks.1.mlp.c_fc.weight' });

    // Another row replaces it.
    t.row('wte.weight').click();
    expect(t.details()).toEqual(['wte.weight']);
    expect(t.row('blocks.1.mlp.c_fc.weight').hasAttribute('aria-current')).toBe(false);
  });

  it('is keyboard accessible: arrow keys move between visible rows, Enter opens', () => {
    const t = mount(gptInspection());
    t.filter('c_attn');
    const first = t.row('blocks.0.attn.c_attn.weight');
    first.focus();
    first.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(t.row('blocks.1.attn.c_attn.weight'));
    expect(t.row('blocks.1.attn.c_attn.weight').tabIndex).toBe(0);
    expect(first.tabIndex).toBe(-1);
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(t.row('blocks.1.attn.c_attn.weight')); // the last visible row stays
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(t.details()).toEqual(['blocks.1.attn.c_attn.weight']);
    // The detail says why the tensor is approximate.
    expect(t.root.querySelector('.detail .approximate-reason')!.textContent).toBe('Approximate: could not follow _init_weights; torch default assumed');
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    expect(document.activeElement).toBe(first);
  });

  it('starts from the saved filter, module and open tensor', () => {
    const t = mount(gptInspection(), { filter: 'weight', module: 'blocks.0', open: 'blocks.0.mlp.c_fc.weight' });
    expect(t.visible()).toEqual(['blocks.0.ln.weight', 'blocks.0.attn.c_attn.weight', 'blocks.0.attn.c_proj.weight', 'blocks.0.mlp.c_fc.weight']);
    expect(t.details()).toEqual(['blocks.0.mlp.c_fc.weight']);
    expect((t.root.querySelector('vscode-textfield.filter') as HTMLElement).getAttribute('value')).toBe('weight');
    // The module is revealed in the tree: its ancestors are expanded.
    expect(t.item('blocks').hasAttribute('open')).toBe(true);
    // A module or tensor the model no longer has is dropped.
    const stale = mount(gptInspection(), { module: 'gone', open: 'gone.weight' });
    expect(stale.visible()).toHaveLength(15);
    expect(stale.details()).toEqual([]);
  });

  it('a small model shows every tensor expanded, and a click marks the one it names', () => {
    const t = mount(mlpInspection());
    expect(t.root.dataset.layout).toBe('all');
    expect(t.details()).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    t.row('fc2.weight').click();
    const current = [...t.root.querySelectorAll<HTMLElement>('section.param.current')].map((s) => s.dataset.name);
    expect(current).toEqual(['fc2.weight']);
    expect(Element.prototype.scrollIntoView).toHaveBeenCalled();
    // Filtering hides the details of the rows it hides.
    t.filter('bias');
    expect(t.details()).toEqual(['fc1.bias', 'fc2.bias', 'fc3.bias']);
  });
});

describe('Weights tab without a module tree (an inspection saved by an older version)', () => {
  it('groups the tensors by name prefix, with parameter counts', () => {
    const t = mount(mlpInspection());
    expect(t.item('').dataset.count).toBe('2121');
    expect(t.item('fc1').dataset.count).toBe('1100');
    expect(t.item('fc2').dataset.count).toBe('1010');
    expect(t.item('fc3').querySelector('[slot="decoration"]')!.textContent).toBe('11');
    expect(t.item('fc1').querySelector('[slot="description"]')).toBeNull(); // the class is unknown
    t.selectModule('fc3');
    expect(t.visible()).toEqual(['fc3.weight', 'fc3.bias']);
  });
});

describe('HTML report of the Weights tab', () => {
  it('lists every tensor whatever the filter, without the tree and the filter box', () => {
    const t = mount(gptInspection());
    t.filter('c_proj');
    const report = htmlReport('TinyGPT', [{ heading: 'Weights', element: t.root }]);
    expect(report).not.toContain('<vscode-tree');
    expect(report).not.toContain('<vscode-textfield');
    const doc = new DOMParser().parseFromString(report, 'text/html');
    const rows = [...doc.querySelectorAll('tr[data-name]')];
    expect(rows).toHaveLength(15);
    expect(rows.some((r) => r.hasAttribute('hidden'))).toBe(false);
    // The live page keeps its filter.
    expect(t.visible()).toHaveLength(2);
  });
});
