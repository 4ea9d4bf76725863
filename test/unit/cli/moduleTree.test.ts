/** `weightscope init`'s module tree: indentation, classes, counts in a column, runs of identical blocks folded. */
import { describe, expect, it } from 'vitest';
import { hasNestedModules, moduleTreeLines } from '../../../cli/moduleTree';
import type { ModuleSummary } from '../../../engine/inspect/types';
import { inspectInitialization } from '../../../engine/inspect/inspectInit';
import { parseModelFile } from '../../../engine/model';

const m = (name: string, path: string, type: string, parameterCount: number, children: ModuleSummary[] = []): ModuleSummary => ({ name, path, type, parameterCount, children });
const block = (i: number, width = 4): ModuleSummary => m(String(i), `h.${i}`, 'Block', width * width + width, [
  m('fc', `h.${i}.fc`, 'Linear', width * width + width),
  m('act', `h.${i}.act`, 'GELU', 0),
]);

describe('weightscope init: module tree', () => {
  it('indents by depth, names the class and right-aligns the counts with thousands separators', () => {
    const root = m('', '', 'Net', 1_234_567, [m('embed', 'embed', 'Embedding', 1_234_547), m('body', 'body', 'Sequential', 20, [block(0)])]);
    expect(moduleTreeLines(root, 'Net')).toEqual([
      'Net                 1,234,567',
      '  embed: Embedding  1,234,547',
      '  body: Sequential         20',
      '    0: Block               20',
      '      fc: Linear           20',
      '      act: GELU             0',
    ]);
  });

  it('prints the first of three or more identical siblings and folds the rest into one line', () => {
    const root = m('', '', 'GPT', 100, [m('h', 'h', 'ModuleList', 80, [block(0), block(1), block(2), block(3)]), m('head', 'head', 'Linear', 20)]);
    const lines = moduleTreeLines(root, 'GPT').map((l) => l.trimEnd());
    expect(lines.map((l) => l.replace(/\s+[\d,]+$/, ''))).toEqual([
      'GPT', '  h: ModuleList', '    0: Block', '      fc: Linear', '      act: GELU', '    1…3: Block ×3, same as 0', '  head: Linear',
    ]);
    expect(lines[5]).toMatch(/ 60$/);
    // Two alike are printed in full; different blocks are never folded.
    const blocks = (lines: string[]): string[] => lines.map((l) => l.trim().replace(/\s+[\d,]+$/, '')).filter((l) => l.includes('Block'));
    expect(blocks(moduleTreeLines(m('', '', 'M', 40, [block(0), block(1)]), 'M'))).toEqual(['0: Block', '1: Block']);
    expect(blocks(moduleTreeLines(m('', '', 'M', 40, [block(0), block(1, 5), block(2)]), 'M'))).toEqual(['0: Block', '1: Block', '2: Block']);
  });

  it('prints a tree only for nested modules, from the engine inspection of a model file', () => {
    const nested = JSON.stringify({
      version: 1, name: 'Tiny', class: 'Tiny',
      layers: [
        { type: 'ModuleList', name: 'h', layers: [0, 1, 2].map(() => ({ type: 'Module', class: 'Block', modules: { fc: { type: 'Linear', in_features: 4, out_features: 4 }, act: { type: 'GELU' } } })) },
        { type: 'Linear', name: 'head', in_features: 4, out_features: 2 },
      ],
    });
    const spec = parseModelFile('tiny.nn.json', nested).spec!;
    const inspection = inspectInitialization(spec, { bins: 8 });
    expect(hasNestedModules(inspection.modules!)).toBe(true);
    const lines = moduleTreeLines(inspection.modules!, inspection.modelName).map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toEqual(['Tiny 70', 'h: ModuleList 60', '0: Block 20', 'fc: Linear 20', 'act: GELU 0', '1…2: Block ×2, same as 0 40', 'head: Linear 10']);

    const flat = parseModelFile('flat.nn.json', JSON.stringify({ version: 1, input: 3, layers: [{ type: 'Linear', out_features: 2 }, { type: 'ReLU' }] })).spec!;
    expect(hasNestedModules(inspectInitialization(flat, { bins: 8 }).modules!)).toBe(false);
  });
});
