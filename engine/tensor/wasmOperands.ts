/**
 * Operand slots in the memory of an elementwise WebAssembly kernel module
 * (the AdamW kernels, ReLU): the JavaScript side copies each operand into a
 * slot of CHUNK elements, calls the kernel with the slots' byte offsets,
 * and copies the results back out.
 *
 * The memory is grown once, when the slots are laid out, and never again, so
 * the views below stay attached and the optimizer's or the graph's arrays
 * never live in module memory (a growth would detach them). Results of up to
 * CHUNK elements are copied out with `target.set(view)` through views of
 * exactly their length, kept per length and dtype: a model has a few tensor
 * sizes, and making a view per operand per call (`subarray`) would allocate
 * on every step.
 */
import type { FloatArray } from './dtype';
import { decodeBase64, ensureMemory } from './gemmWasm';

/** Lengths whose views are kept, per dtype; past this, views are made per call. */
const CACHED_LENGTHS = 32;

/** The exports every kernel module has besides its functions. */
interface ModuleBasics {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
}

/**
 * The module's exports, or null where WebAssembly (or its SIMD) is
 * unavailable: the caller then keeps its JavaScript loops. `imports` are
 * what the module imports (softmax's Math.exp).
 */
export function instantiateKernel<E>(base64: string, imports: WebAssembly.Imports = {}): (E & ModuleBasics) | null {
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(base64)), imports).exports as E & ModuleBasics;
  } catch {
    return null;
  }
}

export class OperandSlots {
  /** Byte offset of each slot (16-byte aligned, after the module's own data). */
  readonly at: number[];
  /** Byte offset of the first byte after the slots: `extraBytes` of scratch (sums) start here. */
  readonly end: number;
  private readonly buffer: ArrayBuffer;
  private readonly views = new Map<number, FloatArray[]>();

  /** `count` slots of `chunk` float64 values (float32 operands use half of each), plus `extraBytes`. */
  constructor(exports: ModuleBasics, count: number, readonly chunk: number, extraBytes = 0) {
    const base = (Number(exports.__heap_base.value) + 15) & ~15;
    this.at = Array.from({ length: count }, (_, i) => base + i * chunk * 8);
    this.end = base + count * chunk * 8;
    ensureMemory(exports.memory, this.end + extraBytes);
    this.buffer = exports.memory.buffer;
  }

  /** The slots as arrays of `length` (≤ chunk) elements of the dtype (float32 when `single`). */
  of(length: number, single: boolean): FloatArray[] {
    // One Map key per (length, dtype): length for float32, −1 − length for float64.
    const key = single ? length : -1 - length;
    let views = this.views.get(key);
    if (views === undefined) {
      views = this.at.map((offset) => (single ? new Float32Array(this.buffer, offset, length) : new Float64Array(this.buffer, offset, length)));
      if (this.views.size < 2 * CACHED_LENGTHS) this.views.set(key, views);
    }
    return views;
  }

  /** `count` doubles of the scratch after the slots. */
  scratch(count: number): Float64Array {
    return new Float64Array(this.buffer, this.end, count);
  }
}

/** Bytes a kernel's memory may grow to: its C code indexes with 32-bit signed integers. */
const MAX_KERNEL_MEMORY = 2 ** 31;

/**
 * Grows a kernel's memory to at least `bytes`; false, with the memory as it
 * was, when it cannot (past MAX_KERNEL_MEMORY, or the runtime refuses): the
 * caller then runs its JavaScript loops on operands that large.
 */
export function growMemory(memory: WebAssembly.Memory, bytes: number): boolean {
  if (bytes > MAX_KERNEL_MEMORY) return false;
  try {
    ensureMemory(memory, bytes);
    return true;
  } catch {
    return false;
  }
}

/** array[start, start + length): the array itself when that is all of it, so a one-chunk call makes no view. */
export function part<T extends FloatArray>(array: T, start: number, length: number): T {
  return start === 0 && length === array.length ? array : (array.subarray(start, start + length) as T);
}

/** Whether two arrays have one dtype: a kernel takes operands of one dtype only. */
export function sameDtype(x: FloatArray, y: FloatArray): boolean {
  return (x instanceof Float32Array) === (y instanceof Float32Array);
}

/** A kernel module's exports with its memory and the first 16-byte-aligned byte after its own data. */
export type LoadedKernel<E> = E & { memory: WebAssembly.Memory; base: number };

/**
 * The module of `base64`, instantiated on the first call and kept (null,
 * also kept, where WebAssembly or its SIMD is unavailable): for kernels that
 * lay out their operands per call from `base` on (`kernelRegions`).
 */
export function lazyKernel<E>(base64: string, imports: WebAssembly.Imports = {}): () => LoadedKernel<E> | null {
  let kernel: LoadedKernel<E> | null | undefined;
  return () => {
    if (kernel !== undefined) return kernel;
    const exports = instantiateKernel<E>(base64, imports);
    kernel = exports && { ...exports, memory: exports.memory, base: align16(Number(exports.__heap_base.value)) };
    return kernel;
  };
}

/** x rounded up to a multiple of 16 (arithmetic, not bitwise: offsets may pass 2³¹ before growMemory declines them). */
export function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

/**
 * Consecutive 16-byte-aligned regions of the given byte sizes from the
 * kernel's base, its memory grown to hold them; null when it cannot grow
 * that far (the caller then runs its JavaScript loops).
 */
export function kernelRegions(kernel: { memory: WebAssembly.Memory; base: number }, sizes: readonly number[]): number[] | null {
  const at: number[] = [];
  let next = kernel.base;
  for (const size of sizes) {
    at.push(next);
    next = align16(next + size);
  }
  return growMemory(kernel.memory, next) ? at : null;
}

/** `length` float32 (`single`) or float64 values of a module's memory from `byteOffset`. */
export function floatView(buffer: ArrayBuffer, single: boolean, byteOffset: number, length: number): FloatArray {
  return single ? new Float32Array(buffer, byteOffset, length) : new Float64Array(buffer, byteOffset, length);
}
