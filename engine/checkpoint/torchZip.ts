/**
 * PyTorch's checkpoint format since 1.6 (`torch.save`, also `pytorch_model.bin`,
 * `*.pth`, Lightning's `*.ckpt`): a ZIP archive whose records sit in one
 * folder named after the file,
 *   <archive>/data.pkl     the saved object, pickled (protocol 2), storages as persistent ids
 *   <archive>/data/<key>   each storage's raw elements
 *   <archive>/byteorder    'little' or 'big' (torch ≥ 2.1; absent means little)
 *   <archive>/version      the format version
 * Files from torch.save before 1.6 (or with _use_new_zipfile_serialization=False)
 * are one pickle stream instead and are reported as such.
 */
import { ITEM_SIZE } from '../io/elements';
import { IoError } from '../io/errors';
import { findTensors } from './stateDict';
import { readRange, type RandomAccessFile } from './source';
import { numelOf, streamTensor } from './stream';
import type { Checkpoint, CheckpointTensor } from './types';
import { unpickle, type StorageRef } from './unpickle';
import { readStoredEntry, storedEntryOffset, type ZipEntry } from './zip';

/** data.pkl holds structure only (the numbers are in the storages); 256 MB is far beyond any real one. */
const MAX_PICKLE_BYTES = 256 * 1024 * 1024;

export async function readTorchZip(file: RandomAccessFile, entries: ZipEntry[]): Promise<Checkpoint> {
  const fail = (detail: string): never => {
    throw new IoError(file.name, detail);
  };
  const pickles = entries.filter((e) => /^([^/]+\/)?data\.pkl$/.test(e.name));
  if (pickles.length !== 1) fail(pickles.length === 0 ? 'no data.pkl record: not a torch.save archive' : 'more than one data.pkl record');
  const prefix = pickles[0]!.name.slice(0, -'data.pkl'.length);
  if (entries.some((e) => e.name === `${prefix}constants.pkl` || e.name.startsWith(`${prefix}code/`))) {
    fail('this is a TorchScript archive (torch.jit.save); save the state_dict with torch.save instead');
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  let littleEndian = true;
  const order = byName.get(`${prefix}byteorder`);
  if (order) {
    const text = new TextDecoder().decode(await readStoredEntry(file, order, 16)).trim();
    if (text !== 'little' && text !== 'big') fail(`byteorder record is '${text.slice(0, 16)}', not 'little' or 'big'`);
    littleEndian = text === 'little';
  }
  const root = unpickle(await readStoredEntry(file, pickles[0]!, MAX_PICKLE_BYTES), file.name);
  const found = findTensors(root, fail);

  // Each storage record once: its place in the file and its length in elements.
  const records = new Map<StorageRef, { base: number; elements: number }>();
  const recordOf = async (storage: StorageRef): Promise<{ base: number; elements: number }> => {
    const known = records.get(storage);
    if (known) return known;
    const entry = byName.get(`${prefix}data/${storage.key}`);
    if (!entry) return fail(`storage record 'data/${storage.key}' is missing`);
    const size = ITEM_SIZE[storage.dtype];
    if (entry.size !== storage.numel * size) {
      fail(`storage 'data/${storage.key}' has ${entry.size} bytes, but data.pkl says ${storage.numel} ${storage.dtype} elements (${storage.numel * size} bytes)`);
    }
    const record = { base: await storedEntryOffset(file, entry), elements: storage.numel };
    records.set(storage, record);
    return record;
  };

  const firstUser = new Map<StorageRef, string>();
  const firstView = new Map<string, string>();
  const tensors: CheckpointTensor[] = [];
  for (const { name, tensor } of found.tensors) {
    const { storage, shape, stride, storageOffset } = tensor;
    const numel = numelOf(shape);
    if (!Number.isSafeInteger(numel)) fail(`tensor '${name}' has too many elements`);
    const record = await recordOf(storage);
    const sharer = firstUser.get(storage);
    if (sharer === undefined) firstUser.set(storage, name);
    const viewKey = `${storage.key}|${storageOffset}|${shape.join(',')}|${stride.join(',')}`;
    const same = firstView.get(viewKey);
    if (same === undefined) firstView.set(viewKey, name);
    const stored = {
      file, base: record.base, storageElements: record.elements, dtype: storage.dtype, littleEndian,
      shape, stride, offset: storageOffset, name,
    };
    // Check the view against its storage now, so that a corrupt file fails when opened, not midway.
    let extent = storageOffset;
    for (let k = 0; k < shape.length; k++) extent += (shape[k]! - 1) * stride[k]!;
    if (numel > 0 && (!Number.isSafeInteger(extent) || extent >= record.elements)) {
      fail(`tensor '${name}' (shape [${shape.join(', ')}], stride [${stride.join(', ')}], offset ${storageOffset}) reaches past its storage of ${record.elements} elements`);
    }
    tensors.push({
      name, dtype: storage.dtype, shape: [...shape], numel, file: file.name,
      ...(sharer !== undefined ? { sharesStorageWith: sharer } : {}),
      ...(same !== undefined ? { identicalTo: same } : {}),
      chunks: (maxElements) => streamTensor(stored, maxElements),
    });
  }
  return {
    format: 'torch-zip', tensors, nesting: found.nesting, otherKeys: found.otherKeys, metadata: {},
    ...(found.strippedPrefix ? { strippedPrefix: found.strippedPrefix } : {}),
    close: () => file.close(),
  };
}

/** The start of a pre-1.6 torch.save file: a pickle (PROTO 2) of the magic number 0x1950a86a20f9469cfc6c. */
export async function isLegacyTorchFile(file: RandomAccessFile): Promise<boolean> {
  if (file.size < 2) return false;
  const head = await readRange(file, 0, 2, 'file start');
  return head[0] === 0x80 && head[1]! <= 5;
}
