/**
 * safetensors checkpoints read a tensor at a time: the header (format in
 * engine/io/safetensors.ts) is read and validated, and each tensor's byte
 * range is streamed from the file only when asked for. Sharded checkpoints
 * (Hugging Face's `save_pretrained` above its shard size) are a
 * `model.safetensors.index.json`,
 *   { "metadata": { "total_size": … }, "weight_map": { "<tensor>": "model-00001-of-00002.safetensors", … } }
 * next to the shards; every shard is opened and must hold exactly the
 * tensors the map gives it.
 */
import { IoError } from '../io/errors';
import { headerLength, parseHeader } from '../io/safetensorsHeader';
import { readRange, type OpenRelative, type RandomAccessFile } from './source';
import { numelOf, streamTensor } from './stream';
import type { Checkpoint, CheckpointTensor } from './types';

async function shardTensors(file: RandomAccessFile): Promise<{ tensors: CheckpointTensor[]; metadata: Record<string, string> }> {
  const fail = (detail: string): never => {
    throw new IoError(file.name, detail);
  };
  const length = headerLength(await readRange(file, 0, Math.min(8, file.size), 'header length'), file.size, fail);
  const dataStart = 8 + length;
  const { tensors, metadata } = parseHeader(await readRange(file, 8, length, 'header'), file.size - dataStart, fail);
  return {
    metadata,
    tensors: tensors.map((t) => {
      const stored = { file, base: dataStart + t.begin, storageElements: numelOf(t.shape), dtype: t.dtype, littleEndian: true, shape: t.shape, offset: 0, name: t.name };
      return { name: t.name, dtype: t.dtype, shape: [...t.shape], numel: numelOf(t.shape), file: file.name, chunks: (max?: number) => streamTensor(stored, max) };
    }),
  };
}

export async function readSafetensorsCheckpoint(file: RandomAccessFile): Promise<Checkpoint> {
  const { tensors, metadata } = await shardTensors(file);
  return { format: 'safetensors', tensors, metadata, nesting: [], otherKeys: [], close: () => file.close() };
}

/** The index of a sharded checkpoint is small; anything larger is not one. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

/**
 * A sharded checkpoint from its index file. `open` opens the shards, named
 * relative to the index's folder; names that climb out of it are refused here
 * too (hosts also confine them).
 */
export async function readShardedSafetensors(index: RandomAccessFile, open: OpenRelative): Promise<Checkpoint> {
  const fail = (detail: string): never => {
    throw new IoError(index.name, detail);
  };
  if (index.size > MAX_INDEX_BYTES) fail(`index is ${index.size} bytes, over the ${MAX_INDEX_BYTES}-byte limit`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readRange(index, 0, index.size, 'index')));
  } catch (error) {
    if (error instanceof IoError) throw error;
    return fail(`index is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await index.close();
  }
  const map = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).weight_map : undefined;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return fail("index has no 'weight_map' object");
  const byShard = new Map<string, Set<string>>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || shard === '') fail(`weight_map['${name}'] is not a file name`);
    const s = shard as string;
    if (s.startsWith('/') || s.includes('\\') || /^[a-zA-Z]:/.test(s) || s.split('/').includes('..')) {
      fail(`weight_map['${name}'] names '${s}', outside the index's folder`);
    }
    if (!byShard.has(s)) byShard.set(s, new Set());
    byShard.get(s)!.add(name);
  }
  if (byShard.size === 0) fail('weight_map is empty');

  const opened: RandomAccessFile[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(opened.map((f) => f.close()));
  };
  try {
    const tensors: CheckpointTensor[] = [];
    const metadata: Record<string, string> = {};
    for (const [shard, names] of byShard) {
      const file = await open(shard);
      opened.push(file);
      const read = await shardTensors(file);
      Object.assign(metadata, read.metadata);
      for (const t of read.tensors) {
        if (!names.has(t.name)) fail(`shard '${shard}' holds '${t.name}', which the weight_map puts ${Object.hasOwn(map, t.name) ? `in '${(map as Record<string, string>)[t.name]}'` : 'nowhere'}`);
        names.delete(t.name);
        tensors.push(t);
      }
      if (names.size > 0) fail(`shard '${shard}' lacks ${[...names].slice(0, 3).map((n) => `'${n}'`).join(', ')}${names.size > 3 ? ` and ${names.size - 3} more` : ''}, which the weight_map puts there`);
    }
    return { format: 'safetensors-sharded', tensors, metadata, nesting: [], otherKeys: [], close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
