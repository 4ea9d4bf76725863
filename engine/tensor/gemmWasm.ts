/**
 * The WebAssembly SIMD build of the GEMM kernel (wasm/gemm.c, same algorithm
 * and summation order as gemm.ts, two entries of C per f64x2 instruction).
 *
 * The module is instantiated on first use from its bytes (wasm/gemmWasm.ts).
 * Where WebAssembly or SIMD is unavailable (an old runtime, a policy that
 * forbids compiling code), `available()` is false and gemm.ts keeps using
 * its JavaScript kernel: the engine runs everywhere, with the same bits.
 *
 * Operands are copied into the module's memory for each product (O(mk + kn)
 * beside the O(mnk) work), the float64 sums copied back and rounded once
 * into C. The memory layout, from the module's heap base upward:
 *     A | B | C (float64) | bias (float64) | packed A | packed B
 * and the memory grows when a product needs more; it is kept for the next.
 */
import type { FloatArray } from './dtype';
import { GEMM_WASM_BASE64 } from './wasm/gemmWasm';

/** Must match MC, KC, NC of wasm/gemm.c. */
const PACK_A_DOUBLES = 64 * 256;
const PACK_B_DOUBLES = 256 * 128;
const PAGE = 65536;

type GemmExport = (
  a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number, single: number,
  m: number, k: number, n: number, c: number, bias: number, packA: number, packB: number,
) => void;

interface Kernel {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  gemm: GemmExport;
  heapBase: number;
}

let kernel: Kernel | null | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const module = new WebAssembly.Module(decodeBase64(GEMM_WASM_BASE64));
    const instance = new WebAssembly.Instance(module, {});
    const exports = instance.exports as { memory: WebAssembly.Memory; gemm: GemmExport; __heap_base: WebAssembly.Global };
    kernel = { module, memory: exports.memory, gemm: exports.gemm, heapBase: Number(exports.__heap_base.value) };
  } catch {
    kernel = null; // no WebAssembly, or no SIMD: the JavaScript kernel it is
  }
  return kernel;
}

/** The compiled module, for hosts that run it on more threads (worker/gemmPool.ts); null without WebAssembly. */
export function gemmWasmModule(): WebAssembly.Module | null {
  return load()?.module ?? null;
}

/** Whether the WebAssembly kernel can run here. */
export function wasmGemmAvailable(): boolean {
  return load() !== null;
}

const align = (x: number) => (x + 15) & ~15;

/**
 * C = init + A·B with the strides of gemm.ts's `gemm`; a and b share one
 * dtype. A(i, p) is read at a[aOffset + i·aRow + p·aCol] (a block of rows
 * of a larger product). Returns false (and does nothing) when WebAssembly
 * is unavailable.
 */
export function gemmWasm(
  a: FloatArray, aRow: number, aCol: number,
  b: FloatArray, bRow: number, bCol: number,
  m: number, k: number, n: number,
  c: FloatArray, bias: FloatArray | null,
  aOffset = 0,
): boolean {
  const K = load();
  if (K === null) return false;
  const single = a instanceof Float32Array;
  const width = single ? 4 : 8;
  const aAt = align(K.heapBase);
  const bAt = align(aAt + a.length * width);
  const cAt = align(bAt + b.length * width);
  const biasAt = align(cAt + m * n * 8);
  const packAAt = align(biasAt + (bias ? n * 8 : 0));
  const packBAt = align(packAAt + PACK_A_DOUBLES * 8);
  const end = packBAt + PACK_B_DOUBLES * 8;
  if (end > K.memory.buffer.byteLength) K.memory.grow(Math.ceil((end - K.memory.buffer.byteLength) / PAGE));
  const buffer = K.memory.buffer;
  if (single) {
    new Float32Array(buffer, aAt, a.length).set(a);
    new Float32Array(buffer, bAt, b.length).set(b);
  } else {
    new Float64Array(buffer, aAt, a.length).set(a);
    new Float64Array(buffer, bAt, b.length).set(b);
  }
  if (bias) new Float64Array(buffer, biasAt, n).set(bias);
  K.gemm(aAt + aOffset * width, aRow, aCol, bAt, bRow, bCol, single ? 1 : 0, m, k, n, cAt, bias ? biasAt : 0, packAAt, packBAt);
  c.set(new Float64Array(buffer, cAt, m * n)); // one rounding into float32
  return true;
}
