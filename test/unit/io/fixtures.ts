/**
 * Byte builders for hand-made test files. They are written from the format
 * descriptions independently of the writers under test, so that a round trip
 * is not the only thing checking the readers.
 */
import { expect } from 'vitest';
import { IoError } from '../../../engine/io';

export function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/**
 * An NPY file: magic, version, header length (u16 for 1.x, u32 otherwise),
 * the header text as given (no padding added unless `pad`), then `data`.
 */
export function npyFile(header: string, data: Uint8Array | number[], options: { major?: number; minor?: number; pad?: boolean } = {}): Uint8Array {
  const { major = 1, minor = 0, pad = true } = options;
  const preamble = major === 1 ? 10 : 12;
  let text = header;
  if (pad) {
    text += ' '.repeat((64 - ((preamble + text.length + 1) % 64)) % 64);
    text += '\n';
  }
  const headerBytes = ascii(text);
  const lengthBytes = major === 1 ? [headerBytes.length & 0xff, headerBytes.length >> 8] : [headerBytes.length & 0xff, (headerBytes.length >> 8) & 0xff, (headerBytes.length >> 16) & 0xff, headerBytes.length >>> 24];
  return concat([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, minor], lengthBytes, headerBytes, data);
}

export const npyHeader = (descr: string, shape: string, fortran = false): string =>
  `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;

/** Bytes of numbers through a DataView setter, in the given byte order. */
export function packed(values: number[], size: number, set: (view: DataView, at: number, value: number, little: boolean) => void, littleEndian = true): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => set(view, i * size, v, littleEndian));
  return out;
}

export const f32 = (values: number[], le = true): Uint8Array => packed(values, 4, (v, at, x, l) => v.setFloat32(at, x, l), le);
export const f64 = (values: number[], le = true): Uint8Array => packed(values, 8, (v, at, x, l) => v.setFloat64(at, x, l), le);
export const i16 = (values: number[], le = true): Uint8Array => packed(values, 2, (v, at, x, l) => v.setInt16(at, x, l), le);
export const u16 = (values: number[], le = true): Uint8Array => packed(values, 2, (v, at, x, l) => v.setUint16(at, x, l), le);
export const i32 = (values: number[], le = true): Uint8Array => packed(values, 4, (v, at, x, l) => v.setInt32(at, x, l), le);
export const u32 = (values: number[], le = true): Uint8Array => packed(values, 4, (v, at, x, l) => v.setUint32(at, x, l), le);
export const i64 = (values: bigint[], le = true): Uint8Array => {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, v, le));
  return out;
};

/** A safetensors file: u64 header length, the header JSON text as given, then the buffer. */
export function safetensorsFile(header: unknown, buffer: Uint8Array | number[] = [], options: { headerLength?: number } = {}): Uint8Array {
  const json = ascii(typeof header === 'string' ? header : JSON.stringify(header));
  const length = options.headerLength ?? json.length;
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(length), true);
  return concat(prefix, json, buffer);
}

/** Runs `fn`, expecting an IoError whose message is exactly `message`. */
export function expectIoError(fn: () => unknown, message: string | RegExp): IoError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(IoError);
  const error = caught as IoError;
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  return error;
}
