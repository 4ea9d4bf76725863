import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../webview/inspector/table';

describe('CSV export of a chart table', () => {
  it('quotes per RFC 4180 and keeps numbers at full precision', () => {
    const rows = [{ name: 'fc1.weight', note: 'say "hi", twice', v: 0.1 + 0.2 }, { name: 'x', note: null, v: 1e-300 }];
    const csv = toCsv([
      { header: 'name', value: (r: (typeof rows)[number]) => r.name },
      { header: 'note', value: (r: (typeof rows)[number]) => r.note },
      { header: 'value', value: (r: (typeof rows)[number]) => r.v },
    ], rows);
    expect(csv).toBe('name,note,value\nfc1.weight,"say ""hi"", twice",0.30000000000000004\nx,,1e-300\n');
  });
});
