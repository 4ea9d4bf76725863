/**
 * max_pool2d(x, 2) with the indices of the maxima in WebAssembly
 * (wasm/maxPool.c): pool.ts's maxPool2x2Planes with its choices made by
 * `select` instead of branches, the same values and indices. On the MNIST
 * example's activations (64·64 planes of 24×24) ~4× faster than the
 * JavaScript loop, copies included.
 *
 * Planes go through the module's memory a chunk at a time (at least one
 * plane, else as many as fit in CHUNK input values), so the memory stays
 * small. Where WebAssembly is unavailable `maxPool2x2Wasm` returns false and
 * pool.ts runs its loop.
 */
import type { FloatArray } from './dtype';
import { ensureMemory } from './gemmWasm';
import { MAX_POOL_WASM_BASE64 } from './wasm/maxPoolWasm';
import { align16, lazyKernel } from './wasmOperands';

/** Input values per chunk: 64K float64 values are 512 KiB of module memory. */
const CHUNK = 65536;

type Run = (x: number, planes: number, H: number, W: number, OH: number, OW: number, y: number, argmax: number, base: number) => void;

const load = lazyKernel<{ max_pool2x2_32: Run; max_pool2x2_64: Run }>(MAX_POOL_WASM_BASE64);

/**
 * y[plane, i, j] = the maximum of x[plane, 2i..2i+1, 2j..2j+1] and argmax the flat index of x
 * it came from; false (nothing written) without WebAssembly or for mixed dtypes.
 */
export function maxPool2x2Wasm(xs: FloatArray, planes: number, H: number, W: number, OH: number, OW: number, y: FloatArray, argmax: Int32Array): boolean {
  const K = load();
  const single = xs instanceof Float32Array;
  if (!K || single !== y instanceof Float32Array) return false;
  const width = single ? 4 : 8;
  const plane = H * W;
  const outPlane = OH * OW;
  const chunk = Math.max(1, Math.floor(CHUNK / plane));
  const xAt = K.base;
  const yAt = align16(xAt + chunk * plane * width);
  const argAt = align16(yAt + chunk * outPlane * width);
  ensureMemory(K.memory, argAt + chunk * outPlane * 4);
  const buffer = K.memory.buffer;
  const run = single ? K.max_pool2x2_32 : K.max_pool2x2_64;
  for (let p0 = 0; p0 < planes; p0 += chunk) {
    const count = Math.min(chunk, planes - p0);
    const X = single ? new Float32Array(buffer, xAt, count * plane) : new Float64Array(buffer, xAt, count * plane);
    X.set(xs.subarray(p0 * plane, (p0 + count) * plane));
    run(xAt, count, H, W, OH, OW, yAt, argAt, p0 * plane);
    const n = count * outPlane;
    y.set(single ? new Float32Array(buffer, yAt, n) : new Float64Array(buffer, yAt, n), p0 * outPlane);
    argmax.set(new Int32Array(buffer, argAt, n), p0 * outPlane);
  }
  return true;
}
