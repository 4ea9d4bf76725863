/** The worker's checkpoint handlers: a file on disk or bytes, progress, cancellation, models matched. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPythonModel } from '../../../cli/pythonModel';
import { CANCELLED_IN_WORKER, type CheckpointProgress } from '../../../protocol/messages';
import { checkpointModels, readCheckpoint, readCheckpointDrift } from '../../../worker/checkpoint';
import { FIXTURES } from '../checkpoint/fixtures';

function context(cancelAfter = Infinity) {
  const reports: CheckpointProgress[] = [];
  return { reports, ctx: { progress: (p: CheckpointProgress) => reports.push(p), cancelled: () => reports.length >= cancelAfter, yieldToEvents: () => Promise.resolve() } };
}

const onDisk = (rel: string) => ({ path: path.join(FIXTURES, rel), name: path.basename(rel), root: FIXTURES });

describe('worker: checkpoints', () => {
  it('reads a file on disk and the same file as bytes alike, reporting the last tensor', async () => {
    const { reports, ctx } = context();
    const fromDisk = await readCheckpoint({ file: onDisk('trained/trained.pt'), bins: 8 }, ctx);
    const fromBytes = await readCheckpoint({ file: { bytes: new Uint8Array(readFileSync(path.join(FIXTURES, 'trained/trained.pt'))), name: 'trained.pt' }, bins: 8 }, context().ctx);
    expect(fromDisk.tensors).toEqual(fromBytes.tensors);
    expect(reports.at(-1)).toEqual({ done: 6, total: 6, name: 'fc3.bias' });
  });

  it('stops when cancelled, with the error name the client treats as a cancel', async () => {
    // Every report yields here (the pacing lets the last one through, and a cancel is checked before each tensor).
    const { ctx } = context(0);
    const cancelled = { ...ctx, cancelled: () => true };
    await expect(readCheckpoint({ file: onDisk('trained/trained.pt'), bins: 8 }, cancelled)).rejects.toMatchObject({ name: CANCELLED_IN_WORKER });
  });

  it('says what is wrong with a corrupt file, and refuses shards of bytes in memory', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, 'trained/trained.pt'))).subarray(0, 500);
    await expect(readCheckpoint({ file: { bytes, name: 'cut.pt' }, bins: 8 }, context().ctx)).rejects.toThrow(/^cut\.pt: /);
    const index = new Uint8Array(readFileSync(path.join(FIXTURES, 'sharded/model.safetensors.index.json')));
    await expect(readCheckpoint({ file: { bytes: index, name: 'model.safetensors.index.json' }, bins: 8 }, context().ctx)).rejects.toThrow(/local folders only/);
  });

  it('measures the drift between two files and matches the workspace model', async () => {
    const drift = await readCheckpointDrift({ file: onDisk('trained/trained.pt'), initial: onDisk('trained/initial.pt'), bins: 8 }, context().ctx);
    expect(drift.relative['fc2.weight']).toBeGreaterThan(0.1);
    const report = await readCheckpoint({ file: onDisk('trained/trained.pt'), bins: 8 }, context().ctx);
    const file = path.join(FIXTURES, 'trained/mlp.py');
    const spec = (await readPythonModel(readFileSync(file, 'utf8'), undefined, { file })).spec!;
    const [match] = checkpointModels({ tensors: report.tensors, models: [{ uri: 'file:///mlp.py#TinyMLP', name: 'TinyMLP', spec }] });
    expect(match!.problems).toEqual([]);
    expect(match!.comparison!.tensors['fc1.weight']!.theoryStd).toBeCloseTo(Math.sqrt(2 / 16), 15);
    const other = await readCheckpoint({ file: onDisk('ddp.pth'), bins: 8 }, context().ctx);
    const [miss] = checkpointModels({ tensors: other.tensors, models: [{ uri: 'file:///mlp.py#TinyMLP', name: 'TinyMLP', spec }] });
    expect(miss!.comparison).toBeUndefined();
    expect(miss!.problems.length).toBeGreaterThan(0);
  });
});
