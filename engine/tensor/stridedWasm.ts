/**
 * Strided copies and column sums in WebAssembly SIMD (wasm/strided.c): the
 * same bits as the JavaScript loops they stand in for (views.ts's
 * `stridedCopy`, indexing.ts's scatters, matmul.ts's `columnSums`).
 *
 * Where they run: a transformer's heads. `q.view(B, T, H, D).transpose(1, 2)`
 * copies runs of D = 32 values, `k.transpose(-2, -1)` gathers with stride D,
 * `qkv.split(C, dim=2)` copies runs of C, and each of those has a scatter
 * or a permutation back in backward; a linear layer's bias gradient sums the
 * columns of a [B·T, out] gradient. V8 moves one element per loop iteration
 * (~1.5 ns per element on a 32-value run); the module moves four float32 per
 * instruction, and the copies in and out of its memory are block copies
 * (~0.1 ns per element).
 *
 * The module is instantiated on first use from its bytes
 * (wasm/stridedWasm.ts). A call copies the operands into the module's memory
 * (grown when a call needs more, and kept; a call needing more than 2 GiB is
 * declined), runs there and copies the result out. Where WebAssembly or SIMD
 * is unavailable, or for mixed dtypes or more than MAX_DIMS dimensions after
 * merging, the functions return false and the callers run their loops.
 */
import type { FloatArray } from './dtype';
import { STRIDED_WASM_BASE64 } from './wasm/stridedWasm';
import { floatView, kernelRegions, lazyKernel, sameDtype } from './wasmOperands';

/** Elements below which the call and copies (~1 µs) cost more than the loop they save. */
export const STRIDED_WASM_MIN_LENGTH = 1024;

/** As wasm/strided.c's MAX_DIMS. */
const MAX_DIMS = 16;
/** Bytes reserved for a geometry (1 + 2·MAX_DIMS int32s), 16-byte aligned. */
const GEOMETRY_BYTES = 144;

type Strided = (source: number, geometry: number, target: number) => void;
type ColumnSums = (g: number, rows: number, cols: number, acc: number) => void;

interface Exports {
  gather32: Strided;
  gather64: Strided;
  scatter32: Strided;
  scatter64: Strided;
  scatterAdd32: Strided;
  scatterAdd64: Strided;
  columnSums32: ColumnSums;
  columnSums64: ColumnSums;
}

const load = lazyKernel<Exports>(STRIDED_WASM_BASE64);

/**
 * The geometry with size-1 dimensions dropped and adjacent dimensions merged
 * where the outer one's stride continues the inner one (stride_d = stride_{d+1}·size_{d+1}):
 * the same elements in the same order, in longer runs. Written into `geometry`
 * as [ndim, shape…, strides…]; false when more than MAX_DIMS remain.
 */
function writeGeometry(shape: readonly number[], strides: readonly number[], geometry: Int32Array): boolean {
  const sizes: number[] = [];
  const steps: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = sizes.length - 1;
    if (last >= 0 && strides[d] === steps[last]! * sizes[last]!) {
      sizes[last] = sizes[last]! * size;
      continue;
    }
    sizes.push(size);
    steps.push(strides[d]!);
  }
  if (sizes.length === 0) {
    sizes.push(1);
    steps.push(0);
  }
  const ndim = sizes.length;
  if (ndim > MAX_DIMS) return false;
  geometry[0] = ndim;
  for (let i = 0; i < ndim; i++) {
    geometry[1 + i] = sizes[ndim - 1 - i]!;
    geometry[1 + ndim + i] = steps[ndim - 1 - i]!;
  }
  return true;
}

/** Elements from the first strided position to the last, inclusive (strides ≥ 0). */
function span(shape: readonly number[], strides: readonly number[]): number {
  let last = 0;
  for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * strides[d]!;
  return last + 1;
}

/**
 * out (contiguous, of `shape`) ← data at base + Σ index_d·strides[d], as views.ts's stridedCopy.
 * False, with nothing written, when the module is unavailable or the call is not one it takes.
 */
export function stridedCopyWasm(data: FloatArray, base: number, shape: readonly number[], strides: readonly number[], out: FloatArray): boolean {
  const K = load();
  if (!K || !sameDtype(data, out) || out.length === 0) return false;
  const single = data instanceof Float32Array;
  const width = single ? 4 : 8;
  const sourceLength = span(shape, strides);
  const at = kernelRegions(K, [GEOMETRY_BYTES, sourceLength * width, out.length * width]);
  if (at === null) return false;
  const [geometryAt, sourceAt, outAt] = at as [number, number, number];
  const buffer = K.memory.buffer;
  if (!writeGeometry(shape, strides, new Int32Array(buffer, geometryAt, 1 + 2 * MAX_DIMS))) return false;
  floatView(buffer, single, sourceAt, sourceLength).set(data.subarray(base, base + sourceLength));
  (single ? K.gather32 : K.gather64)(sourceAt, geometryAt, outAt);
  out.set(floatView(buffer, single, outAt, out.length));
  return true;
}

/**
 * target[base + Σ index_d·strides[d]] = values (`add` false) or += values (`add` true), as
 * indexing.ts's stridedScatter and stridedScatterAdd. False, with nothing written, when the module
 * is unavailable or the call is not one it takes.
 */
export function stridedScatterWasm(values: FloatArray, target: FloatArray, base: number, shape: readonly number[], strides: readonly number[], add: boolean): boolean {
  const K = load();
  if (!K || !sameDtype(values, target) || values.length === 0) return false;
  const single = values instanceof Float32Array;
  const width = single ? 4 : 8;
  const targetLength = span(shape, strides);
  const at = kernelRegions(K, [GEOMETRY_BYTES, values.length * width, targetLength * width]);
  if (at === null) return false;
  const [geometryAt, valuesAt, targetAt] = at as [number, number, number];
  const buffer = K.memory.buffer;
  if (!writeGeometry(shape, strides, new Int32Array(buffer, geometryAt, 1 + 2 * MAX_DIMS))) return false;
  const targetPart = target.subarray(base, base + targetLength);
  const T = floatView(buffer, single, targetAt, targetLength);
  T.set(targetPart);
  floatView(buffer, single, valuesAt, values.length).set(values);
  const run = add ? (single ? K.scatterAdd32 : K.scatterAdd64) : single ? K.scatter32 : K.scatter64;
  run(valuesAt, geometryAt, targetAt);
  targetPart.set(T);
  return true;
}

/**
 * acc[j] = Σ_r g[r·cols + j] in float64, the rows added in order (acc's previous values are
 * overwritten), as matmul.ts's columnSums. False, with nothing written, without the module.
 */
export function columnSumsWasm(g: FloatArray, rows: number, cols: number, acc: Float64Array): boolean {
  const K = load();
  if (!K || g.length !== rows * cols || acc.length !== cols) return false;
  const single = g instanceof Float32Array;
  const at = kernelRegions(K, [g.length * (single ? 4 : 8), cols * 8]);
  if (at === null) return false;
  const [gAt, accAt] = at as [number, number];
  const buffer = K.memory.buffer;
  floatView(buffer, single, gAt, g.length).set(g);
  (single ? K.columnSums32 : K.columnSums64)(gAt, rows, cols, accAt);
  acc.set(new Float64Array(buffer, accAt, cols));
  return true;
}
