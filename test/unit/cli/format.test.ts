import { describe, expect, it } from 'vitest';
import { formatDiagnostic, lineColumn, lineStarts, notebookLocator, textLocator } from '../../../cli/format';
import { combineCells } from '../../../pymodel/notebook';

describe('cli diagnostic format', () => {
  it('maps offsets to 1-based line and column', () => {
    const starts = lineStarts('ab\ncde\n\nf');
    expect(lineColumn(starts, 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn(starts, 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn(starts, 7)).toEqual({ line: 3, column: 1 });
    expect(lineColumn(starts, 8)).toEqual({ line: 4, column: 1 });
  });

  it('prints file:line:col: severity code message', () => {
    const text = '{\n  "x": 1\n}';
    const line = formatDiagnostic('m.nn.json', textLocator(text), { severity: 'warning', code: 'unknown-key', message: 'Unknown key "x".', range: { start: 4, end: 7 } });
    expect(line).toBe('m.nn.json:2:3: warning unknown-key Unknown key "x".');
  });

  it('tells a notebook position by cell (from 1, as Jupyter numbers them) and line in the cell', () => {
    const source = combineCells([
      { kind: 'markdown', text: '# title' },
      { kind: 'code', text: 'import torch\nx = 1' },
      { kind: 'code', text: 'a\nbad line' },
    ]);
    const at = source.text.indexOf('bad');
    expect(formatDiagnostic('m.ipynb', notebookLocator(source), { severity: 'error', code: 'py-syntax', message: 'm', range: { start: at, end: at + 3 } }))
      .toBe('m.ipynb:cell 3:2:1: error py-syntax m');
  });
});
