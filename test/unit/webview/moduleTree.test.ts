// @vitest-environment jsdom
/** The module tree shared by the inspector and the side panel: data helpers and the side panel's structure. */
import { describe, expect, it } from 'vitest';
import type { ModelOverview } from '../../../protocol/messages';
import { findModule, inModule, isNested, modulesOf, prefixModules } from '../../../webview/moduleTree';
import { structure } from '../../../webview/sidebar/structure';
import { gptInspection, mlpInspection, tensor } from './fixtures';

describe('module tree helpers', () => {
  it('prefixModules nests dotted names and adds up parameters, not buffers', () => {
    const root = prefixModules([
      tensor('features.0.weight', [4, 3, 3, 3], 0, { module: { path: 'features.0', type: 'Conv2d' } }),
      tensor('features.1.running_mean', [4], 1, { kind: 'buffer' }),
      tensor('features.1.weight', [4], 2),
      tensor('head.weight', [10, 4], 3),
      tensor('cls_token', [1, 4], 4),
    ]);
    expect(root.parameterCount).toBe(108 + 4 + 40 + 4);
    expect(root.children.map((c) => [c.path, c.parameterCount])).toEqual([['features', 112], ['head', 40]]);
    expect(findModule(root, 'features.0')).toMatchObject({ name: '0', type: 'Conv2d', parameterCount: 108 });
    expect(findModule(root, 'features.1')).toMatchObject({ type: '', parameterCount: 4 });
    expect(findModule(root, 'features.2')).toBeUndefined();
    expect(isNested(root)).toBe(true);
    expect(isNested(prefixModules(mlpInspection().parameters))).toBe(false);
  });

  it('modulesOf takes the inspection tree, with the model count (a tied tensor once) at the root', () => {
    const inspection = gptInspection();
    const root = modulesOf(inspection);
    expect(root.parameterCount).toBe(inspection.parameterCount);
    expect(inspection.modules!.parameterCount).toBe(inspection.parameterCount + 400); // unchanged
    expect(root.children.map((c) => c.name)).toEqual(['wte', 'blocks', 'ln_f', 'lm_head']);
  });

  it('inModule matches the module path on a dot boundary, and aliases', () => {
    expect(inModule({ name: 'blocks.1.attn.c_attn.weight' }, 'blocks.1')).toBe(true);
    expect(inModule({ name: 'blocks.10.attn.c_attn.weight' }, 'blocks.1')).toBe(false);
    expect(inModule({ name: 'wte.weight', aliases: ['lm_head.weight'] }, 'lm_head')).toBe(true);
    expect(inModule({ name: 'anything' }, '')).toBe(true);
  });
});

describe('side panel structure', () => {
  const overview = (modules?: ModelOverview['modules']): ModelOverview => ({
    model: { uri: 'file:///m.nn.json', name: 'TinyGPT' },
    parameterCount: 1464,
    layers: [{ label: 'fc1: Linear(10 → 100)', parameters: 1100 }, { label: '1: ReLU', parameters: 0 }],
    ...(modules ? { modules } : {}),
    problems: { errors: 0, warnings: 0 },
  });

  it('shows a nested model as its module tree with parameter counts', () => {
    const inspection = gptInspection();
    const el = structure(overview({ ...inspection.modules!, parameterCount: inspection.parameterCount }));
    expect(el.querySelector('ol.layers')).toBeNull();
    const items = [...el.querySelectorAll<HTMLElement>('vscode-tree-item')];
    expect(items).toHaveLength(1 + 4 + 2 * 8); // the root, its 4 children, 8 modules per block
    expect(items[0]!.querySelector('.module-name')!.textContent).toBe('TinyGPT');
    expect(items[0]!.querySelector('[slot="decoration"]')!.textContent).toBe('1,464');
    const block = el.querySelector<HTMLElement>('vscode-tree-item[data-module="blocks.0"]')!;
    expect(block.getAttribute('aria-label')).toBe('0: Block, 528 parameters');
  });

  it('keeps the list of layers for a flat model', () => {
    const flat = structure(overview(prefixModules(mlpInspection().parameters)));
    expect(flat.tagName).toBe('OL');
    expect([...flat.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['fc1: Linear(10 → 100) 1,100', '1: ReLU']);
    expect(structure(overview()).tagName).toBe('OL');
  });
});
