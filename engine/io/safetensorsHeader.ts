/**
 * Validation of a safetensors JSON header: the entries' types, each tensor's
 * byte span against its shape and dtype, and the spans' coverage of the data
 * buffer. The rules are the reference implementation's (huggingface/
 * safetensors): the tensors tile the buffer exactly, in offset order, with no
 * gap, overlap or trailing byte.
 */
import { ITEM_SIZE } from './elements';
import type { ElementType } from './types';

/** safetensors dtype names the reader decodes, and their element types. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, ElementType>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U64: 'uint64',
  U32: 'uint32',
  U16: 'uint16',
  U8: 'uint8',
  BOOL: 'bool',
};

export interface TensorEntry {
  name: string;
  dtype: ElementType;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** In data-offset order. */
  tensors: TensorEntry[];
  metadata: Record<string, string>;
}

/** The reference implementation's limit, which keeps a corrupt length from allocating gigabytes. */
export const MAX_HEADER_LENGTH = 100_000_000;

/**
 * N, the header length, from the file's first 8 bytes (little-endian u64),
 * checked against the limit and the file's size.
 */
export function headerLength(first8: Uint8Array, fileSize: number, fail: (detail: string) => never): number {
  if (first8.length < 8 || fileSize < 8) fail(`file is ${fileSize} bytes, too short for the 8-byte header length`);
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const length = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
  if (length > MAX_HEADER_LENGTH) fail(`header length ${length} is over the ${MAX_HEADER_LENGTH}-byte limit (not a safetensors file?)`);
  if (8 + length > fileSize) fail(`header length ${length} runs past the end of the file (${fileSize} bytes)`);
  return length;
}

/** The header's UTF-8 JSON, parsed and validated against a data buffer of `bufferLength` bytes. */
export function parseHeader(bytes: Uint8Array, bufferLength: number, fail: (detail: string) => never): SafetensorsHeader {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return fail(error instanceof SyntaxError ? `header is not valid JSON: ${error.message}` : 'header is not valid UTF-8');
  }
  return validateHeader(header, bufferLength, fail);
}

/**
 * Checks a parsed header against a data buffer of `bufferLength` bytes.
 * `fail` throws; its message names the tensor at fault.
 */
export function validateHeader(header: unknown, bufferLength: number, fail: (detail: string) => never): SafetensorsHeader {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('header is not a JSON object');
  let metadata: Record<string, string> = {};
  const tensors: TensorEntry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') metadata = validateMetadata(entry, fail);
    else tensors.push(validateEntry(name, entry, fail));
  }
  checkCoverage(tensors, bufferLength, fail);
  return { tensors, metadata };
}

function validateMetadata(entry: unknown, fail: (detail: string) => never): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail("'__metadata__' is not a JSON object");
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'string') fail(`'__metadata__' values must be strings; '${key}' is ${JSON.stringify(value)}`);
  }
  return { ...(entry as Record<string, string>) };
}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function validateEntry(name: string, entry: unknown, fail: (detail: string) => never): TensorEntry {
  const at = `tensor '${name}'`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail(`${at}: entry is not a JSON object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string') return fail(`${at}: 'dtype' is missing or not a string`);
  if (!Array.isArray(shape) || !shape.every(isCount)) return fail(`${at}: 'shape' is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    return fail(`${at}: 'data_offsets' is not a pair of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`${at}: data_offsets [${begin}, ${end}] end before they begin`);
  const type = Object.hasOwn(SAFETENSORS_DTYPES, dtype) ? SAFETENSORS_DTYPES[dtype]! : undefined;
  if (!type) return fail(`${at}: unsupported dtype '${dtype}'; supported are ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`);
  const needed = (shape as number[]).reduce((a, b) => a * b, 1) * ITEM_SIZE[type];
  if (needed !== end - begin) {
    fail(`${at}: shape [${shape.join(', ')}] of ${dtype} needs ${needed} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype: type, shape: shape as number[], begin, end };
}

/** Sorts `tensors` by offset and checks that they tile [0, bufferLength) exactly. */
function checkCoverage(tensors: TensorEntry[], bufferLength: number, fail: (detail: string) => never): void {
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end || (a.name < b.name ? -1 : 1));
  let covered = 0;
  let previous: TensorEntry | undefined;
  for (const t of tensors) {
    const span = (e: TensorEntry): string => `'${e.name}' [${e.begin}, ${e.end}]`;
    if (t.begin < covered) fail(`tensors ${span(previous!)} and ${span(t)} overlap`);
    if (t.end > bufferLength) fail(`tensor ${span(t)} runs past the end of the ${bufferLength}-byte data buffer (is the file truncated?)`);
    if (t.begin > covered) fail(`bytes ${covered}..${t.begin} of the data buffer belong to no tensor (a gap before '${t.name}')`);
    covered = t.end;
    previous = t;
  }
  if (covered < bufferLength) fail(`the data buffer has ${bufferLength} bytes but the tensors cover only ${covered} (trailing bytes)`);
}
