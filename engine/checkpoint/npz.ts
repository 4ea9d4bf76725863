/**
 * NumPy's `.npz` (`np.savez`): a ZIP archive with one stored `.npy` member
 * per array, `<key>.npy`. Each member's NPY header is read on its own (its
 * layout from engine/io/npy.ts); its data is a byte range of the archive,
 * streamed like any tensor. Fortran-order arrays stream as strided views.
 */
import { ITEM_SIZE } from '../io/elements';
import { IoError } from '../io/errors';
import { NPY_PREAMBLE_BYTES, readNpyLayout } from '../io/npy';
import { readRange, type RandomAccessFile } from './source';
import { contiguousStrides, streamTensor } from './stream';
import type { Checkpoint, CheckpointTensor } from './types';
import { storedEntryOffset, type ZipEntry } from './zip';

/** numpy itself refuses headers over 10,000 bytes by default; this leaves room and still bounds a corrupt length. */
const MAX_NPY_HEADER = 1 << 20;

export async function readNpz(file: RandomAccessFile, entries: ZipEntry[]): Promise<Checkpoint> {
  const tensors: CheckpointTensor[] = [];
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue; // a folder
    const fail = (detail: string): never => {
      throw new IoError(file.name, `member '${entry.name}': ${detail}`);
    };
    if (!entry.name.endsWith('.npy')) fail('is not an .npy array (an .npz holds only .npy members)');
    const start = await storedEntryOffset(file, entry);
    const preamble = await readRange(file, start, Math.min(NPY_PREAMBLE_BYTES, entry.size), `member '${entry.name}'`);
    // The header length sits at bytes 8..10 (v1) or 8..12 (v2, v3); read through the header, then parse it.
    const major = preamble[6];
    const view = new DataView(preamble.buffer, preamble.byteOffset, preamble.byteLength);
    const headerEnd = preamble.length < 12 ? preamble.length : major === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
    if (headerEnd > MAX_NPY_HEADER) fail(`NPY header of ${headerEnd} bytes is over the ${MAX_NPY_HEADER}-byte limit`);
    const head = await readRange(file, start, Math.min(headerEnd, entry.size), `member '${entry.name}' header`);
    const layout = readNpyLayout(head, entry.size, fail);
    const name = entry.name.slice(0, -'.npy'.length);
    // Fortran order: element (i₀, …) is at Σ iₖ·strideₖ with strides of the reversed shape, reversed.
    const stride = layout.fortranOrder ? contiguousStrides([...layout.shape].reverse()).reverse() : undefined;
    const stored = {
      file, base: start + layout.dataStart, storageElements: (entry.size - layout.dataStart) / ITEM_SIZE[layout.type], dtype: layout.type,
      littleEndian: layout.littleEndian, shape: layout.shape, offset: 0, name, ...(stride ? { stride } : {}),
    };
    tensors.push({ name, dtype: layout.type, shape: [...layout.shape], numel: layout.count, file: file.name, chunks: (max) => streamTensor(stored, max) });
  }
  if (tensors.length === 0) throw new IoError(file.name, 'the archive holds no arrays');
  return { format: 'npz', tensors, metadata: {}, nesting: [], otherKeys: [], close: () => file.close() };
}
