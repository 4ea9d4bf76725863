/**
 * Corrupted checkpoints never crash, hang or read outside the file: every
 * mutation of a valid file either opens and reads fully or fails with an
 * IoError (or the CLI's plain Error from a host read), whose message says what is wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCheckpoint, readTensorValues, type RandomAccessFile } from '../../../engine/checkpoint';
import { unpickle } from '../../../engine/checkpoint/unpickle';
import { readStoredEntry, readZipDirectory } from '../../../engine/checkpoint/zip';
import { IoError } from '../../../engine/io';
import { fixtureBytes } from './fixtures';
import { fuzzOptions } from '../support/fuzz';

/**
 * Cases per property: each of the three kinds of input (safetensors headers,
 * zip archives, pickle streams) gets 10,000 in all, and the file runs in
 * about 10 s on one core (ten times as many with WEIGHTSCOPE_FUZZ=nightly;
 * see test/unit/support/fuzz.ts).
 */
const RUNS = 5_000;
const options = (runs: number): ReturnType<typeof fuzzOptions> => fuzzOptions(runs);

/** An in-memory file that fails the test if any read strays outside it. */
function strictFile(name: string, bytes: Uint8Array): RandomAccessFile & { reads: number } {
  const file = {
    name,
    size: bytes.length,
    reads: 0,
    async read(offset: number, length: number) {
      file.reads++;
      if (!(offset >= 0 && length >= 0 && offset + length <= bytes.length)) throw new Error(`OUT OF BOUNDS read ${offset}+${length} of ${bytes.length}`);
      return bytes.subarray(offset, offset + length);
    },
    async close() {},
  };
  return file;
}

