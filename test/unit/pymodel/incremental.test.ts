/** Incremental parsing: edits applied to the previous tree give the same model as a fresh parse. */
import { describe, expect, it } from 'vitest';
import { requireChain } from '../../../engine/model/spec';
import { PythonDocument, resolvePython, type TextChange } from '../../../pymodel';
import { articleBlocks, loadParser } from './helpers';

function apply(text: string, c: TextChange): string {
  return text.slice(0, c.start) + c.inserted + text.slice(c.start + c.deleted);
}

describe('PythonDocument', () => {
  it('follows a sequence of edits (including before multi-byte characters) and resolves as a fresh parse does', async () => {
    const parser = await loadParser();
    let text = articleBlocks()[2]!;
    const doc = new PythonDocument(parser, text);
    const edits: ((t: string) => TextChange)[] = [
      (t) => ({ start: t.indexOf('nn.Linear(100, 10)') + 'nn.Linear(100, '.length, deleted: 2, inserted: '64' }),
      (t) => ({ start: t.indexOf('nn.Linear(10, 1)') + 'nn.Linear('.length, deleted: 2, inserted: '64' }),
      (t) => ({ start: t.indexOf('x = self.fc2(x)'), deleted: 'x = self.fc2(x)'.length, inserted: 'x = self.relu(self.fc2(x))' }),
      (t) => ({ start: t.indexOf('BCELoss'), deleted: 'BCELoss'.length, inserted: 'BCEWithLogitsLoss' }),
      (t) => ({ start: t.indexOf('# 定义模型'), deleted: 0, inserted: '# 两层 →\n' }),
    ];
    for (const edit of edits) {
      const change = edit(text);
      text = apply(text, change);
      doc.update([change], text);
      const incremental = resolvePython(doc.currentTree, text);
      const fresh = parser.parse(text);
      const expected = resolvePython(fresh, text);
      fresh.delete();
      expect(incremental.models.map((m) => m.result.spec)).toEqual(expected.models.map((m) => m.result.spec));
      expect(incremental.diagnostics).toEqual(expected.diagnostics);
    }
    const spec = requireChain(resolvePython(doc.currentTree, text).models[0]!.result.spec!, 'the edited model');
    expect(spec.layers.map((l) => (l.type === 'Linear' ? `${l.inFeatures}→${l.outFeatures}` : l.type))).toEqual(['10→100', 'ReLU', '100→64', 'ReLU', '64→1']);
    expect(spec.loss?.type).toBe('BCEWithLogitsLoss');
    doc.dispose();
  });

  it('starts over when the edits it was given do not reproduce the editor’s text', async () => {
    const parser = await loadParser();
    const doc = new PythonDocument(parser, 'x = 1\n');
    const tree = doc.update([{ start: 0, deleted: 0, inserted: 'y' }], 'import torch.nn as nn\nm = nn.Sequential(nn.Linear(2, 1))\n');
    expect(tree.rootNode.hasError).toBe(false);
    expect(resolvePython(tree, doc.currentText).models.map((m) => m.name)).toEqual(['m']);
    doc.dispose();
  });
});
