// @vitest-environment jsdom
/** The training panel for deep models: the table of terms as a module tree, and the per-tensor charts of the selected tensor. */
import { describe, expect, it, vi } from 'vitest';
import { defaultOpen } from '../../../webview/training/moduleTable';
import { render, type Handlers } from '../../../webview/training/render';
import { GPT_PARAMETERS, gptRun, viewOf } from './trainingFixtures';

function handlers(): Handlers & { [K in keyof Handlers]: ReturnType<typeof vi.fn> } {
  return { post: vi.fn(), select: vi.fn(), scrub: vi.fn(), selectLayer: vi.fn(), toggleModule: vi.fn(), needStep: vi.fn(), pickCell: vi.fn(), setHeatRows: vi.fn() } as never;
}

const value = (row: Element, key: string): number => Number(row.querySelector(`td[data-key="${key}"]`)!.getAttribute('data-value'));

describe('the table of terms as a module tree', () => {
  const run = gptRun([1, 2, 3]);

  it('has a row per module with its roll-up and a row per tensor with its own numbers', () => {
    const el = render(viewOf(run, { follow: false, step: 2 }), handlers());
    const table = el.querySelector('#layer-table')!;
    expect(table.getAttribute('data-step')).toBe('2');
    const tensors = [...table.querySelectorAll('tr[data-layer]')].map((r) => r.getAttribute('data-layer'));
    expect(tensors).toEqual(GPT_PARAMETERS.map((p) => p.name)); // model order, every tensor in the DOM
    const modules = [...table.querySelectorAll('tr[data-module]')].map((r) => r.getAttribute('data-module'));
    expect(modules).toEqual(['', 'wte', 'h', 'h.0', 'h.0.ln', 'h.0.attn', 'h.0.attn.c_attn', 'h.0.mlp', 'h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.1', 'h.1.ln', 'h.1.attn', 'h.1.attn.c_attn', 'h.1.mlp', 'h.1.mlp.c_fc', 'h.1.mlp.c_proj', 'ln_f']);
    // h.0.attn.c_attn holds tensors 2 and 3: ‖θ‖ = √(3² + 4²) = 5, ‖Δθ‖ = 2e-3·√(3² + 4²), ratio 2e-3.
    const attn = table.querySelector('tr[data-module="h.0.attn.c_attn"]')!;
    expect(value(attn, 'weightNorm')).toBeCloseTo(5, 12);
    expect(value(attn, 'updateToWeight')).toBeCloseTo(2e-3, 12);
    // Tensor 2 decays half its update, tensor 3 none: share = ‖decay‖/(‖adam‖ + ‖decay‖) of the combined norms.
    const decay = 2e-3 * 3 / 2;
    const adam = Math.hypot(2e-3 * 3 / 2, 2e-3 * 4);
    expect(value(attn, 'decayShare')).toBeCloseTo(decay / (adam + decay), 12);
    expect(value(table.querySelector('tr[data-layer="h.0.attn.c_attn.bias"]')!, 'weightNorm')).toBe(4);
    expect(table.querySelector('tr[data-module=""] .module-name')!.textContent).toBe('GPT');
  });

  it('opens a small model fully and a deep one breadth first within the row budget', () => {
    expect(defaultOpen(GPT_PARAMETERS.slice(0, 1))).toEqual(new Set(['', 'wte']));
    const open = defaultOpen(GPT_PARAMETERS, 8);
    expect(open.has('')).toBe(true);
    expect(open.has('h')).toBe(true); // the root row, its 3 children, wte's tensor and h's 2 blocks: 7 rows
    expect(open.has('h.0')).toBe(false);
    const el = render(viewOf(run, { open: new Set(['', 'h']) }), handlers());
    const shown = [...el.querySelectorAll('#layer-table tbody tr:not([hidden])')].map((r) => r.getAttribute('data-module') ?? r.getAttribute('data-layer'));
    expect(shown).toEqual(['', 'wte', 'h', 'h.0', 'h.1', 'ln_f']);
  });

  it('a module row\'s toggle opens it; a tensor\'s name selects it', () => {
    const on = handlers();
    const el = render(viewOf(run, { open: new Set(['', 'h']) }), on);
    el.querySelector<HTMLButtonElement>('tr[data-module="h.0"] button.toggle')!.click();
    expect(on.toggleModule).toHaveBeenCalledWith('h.0', new Set(['', 'h', 'h.0']));
    el.querySelector<HTMLButtonElement>('tr[data-layer="ln_f.bias"] button.tensor-name')!.click();
    expect(on.selectLayer).toHaveBeenCalledWith('ln_f.bias');
  });

  it('the tensor where a NaN appeared is flagged, and its modules open', () => {
    const bad = gptRun([1, 2, 3]);
    const message = '`h.1.mlp.c_fc.weight` became NaN';
    (bad.summary.meta as { nonFinite?: unknown }).nonFinite = { step: 3, param: 'h.1.mlp.c_fc.weight', term: 'update', kind: 'NaN', message };
    const el = render(viewOf(bad), handlers());
    const row = el.querySelector('tr[data-layer="h.1.mlp.c_fc.weight"]')!;
    expect(row.classList.contains('non-finite')).toBe(true);
    expect(row.hasAttribute('hidden')).toBe(false);
  });

  it('with more than 12 tensors, the per-tensor charts draw the selected tensor only', () => {
    const el = render(viewOf(run, { layer: 'h.1.mlp.c_fc.weight' }), handlers());
    expect(el.querySelector('#charted-tensor')!.getAttribute('data-layer')).toBe('h.1.mlp.c_fc.weight');
    const ratio = [...el.querySelectorAll('section.charts figure')][1]!;
    expect([...ratio.querySelectorAll('.legend li')].map((li) => li.textContent)).toEqual(['h.1.mlp.c_fc.weight']);
    expect(el.querySelector('tr[data-layer="h.1.mlp.c_fc.weight"]')!.classList.contains('selected')).toBe(true);
    // A small model keeps every tensor's series.
    const small = gptRun([1, 2], GPT_PARAMETERS.slice(0, 3));
    const all = render(viewOf(small), handlers());
    expect(all.querySelector('#charted-tensor')).toBeNull();
    expect([...all.querySelectorAll('section.charts figure')][1]!.querySelectorAll('.legend li')).toHaveLength(3);
  });
});

