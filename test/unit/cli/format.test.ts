import { describe, expect, it } from 'vitest';
import { formatDiagnostic, lineColumn, lineStarts } from '../../../cli/format';

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
    const line = formatDiagnostic('m.nn.json', lineStarts(text), { severity: 'warning', code: 'unknown-key', message: 'Unknown key "x".', range: { start: 4, end: 7 } });
    expect(line).toBe('m.nn.json:2:3: warning unknown-key Unknown key "x".');
  });
});
