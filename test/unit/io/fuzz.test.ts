/**
 * Property-based fuzzing of the readers of the files a model names: CSV, NPY
 * and safetensors. On random and mutated bytes each reader either reads the
 * file or throws an IoError that says what is wrong (never another exception),
 * no case takes over 5 s, and through loadModelResources every problem is a
 * diagnostic whose range lies inside the model file. 10,000 cases a reader
 * (ten times as many with WEIGHTSCOPE_FUZZ=nightly; see test/unit/support/fuzz.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IoError, readCsvDataset, readNpy, readNpyDataset, readSafetensors, writeNpy, writeSafetensors } from '../../../engine/io';
import { parseModelText } from '../../../engine/model';
import { loadModelResources } from '../../../engine/model/resources';
import { expectInside, fuzzOptions, mutate, textMutation, withinLimit, withinLimitAsync } from '../support/fuzz';

/** Reads, or fails with an IoError only. */
function readsOrExplains(read: () => unknown): void {
  try {
    withinLimit(read);
  } catch (err) {
    if (!(err instanceof IoError)) throw err;
    expect(err.detail.length).toBeGreaterThan(0);
  }
}

/** Byte mutations: overwrite, insert, delete or truncate, anywhere. */
const byteMutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('set', 'insert', 'delete', 'truncate'), byte: fc.integer({ min: 0, max: 255 }) });
function mutateBytes(bytes: Uint8Array, m: { at: number; kind: string; byte: number }): Uint8Array {
  const at = m.at % (bytes.length + 1);
  if (m.kind === 'truncate') return bytes.slice(0, at);
  if (m.kind === 'delete') return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]);
  if (m.kind === 'insert') return Uint8Array.from([...bytes.subarray(0, at), m.byte, ...bytes.subarray(at)]);
  const out = bytes.slice();
  if (at < out.length) out[at] = m.byte;
  return out;
}
const mutatedBytes = (valid: Uint8Array): fc.Arbitrary<Uint8Array> => fc.array(byteMutation, { minLength: 1, maxLength: 4 }).map((ms) => ms.reduce(mutateBytes, valid));

const CSV = 'x1,x2,label\n0.5,-1.25,a\n1e-3,2,b\n"3",4.5,a\n';
const CSV_TOKENS = [',', ';', '\t', '"', '""', '\n', '\r\n', 'NA', 'nan', 'inf', '1e999', '-', 'x1', 'label', '\ufeff', ' ', 'a', 'c'];

describe('CSV reader', () => {
  const options = fc.record({
    task: fc.constantFrom('regression' as const, 'binary' as const, 'classes' as const),
    target: fc.constantFrom('label', 'x2', ['x2', 'label']),
    header: fc.boolean(),
  });
  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), options, (text, o) => readsOrExplains(() => readCsvDataset(text, 'd.csv', o))), fuzzOptions(4_000));
  });
  it('mutated CSV', () => {
    fc.assert(fc.property(fc.array(textMutation(CSV_TOKENS), { minLength: 1, maxLength: 5 }), options, (ms, o) => {
      readsOrExplains(() => readCsvDataset(ms.reduce(mutate, CSV), 'd.csv', o));
    }), fuzzOptions(6_000));
  });
});

const NPY = writeNpy(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
const LABELS = writeNpy(Int32Array.from([0, 1]), [2]);

describe('NPY reader', () => {
  it('mutated arrays, read alone and as a dataset', () => {
    fc.assert(fc.property(mutatedBytes(NPY), fc.constantFrom('regression' as const, 'classes' as const, 'binary' as const), (bytes, task) => {
      readsOrExplains(() => readNpyDataset(readNpy(bytes, 'x.npy'), readNpy(LABELS, 'y.npy'), task));
    }), fuzzOptions(7_000));
  });
  it('random bytes behind the magic', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
      readsOrExplains(() => readNpy(Uint8Array.from([0x93, ...new TextEncoder().encode('NUMPY'), ...tail]), 'x.npy'));
    }), fuzzOptions(3_000));
  });
});

const SAFETENSORS = writeSafetensors({ 'fc1.weight': { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, 'fc1.bias': { shape: [2], data: Float32Array.from([0, 1]) } });

describe('safetensors reader (init_from)', () => {
  it('mutated files', () => {
    fc.assert(fc.property(mutatedBytes(SAFETENSORS), (bytes) => readsOrExplains(() => readSafetensors(bytes, 'w.safetensors'))), fuzzOptions(6_000));
  });
  it('arbitrary JSON headers', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), fc.uint8Array({ maxLength: 64 }), (header, data) => {
      const text = new TextEncoder().encode(JSON.stringify(header));
      const length = new Uint8Array(8);
      new DataView(length.buffer).setBigUint64(0, BigInt(text.length), true);
      readsOrExplains(() => readSafetensors(Uint8Array.from([...length, ...text, ...data]), 'w.safetensors'));
    }), fuzzOptions(4_000));
  });
});

describe('a model file with fuzzed data files', () => {
  const text = '{ "version": 1, "input": 2, "layers": [{ "type": "Linear", "out_features": 2 }],\n  "data": { "csv": "d.csv", "target": "label", "task": "classes" },\n  "init_from": "w.safetensors" }';
  const { spec, tree } = parseModelText(text, 'json', 'm');
  it('every problem is a diagnostic inside the model file', async () => {
    expect(spec).toBeDefined();
    await fc.assert(fc.asyncProperty(fc.array(textMutation(CSV_TOKENS), { maxLength: 4 }), mutatedBytes(SAFETENSORS), async (ms, weights) => {
      const files: Record<string, Uint8Array> = { 'd.csv': new TextEncoder().encode(ms.reduce(mutate, CSV)), 'w.safetensors': weights };
      const loaded = await withinLimitAsync(() => loadModelResources(spec!, tree, async (p) => files[p]!));
      expectInside(loaded.diagnostics, text.length);
    }), fuzzOptions(1_000));
  });
});
