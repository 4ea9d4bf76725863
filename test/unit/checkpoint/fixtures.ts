/** The checkpoint fixtures (scripts/golden/gen_checkpoints.py) opened from memory, and torch's expected values. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bytesFile, openCheckpoint, type Checkpoint } from '../../../engine/checkpoint';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/checkpoints');

type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface ExpectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  values: JsonNumber[];
  sum: JsonNumber;
  mean: JsonNumber | null;
  std: JsonNumber | null;
}

export interface ExpectedFile {
  nesting: string[];
  strippedPrefix?: string;
  tensors: ExpectedTensor[];
  /** trained/trained.pt: ‖θ − θ₀‖/‖θ₀‖ from trained/initial.pt, by torch in float64. */
  drift?: Record<string, JsonNumber | null>;
}

export const EXPECTED = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as { files: Record<string, ExpectedFile> };

export function num(x: JsonNumber): number {
  return x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x;
}

export function fixtureBytes(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, rel)));
}

/** Opens a fixture from memory; shards are looked up next to it. */
export function openFixture(rel: string): Promise<Checkpoint> {
  const folder = path.dirname(rel);
  return openCheckpoint(bytesFile(rel, fixtureBytes(rel)), async (shard) => bytesFile(shard, fixtureBytes(path.join(folder, shard))));
}
