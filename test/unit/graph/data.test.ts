/**
 * Data for models that are not MLPs: NPY inputs of any rank (images, integer
 * token ids) and per-position class targets, seeded synthetic token
 * sequences and images, a text file as a character-level dataset, the
 * `{"text": …, "block_size": …}` data key, and batches of them.
 */
import { describe, expect, it } from 'vitest';
import { characterDataset, syntheticImages, syntheticTokens } from '../../../engine/data/sequences';
import { readNpyDataset, readNpyExtraInput } from '../../../engine/io/npyDataset';
import { parseModelFile } from '../../../engine/model';
import { loadModelResources } from '../../../engine/model/resources';
import { TorchGenerator } from '../../../engine/random';
import { splitValidation } from '../../../engine/run/split';
import { BatchSampler } from '../../../engine/train/batches';
import { materialize } from '../../../engine/modules/materialize';

describe('data of any rank', () => {
  it('an array for a further input of forward: one row per example, integer arrays as token ids, and the batch gathers the same rows', () => {
    const a = readNpyExtraInput({ shape: [4, 2], data: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]), dtype: 'float64' }, 4, 'a.npy');
    expect(a).toMatchObject({ shape: [2], kind: 'values' });
    const lengths = readNpyExtraInput({ shape: [4], data: Float64Array.from([3, 1, 2, 2]), dtype: 'int64' }, 4, 'lengths.npy');
    expect(lengths).toMatchObject({ shape: [], kind: 'tokens' });
    expect(() => readNpyExtraInput({ shape: [3, 2], data: new Float64Array(6), dtype: 'float64' }, 4, 'a.npy')).toThrow(/a\.npy.*one row per example of the inputs \(4\)/);
    const x = { shape: [4, 1], data: Float64Array.from([10, 11, 12, 13]), dtype: 'float64' };
    const y = { shape: [4], data: Float64Array.from([0, 1, 0, 1]), dtype: 'int64' };
    const data = { ...readNpyDataset(x, y, 'classes'), extraInputs: { a, lengths } };
    const batch = new BatchSampler(data, 4, new TorchGenerator(0), true).next();
    const rows = Array.from(batch.inputs.data, (v) => v - 10);
    expect(batch.extra!.a!.shape).toEqual([4, 2]);
    expect(Array.from(batch.extra!.a!.data)).toEqual(rows.flatMap((r) => [2 * r, 2 * r + 1]));
    expect(batch.extra!.lengths!.shape).toEqual([4]);
    expect(Array.from(batch.extra!.lengths!.data)).toEqual(rows.map((r) => [3, 1, 2, 2][r]));
  });

  it('images (N, C, H, W) float32 with class targets (N,)', () => {
    const x = { shape: [4, 1, 2, 3], data: Float32Array.from({ length: 24 }, (_, i) => i / 10), dtype: 'float32' };
    const y = { shape: [4], data: Float64Array.from([0, 2, 1, 2]), dtype: 'int64' };
    const d = readNpyDataset(x, y, 'classes');
    expect(d).toMatchObject({ count: 4, inputDim: 6, inputShape: [1, 2, 3], targets: { kind: 'classes', classes: 3 } });
    expect(d.inputKind).toBeUndefined();
    expect(Array.from(d.targets.data)).toEqual([0, 2, 1, 2]);
  });

  it('token ids (N, T) int64 with next-token targets (N, T)', () => {
    const x = { shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]), dtype: 'int64' };
    const y = { shape: [2, 3], data: Float64Array.from([2, 3, 4, 5, 6, 0]), dtype: 'int64' };
    const d = readNpyDataset(x, y, 'classes');
    expect(d).toMatchObject({ count: 2, inputDim: 3, inputShape: [3], inputKind: 'tokens', targets: { kind: 'classes', classes: 7, shape: [3] } });
    // A batch keeps each example's T targets together; the validation split cuts whole examples.
    const batch = new BatchSampler(d, 2, new TorchGenerator(0), false).next();
    expect(Array.from(batch.targets as Int32Array)).toEqual([2, 3, 4, 5, 6, 0]);
    const { train, validation } = splitValidation(d, 0.5);
    expect(Array.from(train.targets.data)).toEqual([2, 3, 4]);
    expect(Array.from(validation!.targets.data)).toEqual([5, 6, 0]);
    expect(validation!.inputKind).toBe('tokens');
  });

  it('a negative token id or a fractional class is refused with its position', () => {
    expect(() => readNpyDataset({ shape: [1, 2], data: [0, -1], dtype: 'int64' }, { shape: [1, 2], data: [0, 1], dtype: 'int64' }, 'classes', { inputsFile: 'x.npy' })).toThrow(/inputs\[0, 1\] is -1/);
    expect(() => readNpyDataset({ shape: [1, 2], data: [0, 1], dtype: 'int64' }, { shape: [1, 2], data: [0, 1.5], dtype: 'float64' }, 'classes')).toThrow(/targets\[0, 1\] is 1.5/);
  });
});