describe('the layer × step heat map of ‖Δθ‖/‖θ‖', () => {
  it('has a row per tensor and a column per record, and a click picks the cell under the pointer', () => {
    const on = handlers();
    const run = gptRun([1, 2, 3, 4]);
    const el = render(viewOf(run, { follow: false, step: 2 }), on);
    document.body.replaceChildren(el);
    const canvas = el.querySelector<HTMLCanvasElement>('#ratio-heatmap')!;
    expect(Number(canvas.dataset.rows)).toBe(GPT_PARAMETERS.length);
    expect(Number(canvas.dataset.columns)).toBe(4);
    expect(canvas.dataset.columnSteps).toBe('1,2,3,4');
    expect(canvas.dataset.scrubbedColumn).toBe('1');
    const rowH = Number(canvas.dataset.rowHeight);
    const colW = Number(canvas.dataset.columnWidth);
    // jsdom lays nothing out: the canvas's box is at (0, 0).
    const at = (row: number, col: number) => ({ clientX: Number(canvas.dataset.left) + (col + 0.5) * colW, clientY: Number(canvas.dataset.top) + (row + 0.5) * rowH });
    canvas.dispatchEvent(new MouseEvent('mousemove', at(3, 2)));
    const readout = el.querySelector('#ratio-heatmap-cell')!;
    expect(readout.textContent).toBe(`${GPT_PARAMETERS[3]!.name} · step 3 · ‖Δθ‖/‖θ‖ = 0.003`);
    canvas.dispatchEvent(new MouseEvent('click', at(3, 2)));
    expect(on.pickCell).toHaveBeenCalledTimes(1);
    const [step, follow, row, open] = on.pickCell.mock.calls[0]!;
    expect([step, follow, row]).toEqual([3, false, { layer: 'h.0.attn.c_attn.bias' }]);
    expect([...(open as Set<string>)]).toEqual(expect.arrayContaining(['', 'h', 'h.0', 'h.0.attn', 'h.0.attn.c_attn']));
    canvas.dispatchEvent(new MouseEvent('click', at(-2, 0)));
    expect(on.pickCell).toHaveBeenCalledTimes(1); // above the plot: no cell
  });

  it('the keyboard moves a focus cell and Enter picks it; module rows pick modules', () => {
    const on = handlers();
    const run = gptRun([1, 2, 3]);
    const el = render(viewOf(run, { heatRows: 'module' }), on);
    document.body.replaceChildren(el);
    const canvas = el.querySelector<HTMLCanvasElement>('#ratio-heatmap')!;
    expect(Number(canvas.dataset.rows)).toBe(10); // wte, 4 modules of each block, ln_f
    canvas.focus();
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowLeft', 'Enter']) canvas.dispatchEvent(new KeyboardEvent('keydown', { key }));
    expect(on.pickCell.mock.calls[0]!.slice(0, 3)).toEqual([2, false, { module: 'h.0.attn.c_attn' }]);
  });

  it('says how steps share columns when there are more records than pixels', () => {
    const steps = Array.from({ length: 1200 }, (_, i) => i + 1);
    const el = render(viewOf(gptRun(steps)), handlers());
    const canvas = el.querySelector<HTMLCanvasElement>('#ratio-heatmap')!;
    expect(Number(canvas.dataset.columns)).toBeLessThanOrEqual(760);
    expect(Number(canvas.dataset.columns)).toBeGreaterThan(400);
    expect(canvas.dataset.scrubbedColumn).toBe(String(Number(canvas.dataset.columns) - 1));
    const legend = el.querySelector('#ratio-heatmap-legend')!.textContent!;
    expect(legend).toMatch(/1200 records in \d+ columns, 2–3 consecutive records each/);
    expect(legend).toContain('The run recorded all 1200 steps.');
  });
});
