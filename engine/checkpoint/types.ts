/**
 * What every checkpoint reader produces: a flat list of named tensors whose
 * elements are read on demand, a chunk at a time, as exact float64 values.
 */
import type { ElementType } from '../io/types';
import type { FloatArray } from '../tensor/dtype';

export type CheckpointFormat = 'safetensors' | 'safetensors-sharded' | 'torch-zip' | 'npz';

export interface CheckpointTensor {
  /** Dotted name, after the nesting below was unwrapped. */
  name: string;
  /** The element type in the file. */
  dtype: ElementType;
  /** Outermost first; [] for a 0-D tensor. */
  shape: number[];
  numel: number;
  /** The file the elements are in (a shard's name for sharded checkpoints). */
  file: string;
  /** The first tensor listed on the same storage (tied weights, or two views of one base), if any. */
  sharesStorageWith?: string;
  /** The first tensor listed that is this very tensor (same storage, offset, shape and stride: tied weights), if any. */
  identicalTo?: string;
  /**
   * The elements in C (row-major) order, at most `maxElements` per chunk,
   * exactly: a Float32Array for float32, float16 and bfloat16 (every such
   * value is a float32, and float32 chunks take half the memory and the
   * statistics' fast path), a Float64Array for the others (int64 beyond ±2⁵³
   * rounded to the nearest double). Each call reads the file again.
   */
  chunks(maxElements?: number): AsyncIterable<FloatArray>;
}

export interface Checkpoint {
  format: CheckpointFormat;
  tensors: CheckpointTensor[];
  /**
   * The keys that led from the file's top-level object to the state dict,
   * e.g. ['state_dict'] for Lightning, ['model'] for many training scripts; [] when it is the top level.
   */
  nesting: string[];
  /** A prefix removed from every name (DDP's 'module.'), if any. */
  strippedPrefix?: string;
  /** safetensors `__metadata__`, npz/torch: {}. */
  metadata: Record<string, string>;
  /** Other top-level entries that were not the weights (Lightning's 'epoch', 'optimizer_states' …). */
  otherKeys: string[];
  close(): Promise<void>;
}

/** Default elements per chunk: 8 MB of float64. */
export const DEFAULT_CHUNK_ELEMENTS = 1 << 20;

/** Every element of a tensor in one array (for small tensors and tests). */
export async function readTensorValues(tensor: CheckpointTensor): Promise<Float64Array> {
  const out = new Float64Array(tensor.numel);
  let at = 0;
  for await (const chunk of tensor.chunks()) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
