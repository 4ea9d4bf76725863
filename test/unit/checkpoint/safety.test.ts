import { describe, expect, it } from 'vitest';
import { bytesFile, openCheckpoint, readTensorValues } from '../../../engine/checkpoint';
import { unpickle } from '../../../engine/checkpoint/unpickle';
import { IoError } from '../../../engine/io';
import { buildZip, f32, P, pickle, tensorPickle } from './build';
import { fixtureBytes, openFixture } from './fixtures';

const noShards = async (): Promise<never> => {
  throw new Error('no shards here');
};
const open = (name: string, bytes: Uint8Array) => openCheckpoint(bytesFile(name, bytes), noShards);

describe('the restricted unpickler refuses code', () => {
  it('refuses the malicious fixture naming os.system, and runs nothing', async () => {
    const error = await openFixture('malicious.pt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IoError);
    expect((error as Error).message).toMatch(/'posix\.system' \(os\.system\)/);
    expect((error as Error).message).toMatch(/nothing in the file was run/);
  });

  it.each([
    ['builtins', 'eval'],
    ['os', 'system'],
    ['subprocess', 'Popen'],
    ['torch', 'load'],
    ['__builtin__', 'getattr'],
  ])('refuses GLOBAL %s.%s by name, before any call', (module, name) => {
    const bytes = pickle(P.proto, P.global(module, name), P.stop);
    expect(() => unpickle(bytes, 'x.pt')).toThrow(`'${module}.${name}'`);
  });

  it('refuses STACK_GLOBAL (protocol 4) the same way', () => {
    const bytes = pickle([0x80, 4], P.short('builtins'), P.short('exec'), P.stackGlobal, P.stop);
    expect(() => unpickle(bytes, 'x.pt')).toThrow("'builtins.exec'");
  });

  it("reads Lightning's AttributeDict hyper-parameters as a plain dict", () => {
    const bytes = pickle(P.proto, P.global('lightning.fabric.utilities.data', 'AttributeDict'), P.emptyTuple, P.newobj, P.mark, P.str('lr'), P.int(3), P.setitems, P.emptyDict, P.build, P.stop);
    expect((unpickle(bytes, 'x.ckpt') as { entries: Map<unknown, unknown> }).entries.get('lr')).toBe(3);
  });

  it('names unsupported torch storage types as such', () => {
    const bytes = pickle(P.proto, P.global('torch', 'ComplexFloatStorage'), P.stop);
    expect(() => unpickle(bytes, 'x.pt')).toThrow(/storage type torch\.ComplexFloatStorage are not supported/);
  });

  it('refuses calling a global that may only be named (a storage class)', () => {
    const bytes = pickle(P.proto, P.global('torch', 'FloatStorage'), P.emptyTuple, P.reduce, P.stop);
    expect(() => unpickle(bytes, 'x.pt')).toThrow(/may only be named/);
  });

  it('refuses INST/OBJ and the extension registry', () => {
    expect(() => unpickle(pickle(P.proto, P.mark, [0x6f], P.stop), 'x.pt')).toThrow(/OBJ/);
    expect(() => unpickle(pickle(P.proto, [0x82, 1], P.stop), 'x.pt')).toThrow(/EXT1/);
  });

  it('builds plain values: dicts, lists, tuples, numbers, strings, bytes via _codecs.encode', () => {
    const bytes = pickle(
      P.proto, P.emptyDict,
      P.str('a'), P.emptyList, P.int(7), P.append, P.setitem,
      P.str('b'), P.global('_codecs', 'encode'), P.str('\u00ff\u0001'), P.str('latin1'), P.tuple2, P.reduce, P.setitem,
      P.stop,
    );
    const value = unpickle(bytes, 'x.pt') as { entries: Map<unknown, unknown> };
    expect(value.entries.get('a')).toEqual([7]);
    expect(value.entries.get('b')).toEqual(Uint8Array.from([255, 1]));
  });

  it('reads the other opcodes of protocols 0 to 4: text numbers, memo, sets, bytes, DUP, POP', () => {
    const enc = (t: string): number[] => [...new TextEncoder().encode(t)];
    const bytes = pickle(
      [0x80, 4], [0x95, 0, 0, 0, 0, 0, 0, 0, 0], P.emptyList, [0x94],
      [0x49], enc('42\n'), P.append,
      [0x49], enc('01\n'), P.append,
      [0x4c], enc('-7L\n'), P.append,
      [0x46], enc('2.5\n'), P.append,
      [0x47, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18], P.append, // BINFLOAT π, big-endian
      [0x8a, 2, 0xff, 0x7f], P.append, // LONG1 32767
      [0x8a, 1, 0xff], P.append, // LONG1 −1
      [0x4b, 5], [0x32], [0x86], P.append, // DUP → (5, 5)
      [0x43, 2, 1, 2], P.append, // SHORT_BINBYTES
      [0x8f], P.mark, [0x4b, 1], [0x4b, 2], [0x90], P.append, // {1, 2}
      P.mark, [0x4b, 3], [0x91], P.append, // frozenset({3})
      [0x4b, 9], [0x30], // POP
      P.mark, [0x4b, 9], [0x31], // POP_MARK
      [0x70], enc('7\n'), [0x67], enc('7\n'), P.append, // PUT, GET: the list itself (a cycle)
      [0x55, 2], enc('ab'), P.append, // SHORT_BINSTRING
      [0x88], [0x4d, 0x34, 0x12], P.tuple2, P.append, // (True, 0x1234)
      P.stop,
    );
    const list = unpickle(bytes, 'x.pt') as unknown[];
    expect(list.slice(0, 7)).toEqual([42, true, -7, 2.5, Math.PI, 32767, -1]);
    expect((list[7] as { items: unknown[] }).items).toEqual([5, 5]);
    expect(list[8]).toEqual(Uint8Array.from([1, 2]));
    expect((list[9] as { items: unknown[] }).items).toEqual([1, 2]);
    expect((list[10] as { items: unknown[] }).items).toEqual([3]);
    expect(list[11]).toBe(list);
    expect(list[12]).toBe('ab');
    expect((list[13] as { items: unknown[] }).items).toEqual([true, 0x1234]);
  });

  it('reports truncation, underflow and unknown opcodes as IoErrors', () => {
    expect(() => unpickle(pickle(P.proto, P.emptyDict), 'x.pt')).toThrow(/without a STOP/);
    expect(() => unpickle(pickle(P.proto, P.append, P.stop), 'x.pt')).toThrow(/underflow/);
    expect(() => unpickle(pickle(P.proto, [0xff]), 'x.pt')).toThrow(/unknown opcode 0xff/);
    expect(() => unpickle(pickle(P.proto, [0x58, 0xff, 0xff, 0xff, 0x7f]), 'x.pt')).toThrow(/truncated/);
    expect(() => unpickle(pickle(P.proto, P.binget(3), P.stop), 'x.pt')).toThrow(/memo entry 3/);
  });
});

describe('torch zip archives', () => {
  const archive = (pkl: Uint8Array, storages: Record<string, Uint8Array>, method = 0): Uint8Array => buildZip([
    { name: 'w/data.pkl', data: pkl, method },
    ...Object.entries(storages).map(([key, data]) => ({ name: `w/data/${key}`, data })),
  ]);

  it('reads a view with a storage offset and strides', async () => {
    const pkl = tensorPickle([{ name: 'x', key: '0', numel: 6, shape: [2, 2], stride: [1, 3], offset: 1 }]);
    const cp = await open('w.pt', archive(pkl, { 0: f32([0, 1, 2, 3, 4, 5]) }));
    // element (i, j) = storage[1 + i + 3j]: [[1, 4], [2, 5]]
    expect([...(await readTensorValues(cp.tensors[0]!))]).toEqual([1, 4, 2, 5]);
  });

  it('refuses a view that reaches past its storage, when opened', async () => {
    const pkl = tensorPickle([{ name: 'x', key: '0', numel: 4, shape: [2, 2], stride: [2, 1], offset: 1 }]);
    await expect(open('w.pt', archive(pkl, { 0: f32([0, 1, 2, 3]) }))).rejects.toThrow(/reaches past its storage of 4 elements/);
  });

  it('refuses a storage whose record is missing or the wrong size', async () => {
    const pkl = tensorPickle([{ name: 'x', key: '0', numel: 4, shape: [4], stride: [1], offset: 0 }]);
    await expect(open('w.pt', archive(pkl, {}))).rejects.toThrow(/'data\/0' is missing/);
    await expect(open('w.pt', archive(pkl, { 0: f32([1, 2]) }))).rejects.toThrow(/has 8 bytes, but data.pkl says 4 float32 elements/);
  });

  it('says clearly that compressed records are not read', async () => {
    const pkl = tensorPickle([{ name: 'x', key: '0', numel: 1, shape: [1], stride: [1], offset: 0 }]);
    await expect(open('w.pt', archive(pkl, { 0: f32([1]) }, 8))).rejects.toThrow(/'w\/data.pkl': is compressed \(deflate\)/);
  });

  it('reads ZIP64 archives (sizes and offsets in the ZIP64 records, as torch writes past 4 GB)', async () => {
    const pkl = tensorPickle([{ name: 'x', key: '0', numel: 3, shape: [3], stride: [1], offset: 0 }]);
    const zip = buildZip([{ name: 'w/data.pkl', data: pkl }, { name: 'w/data/0', data: f32([1, -2, 3]) }], true);
    expect([...(await readTensorValues((await open('w.pt', zip)).tensors[0]!))]).toEqual([1, -2, 3]);
  });

  it('reads the byteorder record: big-endian storages', async () => {
    const pkl = tensorPickle([{ name: 'x', key: '0', numel: 2, shape: [2], stride: [1], offset: 0 }]);
    const big = new Uint8Array(8);
    new DataView(big.buffer).setFloat32(0, 1.5, false);
    new DataView(big.buffer).setFloat32(4, -2, false);
    const zip = buildZip([{ name: 'w/data.pkl', data: pkl }, { name: 'w/byteorder', data: new TextEncoder().encode('big') }, { name: 'w/data/0', data: big }]);
    expect([...(await readTensorValues((await open('w.pt', zip)).tensors[0]!))]).toEqual([1.5, -2]);
  });

  it('names the pre-1.6 format, TorchScript archives and non-checkpoints', async () => {
    await expect(open('old.pt', pickle(P.proto, [0x8a, 0x0a], P.stop))).rejects.toThrow(/before PyTorch 1\.6/);
    const ts = buildZip([{ name: 'm/data.pkl', data: pickle(P.proto, P.none, P.stop) }, { name: 'm/constants.pkl', data: pickle(P.proto, P.none, P.stop) }]);
    await expect(open('m.pt', ts)).rejects.toThrow(/TorchScript/);
    await expect(open('x.bin', new TextEncoder().encode('hello world'))).rejects.toThrow(/not a checkpoint/);
    await expect(open('x.bin', new Uint8Array())).rejects.toThrow(/empty/);
  });

  it('refuses a checkpoint with no tensors', async () => {
    const zip = buildZip([{ name: 'w/data.pkl', data: pickle(P.proto, P.emptyDict, P.stop) }]);
    await expect(open('w.pt', zip)).rejects.toThrow(/holds no tensors/);
  });
});

describe('safetensors and npz problems', () => {
  it('refuses a truncated safetensors file naming the tensor', async () => {
    const bytes = fixtureBytes('model.safetensors');
    await expect(open('m.safetensors', bytes.subarray(0, bytes.length - 3))).rejects.toThrow(/runs past the end of the .*-byte data buffer/);
  });

  it('refuses shard names that leave the index folder', async () => {
    const index = new TextEncoder().encode(JSON.stringify({ weight_map: { w: '../secret.safetensors' } }));
    await expect(open('model.safetensors.index.json', index)).rejects.toThrow(/outside the index's folder/);
  });

  it('refuses a shard that lacks what the weight_map promises', async () => {
    const index = new TextEncoder().encode(JSON.stringify({ weight_map: { 'layer.f32': 'a.safetensors', ghost: 'a.safetensors' } }));
    const cp = openCheckpoint(bytesFile('model.safetensors.index.json', index), async () => bytesFile('a.safetensors', fixtureBytes('model.safetensors')));
    await expect(cp).rejects.toThrow(/holds '.*', which the weight_map puts nowhere|lacks 'ghost'/);
  });

  it('says np.savez_compressed archives are not read', async () => {
    const npz = buildZip([{ name: 'a.npy', data: new Uint8Array(10), method: 8 }]);
    await expect(open('a.npz', npz)).rejects.toThrow(/np\.savez_compressed/);
  });
});