describe('seeded synthetic data per input kind', () => {
  it('token sequences: inputs in [0, vocab), targets the next token, the same for the same seed', () => {
    const d = syntheticTokens({ count: 16, length: 8, vocab: 11, seed: 3 });
    expect(d).toMatchObject({ inputShape: [8], inputKind: 'tokens', targets: { kind: 'classes', classes: 11, shape: [8] } });
    for (let n = 0; n < 16; n++) {
      for (let t = 0; t + 1 < 8; t++) expect(d.targets.data[n * 8 + t]).toBe(d.inputs[n * 8 + t + 1]);
    }
    expect(Math.max(...d.inputs)).toBeLessThan(11);
    expect(syntheticTokens({ count: 16, length: 8, vocab: 11, seed: 3 }).inputs).toEqual(d.inputs);
    expect(syntheticTokens({ count: 16, length: 8, vocab: 11, seed: 4 }).inputs).not.toEqual(d.inputs);
  });

  it('images: (C, H, W) examples of a class template plus noise, class targets', () => {
    const d = syntheticImages({ count: 50, shape: [1, 4, 4], classes: 3, seed: 1 });
    expect(d).toMatchObject({ count: 50, inputDim: 16, inputShape: [1, 4, 4], targets: { kind: 'classes', classes: 3 } });
    // Examples of one class are closer to each other than to another class's (the template dominates at noise 1).
    const of = (c: number) => [...d.targets.data.keys()].filter((i) => d.targets.data[i] === c);
    const dist = (a: number, b: number) => Math.hypot(...Array.from({ length: 16 }, (_, k) => d.inputs[a * 16 + k]! - d.inputs[b * 16 + k]!));
    const [a, b] = of(0);
    const [c] = of(1);
    expect(dist(a!, b!)).toBeLessThan(dist(a!, c!));
  });
});

describe('a text file as a character-level dataset', () => {
  it('numbers characters in sorted order and makes (block, next characters) pairs', () => {
    const d = characterDataset('hello world!', 4, 'input.txt');
    expect(d.vocab).toEqual([' ', '!', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(d.count).toBe(2); // (12 − 1) / 4
    const decode = (xs: ArrayLike<number>) => Array.from(xs, (i) => d.vocab[i]).join('');
    expect(decode(d.inputs)).toBe('hello wo');
    expect(decode(d.targets.data)).toBe('ello wor');
    expect(() => characterDataset('ab', 4)).toThrow(/needs at least 5/);
  });

  it('the data key {"text": …, "block_size": …} loads the file relative to the model file', async () => {
    const text = JSON.stringify({
      version: 1, name: 'M', layers: [{ type: 'Linear', in_features: 4, out_features: 2 }], input: 4,
      data: { text: 'input.txt', block_size: 4 },
    });
    const parsed = parseModelFile('m.nn.json', text);
    expect(parsed.spec!.data).toEqual({ kind: 'text', path: 'input.txt', blockSize: 4 });
    const bad = parseModelFile('m.nn.json', text.replace('"block_size":4', '"block_size":0'));
    expect(bad.diagnostics.some((x) => x.severity === 'error' && /block_size/.test(x.message))).toBe(true);
    const read = async (p: string): Promise<Uint8Array> => {
      expect(p).toBe('input.txt');
      return new TextEncoder().encode('abcabcabcabc');
    };
    const resources = await loadModelResources(parsed.spec!, parsed.tree, read);
    expect(resources.dataset).toMatchObject({ inputKind: 'tokens', inputShape: [4], count: 2, targets: { classes: 3 } });
  });
});

describe('causal masks', () => {
  it('torch.tril(torch.ones(T, T)) as init steps: ones, then the lower triangle kept over the last two dims', () => {
    const decl = { name: 'mask', shape: [1, 3, 3], kind: 'buffer' as const, persistent: false, dtype: 'float32' as const, init: [{ op: 'init' as const, init: { fn: 'ones_', args: {} }, origin: 'model file' as const }, { op: 'triangle' as const, lower: true, diagonal: 0 }] };
    expect(Array.from(materialize(decl, new Map()).data)).toEqual([1, 0, 0, 1, 1, 0, 1, 1, 1]);
    const upper = { ...decl, init: [decl.init[0]!, { op: 'triangle' as const, lower: false, diagonal: 1 }] };
    expect(Array.from(materialize(upper, new Map()).data)).toEqual([0, 1, 1, 0, 0, 1, 0, 0, 0]);
  });
});
