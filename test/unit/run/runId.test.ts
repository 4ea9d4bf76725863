import { describe, expect, it } from 'vitest';
import { compareRuns, isPlainRunId, newRunId } from '../../../engine/run/runId';

const now = new Date('2026-11-27T14:30:15.123Z');

describe('run ids', () => {
  it('start with the time, then the model name', () => {
    expect(newRunId(now, 'SimpleModel')).toBe('2026-11-27T14-30-15-123Z-SimpleModel');
    expect(newRunId(now, 'my model/v2')).toBe('2026-11-27T14-30-15-123Z-mymodelv2');
  });

  it('keep the variants of a comparison apart even when the name is cut', () => {
    const long = 'AVeryLongModelNameThatGoesOnAndOn';
    const ids = [0, 1, 2, 3, 4].map((i) => newRunId(now, long, i));
    expect(new Set(ids).size).toBe(5);
    expect(ids[3]).toBe('2026-11-27T14-30-15-123Z-AVeryLongModelNameThatGo-3');
  });
});

describe('run ids name one folder inside the runs folder', () => {
  it('accepts the ids Weightscope and the PyTorch recorder make, and other plain folder names', () => {
    expect(isPlainRunId(newRunId(now, 'SimpleModel'))).toBe(true);
    expect(isPlainRunId(newRunId(now, 'my model/v2', 3))).toBe(true);
    for (const id of ['run', 'run.1', 'my run', 'run_2', 'éxpérience-1', 'a..b']) expect(isPlainRunId(id), id).toBe(true);
  });

  it('refuses ids that lead elsewhere or that a file system treats specially', () => {
    const refused = [
      '', '.', '..', '../../projects', '../x', 'a/b', 'a\\b', '..\\..\\projects', '/etc', 'C:', 'C:\\x', 'run:stream',
      'x\u0000', 'line\nbreak', 'tab\t', '\u007f', 'trailing.', 'trailing ', 'NUL', 'con.txt', 'x'.repeat(256),
    ];
    for (const id of refused) expect(isPlainRunId(id), JSON.stringify(id)).toBe(false);
    expect(isPlainRunId(3 as unknown as string)).toBe(false);
  });
});

describe('the order runs are listed in', () => {
  const run = (createdAt: string, id: string) => ({ createdAt, id });

  it('is newest first', () => {
    const older = run('2026-11-27T10:00:00.000Z', 'b');
    const newer = run('2026-11-27T11:00:00.000Z', 'a');
    expect([older, newer].sort(compareRuns)).toEqual([newer, older]);
  });

  it("keeps a comparison's variants in the order they were started, whatever order they are read in", () => {
    const t = now.toISOString();
    const variants = Array.from({ length: 12 }, (_, i) => run(t, newRunId(now, 'SimpleModel', i)));
    const shuffled = [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4].map((i) => variants[i]!);
    // By variant index, not by string: -10 and -11 come after -9.
    expect(shuffled.sort(compareRuns).map((r) => r.id.split('-').at(-1))).toEqual(variants.map((_, i) => String(i)));
  });
});
