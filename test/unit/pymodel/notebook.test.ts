/** Notebooks: the code cells in order are one Python file; offsets map back to cells; magics are blanked, not parsed. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPythonModel } from '../../../cli/pythonModel';
import { modelTree } from '../../../engine/model/moduleTree';
import { namedParameters, tensorEntries } from '../../../engine/modules/tree';
import { cellAt, combineCells, readIpynb } from '../../../pymodel/notebook';

const EXAMPLE = new URL('../../../examples/notebooks/mnist_cnn.ipynb', import.meta.url);

describe('notebooks as Python sources', () => {
  const cells = readIpynb(readFileSync(EXAMPLE, 'utf8'));
  const source = combineCells(cells);

  it('reads the cells of an .ipynb and joins the code cells, keeping each cell\'s offsets', () => {
    expect(cells.map((c) => c.kind)).toEqual(['markdown', 'code', 'code', 'markdown', 'code', 'code', 'code']);
    expect(source.cells.map((c) => c.index)).toEqual([1, 2, 4, 5, 6]);
    for (const span of source.cells) expect(source.text.slice(span.start, span.end).length).toBe(cells[span.index]!.text.length);
    // Magics and shell lines are blanked (same length), Python is kept as written.
    expect(source.text).not.toMatch(/%matplotlib|!pip|%%time/);
    expect(source.text).toContain('import torch.nn as nn');
    const classAt = source.text.indexOf('class Net(');
    expect(cellAt(source, classAt)).toEqual({ index: 4, offset: 0 });
    expect(cellAt(source, source.text.indexOf('model = Net()'))).toEqual({ index: 6, offset: 0 });
  });

  it('reads the model defined across cells (a config dataclass in one, the class in another) as torch builds it', async () => {
    const read = await readPythonModel(source.text, undefined);
    expect(read.problem).toBeUndefined();
    expect(read.name).toBe('Net');
    const tree = modelTree(read.spec!);
    // state_dict and parameter count of Net() in torch 1.13.
    expect(tensorEntries(tree.root, tree.ties).map((e) => `${e.name} ${e.decl.shape.join('x')}`)).toEqual([
      'conv1.weight 32x1x3x3', 'conv1.bias 32', 'conv2.weight 64x32x3x3', 'conv2.bias 64',
      'fc1.weight 128x9216', 'fc1.bias 128', 'fc2.weight 10x128', 'fc2.bias 10',
    ]);
    expect(namedParameters(tree.root, tree.ties).reduce((n, p) => n + p.decl.shape.reduce((a, b) => a * b, 1), 0)).toBe(1_199_882);
    // Nothing about the blanked magics: no syntax error anywhere.
    expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('puts a syntax error in its cell', async () => {
    const broken = combineCells([
      { kind: 'code', text: 'import torch.nn as nn' },
      { kind: 'code', text: 'class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 3) +* 2\n' },
    ]);
    const read = await readPythonModel(broken.text, undefined);
    const error = read.diagnostics.find((d) => d.severity === 'error');
    expect(error).toBeDefined();
    expect(cellAt(broken, error!.range.start)?.index).toBe(1);
  });

  it('skips code cells in another language, and a whole %%cell magic', () => {
    const combined = combineCells([
      { kind: 'code', text: 'a = 1', language: 'python' },
      { kind: 'code', text: 'SELECT 1', language: 'sql' },
      { kind: 'code', text: '\n%%bash\necho hi' },
    ]);
    expect(combined.cells.map((c) => c.index)).toEqual([0, 2]);
    expect(combined.text.trim()).toBe('a = 1');
  });

  it('says what is wrong with a file that is not a notebook', () => {
    expect(() => readIpynb('{')).toThrow(/not a notebook: the file is not JSON/);
    expect(() => readIpynb('[]')).toThrow(/not a JSON object/);
    expect(() => readIpynb('{"nbformat": 4}')).toThrow(/no "cells" list/);
    expect(() => readIpynb('{"cells": [{"cell_type": "code", "source": 3}]}')).toThrow(/source of cell 1 is not text/);
    // nbformat 3 keeps cells in worksheets, with `input` for code.
    expect(readIpynb('{"worksheets": [{"cells": [{"cell_type": "code", "input": ["x = 1\\n", "y = 2"]}]}]}')).toEqual([{ kind: 'code', text: 'x = 1\ny = 2' }]);
  });
});
