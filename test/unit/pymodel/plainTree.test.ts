/**
 * The plain copy of the syntax tree must be the tree tree-sitter built: every
 * named node with its type, range, field and named children, for every file
 * of the corpus, the article, and a file with syntax errors.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { plainTree, type PlainNode } from '../../../pymodel/plainTree';
import { articleBlocks, loadParser, readPythonFixture } from './helpers';

interface Shape { type: string; start: number; end: number; field: string | null; error: boolean; children: Shape[] }

function fromTreeSitter(n: Node, field: string | null): Shape {
  const children: Shape[] = [];
  for (const c of n.namedChildren) {
    if (!c) continue;
    // The child's field, as tree-sitter reports it for its position among all children.
    const index = n.children.findIndex((x) => x?.id === c.id);
    children.push(fromTreeSitter(c, n.fieldNameForChild(index)));
  }
  return { type: n.type, start: n.startIndex, end: n.endIndex, field, error: n.hasError, children };
}

function fromPlain(n: PlainNode): Shape {
  return { type: n.type, start: n.startIndex, end: n.endIndex, field: n.field, error: n.hasError, children: n.namedChildren.map(fromPlain) };
}

const corpus = readdirSync(fileURLToPath(new URL('../../fixtures/python/corpus/', import.meta.url))).filter((f) => f.endsWith('.py'));
const sources: [string, string][] = [
  ...corpus.map((f) => [f, readPythonFixture(`corpus/${f}`)] as [string, string]),
  ['article', articleBlocks().join('\n')],
  ['syntax errors', 'import torch.nn as nn\nclass M(nn.Module:\n    def f(self, x):\n        return x +\n'],
];

describe('plainTree', () => {
  it.each(sources)('%s: same named nodes, ranges, fields and errors as tree-sitter', async (_name, text) => {
    const parser = await loadParser();
    const tree = parser.parse(text);
    const expected = fromTreeSitter(tree.rootNode, null);
    const actual = fromPlain(plainTree(tree, text));
    tree.delete();
    expect(actual).toEqual(expected);
  });

  it('anonymous tokens read as their text, and operators keep their field', async () => {
    const parser = await loadParser();
    const text = 'x = -a ** 2 + (b is not None)\n';
    const tree = parser.parse(text);
    const root = plainTree(tree, text);
    tree.delete();
    const sum = root.descendantsOfType('binary_operator').find((n) => n.text.startsWith('-a'))!;
    expect(sum.childForFieldName('operator')?.text).toBe('+');
    const cmp = root.descendantsOfType('comparison_operator')[0]!;
    expect(cmp.children.filter((c) => !c.isNamed).map((c) => c.text)).toEqual(['is not']);
    expect(root.descendantForIndex(text.indexOf('None') + 1).type).toBe('none');
  });
});