/** Opens and reads everything; returns the error, if any. */
async function openAndRead(name: string, bytes: Uint8Array, shards: Record<string, Uint8Array> = {}): Promise<unknown> {
  try {
    const cp = await openCheckpoint(strictFile(name, bytes), async (rel) => {
      const shard = shards[rel];
      if (!shard) throw new IoError(rel, 'no such shard');
      return strictFile(rel, shard);
    });
    for (const t of cp.tensors) {
      const values = await readTensorValues(t);
      if (values.length !== t.numel) throw new Error(`BAD LENGTH ${values.length} for ${t.numel}`);
    }
    await cp.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

function expectClear(error: unknown): void {
  if (error === undefined) return;
  if (!(error instanceof IoError)) throw new Error(`not an IoError: ${String(error)} ${error instanceof Error ? error.stack : ''}`);
  expect(error.detail.length).toBeGreaterThan(5);
}

/** Mutations of a file: byte overwrites, truncation, a slice cut out, random bytes spliced in. */
function mutated(bytes: Uint8Array, focus?: [number, number], keepLength = false): fc.Arbitrary<Uint8Array> {
  const [lo, hi] = focus ?? [0, bytes.length];
  const position = fc.integer({ min: lo, max: Math.max(lo, hi - 1) });
  const set = fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) });
  const u32 = fc.record({ kind: fc.constant('u32' as const), at: position, value: fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0xfffffffe, 64, 65535) });
  // Edits that keep the length keep the archive's offsets valid, so they reach the pickle and the storages.
  const edit = keepLength ? fc.oneof(set, u32) : fc.oneof(
    set,
    u32,
    fc.record({ kind: fc.constant('truncate' as const), at: fc.integer({ min: 0, max: bytes.length }) }),
    fc.record({ kind: fc.constant('cut' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: position, data: fc.uint8Array({ maxLength: 16 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let out = Uint8Array.from(bytes);
    for (const e of edits) {
      if (e.kind === 'set') out[e.at] = e.value;
      else if (e.kind === 'truncate') out = out.slice(0, e.at);
      else if (e.kind === 'cut') out = Uint8Array.from([...out.subarray(0, e.at), ...out.subarray(e.at + e.length)]);
      else if (e.kind === 'insert') out = Uint8Array.from([...out.subarray(0, e.at), ...e.data, ...out.subarray(e.at)]);
      else if (e.at + 4 <= out.length) new DataView(out.buffer).setUint32(e.at, e.value, true);
    }
    return out;
  });
}

const safetensors = fixtureBytes('model.safetensors');
const headerEnd = 8 + new DataView(safetensors.buffer, safetensors.byteOffset).getUint32(0, true);
const torchFile = fixtureBytes('model.pt');
const npz = fixtureBytes('arrays.npz');

describe('fuzz: corrupted checkpoints', () => {
  it('safetensors: corrupted headers and data', async () => {
    await fc.assert(fc.asyncProperty(mutated(safetensors, [0, headerEnd]), async (bytes) => expectClear(await openAndRead('m.safetensors', bytes))), options(RUNS));
  });

  it('safetensors: headers that are arbitrary JSON', async () => {
    const header = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.string(), fc.record({
        dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'BOOL', 'U8', 'F8_E4M3'), fc.jsonValue()),
        shape: fc.oneof(fc.array(fc.integer({ min: -2, max: 2 ** 40 }), { maxLength: 3 }), fc.jsonValue()),
        data_offsets: fc.oneof(fc.tuple(fc.nat(), fc.nat()), fc.jsonValue()),
      })),
    );
    await fc.assert(fc.asyncProperty(header, fc.uint8Array({ maxLength: 64 }), async (h, data) => {
      const json = new TextEncoder().encode(JSON.stringify(h) ?? 'null');
      const bytes = new Uint8Array(8 + json.length + data.length);
      new DataView(bytes.buffer).setUint32(0, json.length, true);
      bytes.set(json, 8);
      bytes.set(data, 8 + json.length);
      expectClear(await openAndRead('m.safetensors', bytes));
    }), options(RUNS));
  });

  it('sharded: corrupted index JSON', async () => {
    const index = fixtureBytes('sharded/model.safetensors.index.json');
    const shards = {
      'model-00001-of-00002.safetensors': fixtureBytes('sharded/model-00001-of-00002.safetensors'),
      'model-00002-of-00002.safetensors': fixtureBytes('sharded/model-00002-of-00002.safetensors'),
    };
    await fc.assert(fc.asyncProperty(mutated(index), async (bytes) => expectClear(await openAndRead('model.safetensors.index.json', bytes, shards))), options(1_000));
  });

  it('torch zip: same-length corruption anywhere (local headers, pickle, storages, directory)', async () => {
    await fc.assert(fc.asyncProperty(mutated(torchFile, undefined, true), async (bytes) => expectClear(await openAndRead('model.pt', bytes))), options(RUNS));
  });

  it('torch zip: corruption focused on the end (central directory and EOCD)', async () => {
    const cdStart = torchFile.length - 1600;
    await fc.assert(fc.asyncProperty(mutated(torchFile, [cdStart, torchFile.length]), async (bytes) => expectClear(await openAndRead('model.pt', bytes))), options(RUNS));
  });

  it('npz: corrupted archives and NPY headers', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(mutated(npz), mutated(npz, undefined, true)), async (bytes) => expectClear(await openAndRead('a.npz', bytes))), options(RUNS));
  });

  it('pickle streams: mutations of a real data.pkl, and random opcode soup', async () => {
    const zipFile = strictFile('model.pt', torchFile);
    const entry = (await readZipDirectory(zipFile)).find((e) => e.name.endsWith('data.pkl'))!;
    const pkl = await readStoredEntry(zipFile, entry, 1 << 20);
    const run = (bytes: Uint8Array): void => {
      try {
        unpickle(bytes, 'x.pt');
      } catch (error) {
        expectClear(error);
      }
    };
    fc.assert(fc.property(mutated(pkl), run), options(RUNS));
    const opcodes = [0x80, 0x28, 0x2e, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x4a, 0x4b, 0x4d, 0x8a, 0x58, 0x8c, 0x29, 0x85, 0x86, 0x87, 0x74, 0x5d, 0x6c,
      0x7d, 0x64, 0x61, 0x65, 0x73, 0x75, 0x71, 0x68, 0x94, 0x63, 0x93, 0x52, 0x81, 0x62, 0x51, 0x42, 0x43, 0x8f, 0x90, 0x91, 0x47, 0x0a];
    fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom(...opcodes), fc.integer({ min: 0, max: 255 })), { maxLength: 200 }), (ops) => run(Uint8Array.from(ops))), options(RUNS));
  });
});
