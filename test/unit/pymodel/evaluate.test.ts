/** The literal evaluator: what it computes, and the node it stops at for anything else. */
import { describe, expect, it } from 'vitest';
import { evaluate, type PyValue, type Scope } from '../../../pymodel/evaluate';
import { Imports } from '../../../pymodel/imports';
import { plainTree } from '../../../pymodel/plainTree';
import { loadParser } from './helpers';

async function evalExpr(source: string, values: Record<string, PyValue> = {}): Promise<ReturnType<typeof evaluate> & { text?: string }> {
  const parser = await loadParser();
  const text = `import math\nimport numpy as np\nfrom torch import nn\n_ = ${source}\n`;
  const tree = parser.parse(text);
  const root = plainTree(tree, text);
  tree.delete();
  const statement = root.namedChildren.at(-1)!;
  const right = statement.namedChild(0)!.childForFieldName('right')!;
  const scope: Scope = { imports: Imports.read(root), lookup: (n) => values[n] };
  const result = evaluate(right, scope);
  return result.ok ? result : { ...result, text: result.node.text };
}

describe('evaluate', () => {
  it.each([
    ['28 * 28', 784],
    ['2 ** 6 + 1_000', 1064],
    ['7 // 2 + 7 % 3 - -1', 5],
    ['1e-2', 0.01],
    ['1 / math.sqrt(4)', 0.5],
    ['np.sqrt(2.0 / (300 + 100))', Math.sqrt(2 / 400)],
    ['int(HIDDEN / 3)', 170],
    ['HIDDEN // 2 if HIDDEN > 100 else 1', 256],
    ['sizes[-1]', 10],
    ['sizes[1:]', [256, 10]],
    ['len(sizes) - 1', 2],
    ['list(range(1, 7, 2))', [1, 3, 5]],
    ['[s * 2 for s in sizes if s > 100]', [1568, 512]],
    ['(64,)', [64]],
    ['max(sizes)', 784],
    ["'bias' in 'fc1.bias'", true],
    ["'fc1.bias'.endswith(('bias', 'norm'))", true],
    ['any(x > 500 for x in sizes)', true],
    ["nn.init.calculate_gain('leaky_relu', 0.2)", Math.sqrt(2 / (1 + 0.2 ** 2))],
    ['round(2.5) + round(3.5)', 6],
    ['math.pi', Math.PI],
  ])('%s = %j', async (source, expected) => {
    const r = await evalExpr(source, { HIDDEN: 512, sizes: [784, 256, 10] });
    expect(r.ok && r.value).toEqual(expected);
  });

  it.each([
    ['input_dim * 2', 'input_dim'],
    ['torch.randn(3)', 'torch.randn(3)'],
    ['f"{x}"', 'f"{x}"'],
    ['1 / 0', '1 / 0'],
    ['sizes[5]', '5'],
    ['x.shape[0]', 'x.shape'],
  ])('%s stops at %s', async (source, node) => {
    const r = await evalExpr(source, { sizes: [1, 2] });
    expect(r.ok).toBe(false);
    expect(r.text).toBe(node);
  });
});
