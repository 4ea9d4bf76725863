// @vitest-environment jsdom
/** The checkpoint editor's tensors: module tree by name prefix, table, filter, detail with the model's and the initial checkpoint's numbers. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkpointDrift, compareWithModel, summarizeCheckpoint, type CheckpointReport, type DriftReport, type ModelComparison } from '../../../engine/checkpoint';
import type { CheckpointViewState } from '../../../protocol/messages';
import { renderBrowser } from '../../../webview/checkpoint/browser';
import { depthCharts } from '../../../webview/checkpoint/depth';
import { readPythonModel } from '../../../cli/pythonModel';
import { FIXTURES, openFixture } from '../checkpoint/fixtures';

let report: CheckpointReport;
let model: ModelComparison;
let drift: DriftReport;

beforeAll(async () => {
  report = await summarizeCheckpoint(await openFixture('trained/trained.pt'), 'trained.pt', { bins: 10 });
  const file = path.join(FIXTURES, 'trained/mlp.py');
  const spec = (await readPythonModel(readFileSync(file, 'utf8'), undefined, { file })).spec!;
  model = compareWithModel(report.tensors, spec);
  drift = await checkpointDrift(await openFixture('trained/trained.pt'), await openFixture('trained/initial.pt'), 'initial.pt', { bins: 10 });
});

beforeEach(() => {
  document.body.replaceChildren();
  Element.prototype.scrollIntoView = vi.fn();
});

function mount(options: { state?: CheckpointViewState; model?: ModelComparison; drift?: DriftReport } = {}) {
  const changes: CheckpointViewState[] = [];
  const root = renderBrowser(report, { state: options.state ?? {}, onStateChange: (s) => changes.push(s), ...(options.model ? { model: options.model } : {}), ...(options.drift ? { drift: options.drift } : {}) });
  document.body.replaceChildren(root);
  const visible = (): string[] => [...root.querySelectorAll<HTMLTableRowElement>('table.tensors tbody tr')].filter((r) => !r.hidden).map((r) => r.dataset.name!);
  const cell = (name: string, stat: string): HTMLElement => root.querySelector<HTMLElement>(`tr[data-name="${name}"] td[data-stat="${stat}"]`)!;
  return { root, visible, cell, changes };
}

describe('checkpoint browser', () => {
  it('lists every tensor with its statistics, and the tree counts each module', () => {
    const { root, visible, cell } = mount();
    expect(visible()).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    const fc2 = report.tensors.find((t) => t.name === 'fc2.weight')!;
    expect(Number(cell('fc2.weight', 'std').dataset.value)).toBe(fc2.std);
    expect(Number(cell('fc2.weight', 'l2').dataset.value)).toBe(fc2.l2Norm);
    expect(root.querySelector('vscode-tree-item[data-module="fc2"]')!.getAttribute('data-count')).toBe(String(64 * 64 + 64));
    expect(root.querySelector('td[data-stat="stdRatio"]')).toBeNull();
  });

  it('filters by name and by module, and remembers the filter', () => {
    const { root, visible, changes } = mount();
    const field = root.querySelector('vscode-textfield.filter') as HTMLElement & { value: string };
    field.value = 'bias';
    field.dispatchEvent(new Event('input', { bubbles: true }));
    expect(visible()).toEqual(['fc1.bias', 'fc2.bias', 'fc3.bias']);
    expect(changes.at(-1)).toMatchObject({ filter: 'bias' });
    root.querySelector('vscode-tree')!.dispatchEvent(new CustomEvent('vsc-tree-select', { detail: [root.querySelector('vscode-tree-item[data-module="fc3"]')] }));
    expect(visible()).toEqual(['fc3.bias']);
  });

  it('a row opens the full histogram and every statistic; with the model and the initial checkpoint, side by side', () => {
    const { root, cell } = mount({ model, drift });
    expect(Number(cell('fc1.weight', 'stdRatio').dataset.value)).toBe(model.tensors['fc1.weight']!.stdRatio);
    expect(Number(cell('fc1.weight', 'drift').dataset.value)).toBe(drift.relative['fc1.weight']);
    expect(cell('fc1.weight', 'theoryStd').title).toMatch(/^kaiming_normal_/);
    // The comparisons sit next to the std.
    const headers = [...root.querySelectorAll('table.tensors thead th')].map((th) => th.textContent);
    expect(headers.slice(0, 9)).toEqual(['tensor', 'shape', 'dtype', 'mean', 'std', 'std at init', 'std ÷ init', 'std θ₀', 'drift']);
    (root.querySelector('tr[data-name="fc1.weight"]') as HTMLElement).click();
    const section = root.querySelector('.detail section.param[data-name="fc1.weight"]')!;
    const bars = [...section.querySelectorAll('svg.histogram')][0]!.querySelectorAll('rect.bar');
    expect([...bars].reduce((n, b) => n + Number(b.getAttribute('data-count')), 0)).toBe(1024);
    expect(section.querySelectorAll('svg.histogram')).toHaveLength(2);
    expect(Number(section.querySelector<HTMLElement>('td[data-stat="initial.std"]')!.dataset.value)).toBe(drift.initial['fc1.weight']!.std);
    expect(section.querySelector('td[data-stat="initializer"]')!.textContent).toMatch(/kaiming_normal_/);
  });

  it('draws std ÷ std at init and the drift through depth', () => {
    const charts = depthCharts(report, model, drift)!;
    const points = [...charts.querySelectorAll('.ratio-chart circle.point')].map((c) => c.getAttribute('data-layer'));
    expect(points).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
    // The biases started at zero: their relative drift is undefined and left out.
    expect([...charts.querySelectorAll('.drift-chart circle.point')].map((c) => c.getAttribute('data-layer'))).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight']);
    expect(depthCharts(report, undefined, undefined)).toBeNull();
  });
});
