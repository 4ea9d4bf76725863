/**
 * The WebAssembly SIMD builds of the GEMM kernels (wasm/gemm.c, same
 * algorithm and summation order as gemm.ts): `gemm32` for float32 operands
 * (float32 sums, four entries of C per f32x4 instruction) and `gemm64` for
 * float64 operands (two entries per f64x2 instruction).
 *
 * Two builds of one source: 'portable' (a multiply and an add per step, two
 * roundings: the bits of gemm.ts's JavaScript kernel) and 'fused' (relaxed
 * SIMD's relaxed_madd, one rounding per step). A runtime may implement
 * relaxed_madd either way, so the fused build is used only where the start-up
 * probe (engine/numeric/relaxedSimd.ts) found both the f32x4 and the f64x2
 * form fused; elsewhere, or after `disableRelaxedSimd()`, products take the
 * portable build. `gemmBuild()` says which, per product, so that a thread
 * pool runs the same build as this thread.
 *
 * Each module is compiled on first use from its bytes (wasm/gemm*Wasm.ts).
 * Where WebAssembly or SIMD is unavailable (an old runtime, a policy that
 * forbids compiling code), `available()` is false and gemm.ts keeps using
 * its JavaScript kernel: the engine runs everywhere.
 *
 * Operands are copied into the module's memory for each product (O(mk + kn)
 * beside the O(mnk) work) and C copied back. The memory layout, from the
 * module's heap base upward (`wasmLayout`):
 *     A | B | C | bias | packed A | packed B
 * all in the operands' dtype; the memory grows when a product needs more and
 * is kept for the next.
 */
import { relaxedSimd } from '../numeric/relaxedSimd';
import type { FloatArray } from './dtype';
import { GEMM_FUSED_SHARED_WASM_BASE64 } from './wasm/gemmFusedSharedWasm';
import { GEMM_FUSED_WASM_BASE64 } from './wasm/gemmFusedWasm';
import { GEMM_SHARED_WASM_BASE64 } from './wasm/gemmSharedWasm';
import { GEMM_WASM_BASE64 } from './wasm/gemmWasm';

/** Packing buffers in elements; must match MC·KC and KC·NC + MR·NR of wasm/gemm.c (float32, float64). */
const PACK_A = { single: 128 * 256, double: 64 * 256 };
const PACK_B = { single: 256 * 2048 + 4 * 8, double: 256 * 128 + 4 * 4 };
const PAGE = 65536;

/**
 * Both exports take byte offsets: (a, aRow, aCol, b, bRow, bCol, m, k, n, c,
 * ldc, bias or 0, packA, packB); C's rows are ldc elements apart (n, or more
 * for a block of columns of a wider C).
 */
type GemmExport = (
  a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number,
  m: number, k: number, n: number, c: number, ldc: number, bias: number, packA: number, packB: number,
) => void;

export interface GemmInstance {
  memory: WebAssembly.Memory;
  gemm32: GemmExport;
  gemm64: GemmExport;
  heapBase: number;
}

interface Kernel extends GemmInstance {
  module: WebAssembly.Module;
}

/** Which build of wasm/gemm.c: a multiply and an add per step, or relaxed_madd where it is fused. */
export type GemmBuild = 'portable' | 'fused';

const BYTES: Record<GemmBuild, { own: string; shared: string }> = {
  portable: { own: GEMM_WASM_BASE64, shared: GEMM_SHARED_WASM_BASE64 },
  fused: { own: GEMM_FUSED_WASM_BASE64, shared: GEMM_FUSED_SHARED_WASM_BASE64 },
};

/** The instantiated builds (null: could not be compiled here), and the shared-memory modules. */
const kernels: Partial<Record<GemmBuild, Kernel | null>> = {};
const sharedModules: Partial<Record<GemmBuild, WebAssembly.Module | null>> = {};

/** The bytes of a module committed as base64 (atob: in every browser and in Node ≥ 16). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * An instance of a compiled kernel module with its exports. The module of
 * `gemmWasmModule` has a memory of its own; that of `gemmSharedModule`
 * imports `memory`, a shared WebAssembly.Memory that instances on several
 * threads use together (each thread needs its own instance).
 */
export function instantiateGemm(module: WebAssembly.Module, memory?: WebAssembly.Memory): GemmInstance {
  const exports = new WebAssembly.Instance(module, memory ? { env: { memory } } : {}).exports as {
    memory?: WebAssembly.Memory; gemm32: GemmExport; gemm64: GemmExport; __heap_base: WebAssembly.Global;
  };
  return { memory: memory ?? exports.memory!, gemm32: exports.gemm32, gemm64: exports.gemm64, heapBase: Number(exports.__heap_base.value) };
}

/**
 * The same kernels built to import a shared memory (`env.memory`, maximum
 * SHARED_MAX_PAGES pages), for hosts that split a product over threads
 * (worker/gemmPool.ts); null where WebAssembly threads or SIMD are unavailable.
 */
export function gemmSharedModule(build: GemmBuild = gemmBuild()): WebAssembly.Module | null {
  if (sharedModules[build] !== undefined) return sharedModules[build];
  let module: WebAssembly.Module | null;
  try {
    module = new WebAssembly.Module(decodeBase64(BYTES[build].shared));
  } catch {
    module = null;
  }
  return (sharedModules[build] = module);
}

