import { describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { open } from 'node:fs/promises';
import { parseModelText, requireChain } from '../../../engine/model';
import {
  bytesSource, encodeRunMeta, extendIndex, lookUpStep, parseRun, parseSteps, readStepsStream, RecordingPolicy, runMetaFor, StepIndex, thinnedSteps, TrainingRun, type ByteSource,
} from '../../../engine/run';
import { readRunFolder } from '../../../cli/runFiles';
import { fileSource } from '../../../host/fileSource';

const MODEL = '{"input": 4, "layers": [{"name": "fc1", "type": "Linear", "out_features": 8}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "loss": "MSELoss", "optimizer": {"type": "AdamW", "lr": 0.01}, "seed": 3}';
const spec = requireChain(parseModelText(MODEL, 'json', 'm').spec!, 'test');
const meta = runMetaFor(spec, { id: 'r', steps: 1500, createdAt: '2026-01-01T00:00:00.000Z' });

/** A version 2 run's lines: full records for the first 20 steps and log-spaced after, a loss line for every other step. */
function recorded(steps: number): string {
  const run = new TrainingRun(spec, { steps, validationSplit: 0.2, validationEvery: 7 });
  const policy = new RecordingPolicy({ denseSteps: 20, plannedSteps: steps });
  let text = '';
  while (!run.done) {
    const a = run.advance();
    text += policy.linesFor(a, run.done).text;
  }
  return text;
}
const text = recorded(1500);
const bytes = new TextEncoder().encode(text);

describe('reading steps.jsonl as a stream', () => {
  it('gives what parsing the whole text gives, whatever the chunk size (lines split across reads)', async () => {
    const whole = parseSteps(text);
    expect(whole.steps.length).toBeGreaterThan(20);
    expect(whole.losses.length).toBeGreaterThan(1000);
    expect(whole.losses.some((l) => l.valLoss !== null)).toBe(true);
    for (const chunkBytes of [7, 100, 4096, 1 << 20]) {
      expect(await readStepsStream([bytesSource(bytes)], { chunkBytes })).toEqual(whole);
    }
  });

  it('a thinned read keeps the run\'s last step, also when it is a loss line', async () => {
    const done = { ...meta, status: 'completed' as const, stepsDone: 1500 };
    const cut = text.slice(0, text.indexOf('[1437,')) + text.slice(text.indexOf('[1437,')).split('\n')[0] + '\n'; // ends with step 1437's loss
    for (const read of [parseSteps(cut, { keep: thinnedSteps(done, 50), keepLoss: thinnedSteps(done, 50) }), await readStepsStream([bytesSource(new TextEncoder().encode(cut))], { keep: thinnedSteps(done, 50), keepLoss: thinnedSteps(done, 50) })]) {
      expect(read.losses.at(-1)!.step).toBe(1437);
      expect(read.losses.length).toBeLessThan(60);
      expect(read.warnings).toEqual([]);
    }
  });

  it('thinned, torn, damaged and in segments, as the string reader', async () => {
    const torn = `${text.slice(0, 200)}\n  \nnot json\n${text.slice(200)}{"type":"step","step":1501,"lo`;
    const keepOf = () => ({ keep: thinnedSteps({ ...meta, status: 'completed', stepsDone: 1500 }, 50), keepLoss: thinnedSteps({ ...meta, status: 'completed', stepsDone: 1500 }, 50) });
    const expected = parseSteps(torn, keepOf());
    expect(expected.warnings).toHaveLength(4); // both halves of the cut line, "not json", the torn end
    expect(await readStepsStream([bytesSource(new TextEncoder().encode(torn))], { ...keepOf(), chunkBytes: 33 })).toEqual(expected);
    // Two segments read one after the other are the run parseRun reads from their texts.
    const cut = text.indexOf('\n', text.length >> 1) + 1;
    const parts = [text.slice(0, cut), text.slice(cut)];
    const joined = parseRun(encodeRunMeta(meta), parts);
    const streamed = await readStepsStream(parts.map((p) => bytesSource(new TextEncoder().encode(p))), { chunkBytes: 64 });
    expect({ steps: streamed.steps, losses: streamed.losses, snapshots: streamed.snapshots }).toEqual({ steps: joined.steps, losses: joined.losses, snapshots: joined.snapshots });
  });

  it('indexes every full record and finds any step by one read: its own record, or the nearest kept one and its loss', async () => {
    const whole = parseSteps(text);
    const index = new StepIndex();
    const reads: number[] = [];
    const counting: ByteSource = { size: bytes.length, read: (o, l) => (reads.push(l), Promise.resolve(bytes.subarray(o, o + l))) };
    await readStepsStream([counting], { index, keep: () => false, keepLoss: () => false });
    expect(index.size).toBe(whole.steps.length);
    for (const s of [whole.steps[0]!, whole.steps[25]!, whole.steps.at(-1)!]) {
      reads.length = 0;
      const found = await lookUpStep([counting], index, s.step);
      expect(found).toEqual({ record: s, exact: true });
      expect(reads).toEqual([reads[0]]); // one read, of one line
    }
    const kept = new Set(whole.steps.map((s) => s.step));
    const missing = whole.losses.filter((l) => !kept.has(l.step));
    for (const l of [missing[0]!, missing[300]!, missing.at(-1)!]) {
      const found = await lookUpStep([counting], index, l.step);
      expect(found.exact).toBe(false);
      expect(found.loss).toEqual(l);
      const nearest = whole.steps.reduce((a, b) => (Math.abs(b.step - l.step) < Math.abs(a.step - l.step) ? b : a));
      expect(Math.abs(found.record!.step - l.step)).toBe(Math.abs(nearest.step - l.step));
    }
  });

  it('extends the index of a growing run by the lines added since, a line being written included once complete', async () => {
    const whole = parseSteps(text);
    const cut = text.lastIndexOf('{"type":"step"', text.length >> 1) + 30; // mid-line
    const grown = new StepIndex();
    await readStepsStream([bytesSource(bytes.subarray(0, cut))], { index: grown, keep: () => false, keepLoss: () => false });
    const before = grown.size;
    await extendIndex([bytesSource(bytes)], grown);
    expect(grown.size).toBeGreaterThan(before);
    expect(grown.size).toBe(whole.steps.length);
    for (const s of whole.steps) expect((await lookUpStep([bytesSource(bytes)], grown, s.step)).record).toEqual(s);
    const last = whole.losses.at(-1)!;
    expect((await lookUpStep([bytesSource(bytes)], grown, last.step)).loss).toEqual(last);
  });

  it('reads a steps.jsonl larger than the longest string V8 can make (~512 MB), and scrubs it by the index', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ws-big-run-'));
    try {
      // A full record padded to ~32 KB with 100 copies of a layer, repeated with increasing steps: ~560 MB.
      const one = parseSteps(text).steps[3]!;
      const layer = Object.values(one.layers)[0]!;
      const layers = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`block${i}.weight`, layer]));
      const tail = JSON.stringify({ ...one, layers }).replace(/^\{"step":\d+,/, '');
      const steps = Math.ceil((560 * 1024 * 1024) / tail.length);
      const file = path.join(dir, 'steps.jsonl');
      const tailBytes = Buffer.from(`${tail}\n`);
      const batch = Buffer.alloc(16 << 20);
      let used = 0;
      const fd = openSync(file, 'w');
      for (let t = 1; t <= steps; t++) {
        if (used + tailBytes.length + 64 > batch.length) {
          writeSync(fd, batch, 0, used);
          used = 0;
        }
        used += batch.write(`{"type":"step","step":${t},`, used, 'latin1');
        used += tailBytes.copy(batch, used);
      }
      writeSync(fd, batch, 0, used);
      closeSync(fd);
      expect(statSync(file).size).toBeGreaterThan(2 ** 29);
      writeFileSync(path.join(dir, 'run.json'), encodeRunMeta({ ...runMetaFor(spec, { id: 'big', steps, createdAt: '2026-01-01T00:00:00.000Z' }), status: 'completed', stepsDone: steps }));
      const index = new StepIndex();
      const doneMeta = { ...meta, status: 'completed' as const, stepsDone: steps };
      const run = await readRunFolder(dir, { keep: thinnedSteps(doneMeta, 200), index });
      expect(run.warnings).toEqual([]);
      expect(run.steps.length).toBeGreaterThan(200);
      expect(run.steps.at(-1)!.step).toBe(steps);
      expect(Object.keys(run.steps[0]!.layers)).toHaveLength(100);
      expect(index.size).toBe(steps);
      const handle = await open(file, 'r');
      try {
        const found = await lookUpStep([fileSource(handle, (await handle.stat()).size)], index, 12_345);
        expect(found.exact).toBe(true);
        expect(found.record!.step).toBe(12_345);
      } finally {
        await handle.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
