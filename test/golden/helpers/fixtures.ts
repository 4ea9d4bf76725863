/**
 * Readers for the golden fixtures in test/fixtures (written by
 * scripts/golden/generate.py): JSON, safetensors and npy, with no Python.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Absolute path of a file under test/fixtures. */
export function fixturePath(relative: string): string {
  return FIXTURES + relative;
}

export function readFixtureJson<T>(relative: string): T {
  return JSON.parse(readFileSync(fixturePath(relative), 'utf8')) as T;
}

export type StoredArray = Float32Array | Float64Array | BigInt64Array | Int32Array;

export interface StoredTensor {
  readonly dtype: 'float32' | 'float64' | 'int64' | 'int32';
  readonly shape: number[];
  readonly data: StoredArray;
}

/** Copy little-endian bytes into a fresh, aligned typed array. */
function typedFromBytes(bytes: Uint8Array, dtype: StoredTensor['dtype']): StoredArray {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const view = new DataView(copy.buffer);
  const size = dtype === 'float64' || dtype === 'int64' ? 8 : 4;
  if (bytes.length % size !== 0) throw new Error(`byte length ${bytes.length} is not a multiple of ${size}`);
  const n = bytes.length / size;
  switch (dtype) {
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getBigInt64(8 * i, true);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
  }
}

const SAFETENSORS_DTYPES: Record<string, StoredTensor['dtype']> = { F32: 'float32', F64: 'float64', I64: 'int64', I32: 'int32' };

export interface SafetensorsFile {
  readonly metadata: Record<string, string>;
  readonly tensors: Map<string, StoredTensor>;
}

/**
 * safetensors: u64 little-endian header length N, N bytes of JSON
 * ({name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}), then the
 * data section that the offsets index into.
 */
export function readSafetensors(relative: string): SafetensorsFile {
  const buf = readFileSync(fixturePath(relative));
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const body = buf.subarray(8 + n);
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const tensors = new Map<string, StoredTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const kind = SAFETENSORS_DTYPES[dtype];
    if (!kind) throw new Error(`${relative}: unsupported dtype ${dtype} for ${name}`);
    const data = typedFromBytes(body.subarray(offsets[0], offsets[1]), kind);
    if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`${relative}: ${name} has ${data.length} values for shape [${shape}]`);
    tensors.set(name, { dtype: kind, shape, data });
  }
  return { metadata, tensors };
}

const NPY_DTYPES: Record<string, StoredTensor['dtype']> = { '<f4': 'float32', '<f8': 'float64', '<i8': 'int64', '<i4': 'int32' };

/** npy format 1.0: magic, version, u16 header length, Python-dict header, C-order data. */
export function readNpy(relative: string): StoredTensor {
  const buf = readFileSync(fixturePath(relative));
  if (buf.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error(`${relative}: not an npy file`);
  if (buf[6] !== 1) throw new Error(`${relative}: npy version ${buf[6]}.${buf[7]} (expected 1.0)`);
  const headerLength = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLength).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${relative}: unreadable npy header ${header}`);
  if (fortran !== 'False') throw new Error(`${relative}: Fortran order is not supported`);
  const dtype = NPY_DTYPES[descr];
  if (!dtype) throw new Error(`${relative}: unsupported dtype ${descr}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  return { dtype, shape, data: typedFromBytes(buf.subarray(10 + headerLength), dtype) };
}

/** The error `f` throws; fails the test when it throws none. */
export function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

/** What every sampled golden fixture records about how it was made (init.json, modules.json). */
export interface SampledFixtureHeader {
  format: string;
  torch_version: string;
  numpy_version: string;
  sample_size: number;
  std_ddof: number;
  quantile_probs: number[];
}