/** The shared module's declared maximum memory (2 GiB; scripts/build-wasm.mjs), in 64 KiB pages. */
export const SHARED_MAX_PAGES = 32768;

function load(build: GemmBuild): Kernel | null {
  const known = kernels[build];
  if (known !== undefined) return known;
  let kernel: Kernel | null;
  try {
    const module = new WebAssembly.Module(decodeBase64(BYTES[build].own));
    kernel = { module, ...instantiateGemm(module) };
  } catch {
    kernel = null; // no WebAssembly, no SIMD, or (fused) no relaxed SIMD: a build below it is
  }
  return (kernels[build] = kernel);
}

/**
 * The build products take now: 'fused' where this runtime's relaxed_madd
 * rounds once for both float32 and float64 (and relaxed SIMD is not turned
 * off) and the fused module compiles, else 'portable'.
 */
export function gemmBuild(): GemmBuild {
  const simd = relaxedSimd();
  return simd.fusedMadd32 && simd.fusedMadd64 && load('fused') !== null ? 'fused' : 'portable';
}

/** The compiled module, for hosts that run it on more threads (worker/gemmPool.ts); null without WebAssembly. */
export function gemmWasmModule(build: GemmBuild = gemmBuild()): WebAssembly.Module | null {
  return load(build)?.module ?? null;
}

/** Where the module's heap starts (the same in every instance): for hosts that lay out another instance's memory. */
export function gemmWasmHeapBase(build: GemmBuild = gemmBuild()): number | null {
  return load(build)?.heapBase ?? null;
}

/** Whether the WebAssembly kernel can run here. */
export function wasmGemmAvailable(): boolean {
  return load('portable') !== null;
}

/**
 * Which kernel a product's operands take: 'single' when A, B, C (and the
 * bias, if any) are all float32, 'double' when all are float64, null for a
 * mix (which only the JavaScript kernel handles).
 */
export function gemmPrecision(a: FloatArray, b: FloatArray, c: FloatArray, bias: FloatArray | null): 'single' | 'double' | null {
  const single = a instanceof Float32Array;
  const same = (x: FloatArray) => (x instanceof Float32Array) === single;
  return same(b) && same(c) && (bias === null || same(bias)) ? (single ? 'single' : 'double') : null;
}

const align = (x: number) => (x + 15) & ~15;

/** Byte offsets of one thread's scratch (packed A, packed B and the edge tile) placed at `at`, and where it ends. */
export function scratchLayout(at: number, precision: 'single' | 'double') {
  const width = precision === 'single' ? 4 : 8;
  const packAAt = align(at);
  const packBAt = align(packAAt + PACK_A[precision] * width);
  return { packAAt, packBAt, end: packBAt + PACK_B[precision] * width };
}

/** Byte offsets of a product's operands and scratch in a kernel instance's memory, and the bytes it needs. */
export function wasmLayout(heapBase: number, precision: 'single' | 'double', aLength: number, bLength: number, cLength: number, biasLength: number) {
  const width = precision === 'single' ? 4 : 8;
  const aAt = align(heapBase);
  const bAt = align(aAt + aLength * width);
  const cAt = align(bAt + bLength * width);
  const biasAt = align(cAt + cLength * width);
  return { width, aAt, bAt, cAt, biasAt, ...scratchLayout(biasAt + biasLength * width, precision) };
}

/** Grows `memory` to at least `bytes`. */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
}

/** A view of `length` elements of the dtype at `byteOffset`. */
function view(buffer: ArrayBuffer, precision: 'single' | 'double', byteOffset: number, length: number): FloatArray {
  return precision === 'single' ? new Float32Array(buffer, byteOffset, length) : new Float64Array(buffer, byteOffset, length);
}

/**
 * C = init + A·B with the strides of gemm.ts's `gemm`. Returns false (and
 * does nothing) when WebAssembly is unavailable or the operands mix dtypes.
 */
export function gemmWasm(
  a: FloatArray, aRow: number, aCol: number,
  b: FloatArray, bRow: number, bCol: number,
  m: number, k: number, n: number,
  c: FloatArray, bias: FloatArray | null,
): boolean {
  const K = load(gemmBuild());
  if (K === null) return false;
  const precision = gemmPrecision(a, b, c, bias);
  if (precision === null) return false;
  const at = wasmLayout(K.heapBase, precision, a.length, b.length, m * n, bias ? n : 0);
  ensureMemory(K.memory, at.end);
  const buffer = K.memory.buffer;
  view(buffer, precision, at.aAt, a.length).set(a);
  view(buffer, precision, at.bAt, b.length).set(b);
  if (bias) view(buffer, precision, at.biasAt, n).set(bias);
  const run = precision === 'single' ? K.gemm32 : K.gemm64;
  run(at.aAt, aRow, aCol, at.bAt, bRow, bCol, m, k, n, at.cAt, n, bias ? at.biasAt : 0, at.packAAt, at.packBAt);
  c.set(view(buffer, precision, at.cAt, m * n));
  return true;
}
