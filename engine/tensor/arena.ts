/**
 * Buffer reuse from one training step to the next.
 *
 * A step allocates the same buffers every time: the batch, each op's output
 * in the forward pass, each gradient in the backward pass, a few float64
 * scratch arrays, in the same order and with the same lengths. Allocating
 * them afresh costs more than the arithmetic on a small model: every typed
 * array is an ArrayBuffer with a zeroed backing store that the garbage
 * collector must later find and free (measured on the article's
 * 10-100-10-1 model: about a sixth of a step).
 *
 * An arena hands out zeroed buffers during a step (`run`), remembering each
 * by dtype and length; in the next `run` it hands the same buffers out again,
 * zeroed, in the same order, and allocates only what the previous steps did
 * not need. Everything a step allocates is therefore valid until the next
 * step of the same arena starts, and no longer: nothing made during a step
 * may be kept past it (the Trainer keeps nothing: gradients are read by the
 * optimizer within the step, the optimizer's state and the trace's buffers
 * are allocated outside any arena, and a parameter's `.grad` is dropped by
 * `zeroGrad` at the start of the next step).
 *
 * Outside `run` (inspection, evaluation, tests), `allocate` is a plain
 * allocation.
 */
import type { DType, FloatArray } from './dtype';

/** The buffers of one dtype and length, and how many of them this step has taken. */
interface Pool {
  buffers: FloatArray[];
  taken: number;
}

export class BufferArena {
  private readonly pools = new Map<number, Pool>();
  private running = false;

  /**
   * fn() with every `allocate` served by this arena; the buffers the
   * previous `run` was given are handed out again.
   */
  run<T>(fn: () => T): T {
    if (this.running) throw new Error('BufferArena.run is not re-entrant');
    for (const pool of this.pools.values()) pool.taken = 0;
    const previous = active;
    active = this;
    this.running = true;
    try {
      return fn();
    } finally {
      this.running = false;
      active = previous;
    }
  }

  /**
   * A zeroed buffer (a reused one when the previous steps had one of this dtype and length to spare);
   * with `zeroed` false a reused buffer keeps the previous step's values (see `allocateUnset`).
   */
  take(dtype: DType, length: number, zeroed = true): FloatArray {
    // One number per (length, dtype): a Map with number keys, no string built per allocation.
    const key = dtype === 'float32' ? 2 * length : 2 * length + 1;
    let pool = this.pools.get(key);
    if (pool === undefined) this.pools.set(key, (pool = { buffers: [], taken: 0 }));
    if (pool.taken < pool.buffers.length) {
      const reused = pool.buffers[pool.taken++]!;
      if (zeroed) reused.fill(0);
      return reused;
    }
    const fresh = newArray(dtype, length);
    pool.buffers.push(fresh);
    pool.taken++;
    return fresh;
  }

  /** Bytes held for reuse (for tests and benchmarks). */
  get retainedBytes(): number {
    let bytes = 0;
    for (const pool of this.pools.values()) for (const b of pool.buffers) bytes += b.byteLength;
    return bytes;
  }
}

/** The arena of the step being run, if any. */
let active: BufferArena | null = null;

/** A zeroed array of `length` elements: from the running step's arena, else newly allocated. */
export function allocate(dtype: DType, length: number): FloatArray {
  return active === null ? newArray(dtype, length) : active.take(dtype, length);
}

/**
 * An array of `length` elements whose values are unspecified: for an output
 * the caller writes in full before anything reads it (a matrix product's C,
 * an elementwise result). Inside a step it is the previous step's buffer as
 * it was left, which saves the zeroing pass `allocate` makes over it.
 */
export function allocateUnset(dtype: DType, length: number): FloatArray {
  return active === null ? newArray(dtype, length) : active.take(dtype, length, false);
}

/** A zeroed float64 scratch array, reused across steps like `allocate`'s (ops accumulate in double). */
export function scratch64(length: number): Float64Array {
  return allocate('float64', length) as Float64Array;
}

function newArray(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}
