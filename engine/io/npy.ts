/**
 * NumPy's `.npy` format (numpy.lib.format, "A Simple File Format for NumPy
 * Arrays", NEP 1), versions 1.0, 2.0 and 3.0:
 *
 *   offset   size   content
 *   0        6      magic string "\x93NUMPY"
 *   6        1      major version: 1, 2 or 3
 *   7        1      minor version: 0
 *   8        2 / 4  header length HLEN, little-endian: uint16 in 1.0, uint32 in 2.0 and 3.0
 *   10 / 12  HLEN   header: a Python dict literal, latin-1 (1.0, 2.0) or UTF-8 (3.0):
 *                     {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *                   padded with spaces and ended by '\n' so that the data starts
 *                   at a multiple of 64 bytes (16 in writers before numpy 1.9)
 *   …               data: prod(shape) items of `descr`, in C order, or in
 *                   Fortran order when `fortran_order` is True
 *
 * The readers take the file's bytes and never touch a file system, so that
 * the extension (through `workspace.fs`) and the CLI share them.
 */
import { decodeElements, encodeLittleEndian, ITEM_SIZE, type WritableArray } from './elements';
import { IoError } from './errors';
import { fortranToC } from './layout';
import { parseNpyDescr } from './npyDescr';
import { parsePyLiteral, PyLiteralError, type PyValue } from './pyLiteral';
import type { ElementType, LoadedArray } from './types';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** numpy pads the header so that the data is aligned to this many bytes. */
const ARRAY_ALIGN = 64;

/**
 * numpy ≥ 1.24 leaves room in the header for the first dimension to grow to
 * this many digits, so that arrays can be appended to in place.
 */
const GROWTH_AXIS_MAX_DIGITS = 21;

/** Reads an `.npy` file. Throws `IoError` for anything that is not a supported NPY array. */
export function readNpy(bytes: Uint8Array, fileName: string): LoadedArray {
  const fail = (detail: string): never => {
    throw new IoError(fileName, detail);
  };
  const layout = readNpyLayout(bytes, bytes.length, fail);
  const stored = decodeElements(bytes, layout.dataStart, layout.count, layout.type, layout.littleEndian);
  const data = layout.fortranOrder ? fortranToC(stored, layout.shape) : stored;
  return { shape: layout.shape, dtype: layout.type, data };
}

/** Where and how an `.npy` file's data is stored. */
export interface NpyLayout {
  shape: number[];
  type: ElementType;
  littleEndian: boolean;
  fortranOrder: boolean;
  /** Byte offset of the first element. */
  dataStart: number;
  count: number;
}

/** Bytes that always hold the preamble (magic, version, header length). */
export const NPY_PREAMBLE_BYTES = 12;

/**
 * The header of an `.npy` file of `fileLength` bytes, from `bytes`, its first
 * bytes (at least through the header; the whole file will do), with the data
 * length checked against `fileLength`. Lets a reader of an archive read a
 * member's header without its data.
 */
export function readNpyLayout(bytes: Uint8Array, fileLength: number, fail: (detail: string) => never): NpyLayout {
  checkMagic(bytes, fail);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for an NPY preamble`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (![1, 2, 3].includes(major) || minor !== 0) fail(`unsupported NPY format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);

  const lengthSize = major === 1 ? 2 : 4;
  const headerStart = 8 + lengthSize;
  if (bytes.length < headerStart) fail(`file is ${bytes.length} bytes, too short for an NPY ${major}.0 preamble`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (dataStart > fileLength) fail(`header length ${headerLength} runs past the end of the file (${fileLength} bytes)`);
  if (dataStart > bytes.length) fail(`header length ${headerLength}: only ${bytes.length} bytes of the header were given`);

  const headerBytes = bytes.subarray(headerStart, dataStart);
  const headerText = major === 3 ? decodeUtf8(headerBytes, fail) : decodeLatin1(headerBytes);
  const header = parseHeader(headerText, fail);

  const element = parseNpyDescr(header.descr);
  if ('error' in element) return fail(element.error);
  const count = elementCount(header.shape, fail);
  const expected = count * ITEM_SIZE[element.type];
  const found = fileLength - dataStart;
  if (found !== expected) {
    fail(`expected ${expected} bytes of data, found ${found}` + (found > expected ? ' (trailing bytes after the array)' : ''));
  }
  return { shape: header.shape, type: element.type, littleEndian: element.littleEndian, fortranOrder: header.fortranOrder, dataStart, count };
}

