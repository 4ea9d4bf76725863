/**
 * Reading test/fixtures/torch_rng.json (scripts/golden/gen_torch_rng.py):
 * each tensor is stored whole, or as its first values, float64 sum and the
 * CRC-32 of its little-endian bytes; `expectTensor` checks ours against it
 * bit for bit.
 */
import { crc32 } from 'node:zlib';
import { expect } from 'vitest';
import { readFixtureJson } from './fixtures';

export interface TensorRecord {
  dtype: 'float32' | 'float64' | 'int64';
  shape: number[];
  values?: number[];
  head?: number[];
  sum?: number;
  crc32?: number;
}

export interface RngCase {
  id: string;
  op: string;
  seed: number;
  args: Record<string, unknown>;
  result: TensorRecord;
}

export interface TorchRngFixture {
  torch_version: string;
  cpu_capability: string;
  mkl: boolean;
  primitives: RngCase[];
  [section: string]: unknown;
}

export function readTorchRngFixture(): TorchRngFixture {
  return readFixtureJson<TorchRngFixture>('torch_rng.json');
}

/** The first index where `ours` and `theirs` differ (bit for bit, NaN equal to NaN), or −1. */
function firstDifference(ours: ArrayLike<number>, theirs: ArrayLike<number>): number {
  for (let i = 0; i < theirs.length; i++) if (!Object.is(ours[i], theirs[i])) return i;
  return -1;
}

/** Asserts that `data` (float32, float64 or integer values) is exactly the recorded tensor. */
export function expectTensor(data: Float32Array | Float64Array | Int32Array | number[], rec: TensorRecord, label: string): void {
  const n = rec.shape.reduce((a, b) => a * b, 1);
  expect(data.length, `${label}: element count`).toBe(n);
  const ours = Array.from(data);
  if (rec.values) {
    const i = firstDifference(ours, rec.values);
    expect(i, `${label}: first differing element ${i}: ours ${ours[i]} torch ${rec.values[i]}`).toBe(-1);
    return;
  }
  const head = rec.head!;
  const i = firstDifference(ours.slice(0, head.length), head);
  expect(i, `${label}: first differing head element ${i}: ours ${ours[i]} torch ${head[i]}`).toBe(-1);
  const bytes = rec.dtype === 'float32' ? new Float32Array(ours) : rec.dtype === 'float64' ? new Float64Array(ours) : new BigInt64Array(ours.map(BigInt));
  expect(crc32(new Uint8Array(bytes.buffer)), `${label}: CRC-32 of the bytes (sum ours ${ours.reduce((a, b) => a + b, 0)} torch ${rec.sum})`).toBe(rec.crc32);
}

/**
 * Asserts that `data` agrees with the recorded tensor to `relative` (its stored values, or its head and sum):
 * for results that go through the C library's double log/sin/cos, which JavaScript's Math does not reproduce
 * to the last bit.
 */
export function expectTensorClose(data: Float64Array, rec: TensorRecord, relative: number, label: string): void {
  const stored = rec.values ?? rec.head!;
  for (let i = 0; i < stored.length; i++) {
    const scale = Math.max(1, Math.abs(stored[i]!));
    expect(Math.abs(data[i]! - stored[i]!) / scale, `${label}: element ${i}: ours ${data[i]} torch ${stored[i]}`).toBeLessThanOrEqual(relative);
  }
  if (rec.sum !== undefined) {
    let sum = 0;
    for (const v of data) sum += v;
    expect(Math.abs(sum - rec.sum) / Math.max(1, Math.abs(rec.sum)), `${label}: sum`).toBeLessThanOrEqual(relative * Math.sqrt(data.length));
  }
}

