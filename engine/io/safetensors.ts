/**
 * The safetensors format (huggingface/safetensors), the checkpoint format of
 * the Hugging Face ecosystem and a safe alternative to pickled `.pt` files:
 *
 *   offset   size  content
 *   0        8     N, the header length: little-endian uint64
 *   8        N     header: a UTF-8 JSON object, possibly padded with trailing spaces
 *                    { "__metadata__": { "format": "pt" },          optional, string → string
 *                      "fc.weight": { "dtype": "F32", "shape": [4, 2], "data_offsets": [0, 32] },
 *                      … }
 *   8 + N    …     data buffer: each tensor's elements, little-endian, C order,
 *                  at [begin, end) of `data_offsets`, relative to the buffer start
 *
 * dtypes: F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL are read
 * (F16 and BF16 widened to float32); the float8 and complex types are not.
 */
import type { DenseTensor } from '../tensor/dtype';
import { decodeElements, encodeLittleEndian } from './elements';
import { IoError } from './errors';
import { headerLength, parseHeader } from './safetensorsHeader';
import type { LoadedArray } from './types';

export interface SafetensorsFile {
  /** Tensors in the order of their data in the file. */
  tensors: Map<string, LoadedArray>;
  /** The `__metadata__` strings ({} when absent). */
  metadata: Record<string, string>;
}

/** The tensors of a `.safetensors` file, by name. Throws `IoError` for a malformed file. */
export function readSafetensors(bytes: Uint8Array, fileName: string): Map<string, LoadedArray> {
  return readSafetensorsFile(bytes, fileName).tensors;
}

/** The tensors and the `__metadata__` of a `.safetensors` file. */
export function readSafetensorsFile(bytes: Uint8Array, fileName: string): SafetensorsFile {
  const fail = (detail: string): never => {
    throw new IoError(fileName, detail);
  };
  const dataStart = 8 + headerLength(bytes.subarray(0, 8), bytes.length, fail);
  const { tensors, metadata } = parseHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, fail);

  const out = new Map<string, LoadedArray>();
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    out.set(t.name, { shape: t.shape, dtype: t.dtype, data: decodeElements(bytes, dataStart + t.begin, count, t.dtype, true) });
  }
  return { tensors: out, metadata };
}

/**
 * A `.safetensors` file of float32 (F32) and float64 (F64) tensors, laid out
 * as the reference implementation lays it out: tensors ordered by dtype
 * alignment (F64 first) and then by name, so that every tensor's data is
 * aligned to its item size; the header padded with spaces to a multiple of 8
 * bytes, so that the data buffer starts 8-aligned.
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, DenseTensor> | Readonly<Record<string, DenseTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))] as [string, DenseTensor][];
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new RangeError("writeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new RangeError(`writeSafetensors: tensor '${name}' has shape [${t.shape.join(', ')}] (${count} elements) but ${t.data.length} values`);
  }
  const itemSize = (t: DenseTensor): number => t.data.BYTES_PER_ELEMENT;
  entries.sort(([a, ta], [b, tb]) => itemSize(tb) - itemSize(ta) || (a < b ? -1 : a > b ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.data.byteLength;
    header[name] = { dtype: t.data instanceof Float64Array ? 'F64' : 'F32', shape: [...t.shape], data_offsets: [offset, end] };
    offset = end;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding > 0) {
    const padded = new Uint8Array(headerBytes.length + padding).fill(0x20);
    padded.set(headerBytes);
    headerBytes = padded;
  }

  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true); // high 32 bits stay 0
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, t] of entries) {
    out.set(encodeLittleEndian(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}