function checkMagic(bytes: Uint8Array, fail: (detail: string) => never): void {
  const head = Array.from(bytes.subarray(0, MAGIC.length));
  if (head.length === MAGIC.length && head.every((b, i) => b === MAGIC[i])) return;
  if (bytes.length === 0) fail('file is empty');
  const hex = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join(' ');
  // An .npz is a ZIP archive of .npy files, a common mix-up.
  const zip = head[0] === 0x50 && head[1] === 0x4b ? '; this looks like a ZIP archive (an .npz file?)' : '';
  fail(`not an NPY file: bad magic (expected ${hex(MAGIC)} "\\x93NUMPY", found ${hex(head)})${zip}`);
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** The header dict, checked as numpy checks it: exactly the three keys, with these types. */
function parseHeader(text: string, fail: (detail: string) => never): NpyHeader {
  let literal: PyValue;
  try {
    literal = parsePyLiteral(text);
  } catch (error) {
    if (error instanceof PyLiteralError) return fail(`header is not a Python dict literal: ${error.message}`);
    throw error;
  }
  if (literal.kind !== 'dict') return fail('header is not a Python dict');
  const entries = literal.entries;
  for (const key of ['descr', 'fortran_order', 'shape']) if (!entries.has(key)) fail(`header has no '${key}' key`);
  for (const key of entries.keys()) if (!['descr', 'fortran_order', 'shape'].includes(key)) fail(`header has an unexpected key '${key}'`);

  const descr = entries.get('descr')!;
  if (descr.kind === 'list') fail("structured arrays (a list 'descr' of named fields) are not supported");
  if (descr.kind !== 'str') fail("header 'descr' is not a string");
  const fortranOrder = entries.get('fortran_order')!;
  if (fortranOrder.kind !== 'bool') fail("header 'fortran_order' is not True or False");
  const shape = entries.get('shape')!;
  if (shape.kind !== 'tuple' || !shape.items.every((d) => d.kind === 'int' && d.value >= 0)) {
    fail("header 'shape' is not a tuple of non-negative integers");
  }
  return {
    descr: (descr as { value: string }).value,
    fortranOrder: (fortranOrder as { value: boolean }).value,
    shape: (shape as { items: { value: number }[] }).items.map((d) => d.value),
  };
}

/** prod(shape), refusing products that a JavaScript number cannot count exactly. */
function elementCount(shape: readonly number[], fail: (detail: string) => never): number {
  let count = 1;
  for (const d of shape) count *= d;
  if (!Number.isSafeInteger(count) && count !== 0) fail(`shape (${shape.join(', ')}) is too large`);
  return count;
}

function decodeUtf8(bytes: Uint8Array, fail: (detail: string) => never): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('header is not valid UTF-8');
  }
}

/** Latin-1 by hand: TextDecoder's 'latin1' is really windows-1252. */
function decodeLatin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}

const DESCR_OF: ReadonlyMap<Function, string> = new Map<Function, string>([
  [Float32Array, '<f4'],
  [Float64Array, '<f8'],
  [Int32Array, '<i4'],
]);

/**
 * An `.npy` file (version 1.0, C order, little-endian '<f4', '<f8' or '<i4')
 * with the same bytes numpy ≥ 1.24 writes for the array.
 */
export function writeNpy(array: WritableArray, shape: readonly number[]): Uint8Array {
  const descr = DESCR_OF.get(array.constructor);
  if (!descr) throw new TypeError('writeNpy: expected a Float32Array, Float64Array or Int32Array');
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new RangeError(`writeNpy: shape [${shape.join(', ')}] has a dimension that is not a non-negative integer`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== array.length) throw new RangeError(`writeNpy: shape [${shape.join(', ')}] has ${count} elements, the array ${array.length}`);

  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // Version 1.0 stores HLEN in 16 bits; numpy moves to 2.0 only when that overflows.
  const major = header.length + 1 + 10 + ARRAY_ALIGN < 65536 ? 1 : 2;
  const preamble = major === 1 ? 10 : 12;
  const padding = ARRAY_ALIGN - ((preamble + header.length + 1) % ARRAY_ALIGN); // as numpy: a full 64 when already aligned
  header += ' '.repeat(padding) + '\n';

  const data = encodeLittleEndian(array);
  const out = new Uint8Array(preamble + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  out.set(data, preamble + header.length);
  return out;
}

/** Python's repr of a tuple of ints: `()`, `(3,)`, `(2, 3)`. */
function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
