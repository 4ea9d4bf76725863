/**
 * Dense matrix-product kernels on row-major typed arrays, shared by `matmul`
 * and `linear` and their backward passes.
 *
 * Arithmetic: the operands' own. float32 operands are multiplied and summed
 * in float32, float64 operands in float64, as torch does (its float32
 * matmuls go to a float32 BLAS). Summing float32 in float64 and rounding
 * once would be more accurate, but costs half the SIMD lanes: a 4-wide
 * float32 lane does twice the work of a 2-wide float64 one, which is what
 * the peers' float32 kernels (XNNPACK, BLAS) use. torch's BLAS sums in a
 * blocked, FMA-based order that depends on the library and the CPU, so no
 * fixed order reproduces it bit for bit; the errors of the two orders are of
 * the same size (≈ √k·u·Σ|a·b| typically, γ_k·Σ|a·b| at worst, u = 2^-24).
 *
 * Summation order. Every entry is summed in the textbook order, one
 * multiply-add per step,
 *     s = init;  for p = 0, 1, …, k − 1:  s = madd(a_ip, b_pj, s)
 * (init = the bias, or 0; fl below rounds to the operands' dtype), with one
 * of two multiply-adds:
 *     separate:  madd(a, b, s) = fl(s + fl(a·b))   (two roundings)
 *     fused:     madd(a, b, s) = fl(a·b + s)       (one rounding, an FMA)
 * What is guaranteed: every product equals that loop bit for bit, with the
 * multiply-add of the kernel that ran it, for every shape, transposition
 * form and bias, and on any number of threads. The product runs fused when it
 * takes the WebAssembly kernel (at least WASM_MIN_WORK multiply-adds, one
 * dtype) in a runtime whose relaxed SIMD madd the start-up probe found fused
 * (engine/numeric/relaxedSimd.ts: x86-64 with FMA3 and arm64, once the host
 * has turned relaxed SIMD on, as the CLI, the engine worker and the tests
 * do), and separate otherwise: smaller products and mixed dtypes (the
 * JavaScript kernel: JavaScript never contracts a·b + s into an FMA), no
 * WebAssembly, no relaxed SIMD, or after `disableRelaxedSimd()` (the
 * portable WebAssembly build, simd128 alone having no FMA). So in one
 * runtime a product always gives the same bits, and the two arithmetics
 * differ in the last bits only: to first order a step is within
 * u·|s + a·b| + u·|a·b| of s + a·b (separate) or u·|s + a·b| (fused), and the
 * whole sum within γ_k·Σ|a·b| either way; torch's BLAS kernels fuse too. The
 * tests' reference is the loop above, with engine/numeric/fma.ts's fma32 and
 * fma64 for the fused form (test/unit/support/gemmReference.ts).
 * (float32 arithmetic in JavaScript is float64 arithmetic rounded by
 * Math.fround after each operation, which gives the float32 result: see
 * gemm32 below.)
 *
 * Speed comes from the loop structure only, as in Goto & van de Geijn,
 * "Anatomy of High-Performance Matrix Multiplication" (2008):
 *  - packing: a KC×NC block of B and a MR×KC sliver of A are copied into
 *    contiguous buffers (of the operands' dtype) in the order the inner
 *    kernel reads them, whatever the layout of the operands (A·B, Aᵀ·B and
 *    A·Bᵀ differ only in the strides the packing reads with, so all three
 *    run equally fast);
 *  - register blocking: the inner kernel keeps an MR×NR tile of C in local
 *    variables (4×4 here, 4×8 in the WebAssembly float32 kernel) for a whole
 *    KC-long slice of p, reading MR + NR packed values per MR·NR multiply-adds;
 *  - cache blocking: the B block stays in L2, a sliver of A and a sliver of
 *    B in L1.
 * Slices of p are taken in increasing order; between slices the running
 * sums wait in C (float32 sums, and float64 sums into float64 C) or in a
 * float64 buffer (float64 sums into float32 C, for mixed operands), so the
 * order above is kept. Packed slivers are padded with zeros to full tiles;
 * the padding only feeds tile entries outside C, which are never stored.
 */
import type { FloatArray } from './dtype';
import { gemmPrecision, gemmWasm } from './gemmWasm';

/**
 * Which kernel runs a product: 'auto' (WebAssembly SIMD for products of at
 * least WASM_MIN_WORK multiply-adds when the runtime has it, else
 * JavaScript) or 'js' (always JavaScript, the separate multiply-add: the
 * bits of the portable WebAssembly build). Tests run each, and the
 * JavaScript one is the fallback where WebAssembly is not available.
 */
export type GemmKernel = 'auto' | 'js';
let kernel: GemmKernel = 'auto';

/** Smaller products stay in JavaScript: copying operands in and out would cost more than it saves. */
export const WASM_MIN_WORK = 1 << 12;

/**
 * A host-provided runner that splits a large product over more threads
 * (worker/gemmPool.ts; the engine itself starts no threads). It computes
 * exactly what `gemm` computes, with the same kernel per entry, and returns
 * false to decline (then the product runs here, on one thread).
 */
export type GemmParallel = (
  a: FloatArray, aRow: number, aCol: number, b: FloatArray, bRow: number, bCol: number,
  m: number, k: number, n: number, c: FloatArray, bias: FloatArray | null,
) => boolean;
let parallel: GemmParallel | null = null;

/**
 * Products of at least this many multiply-adds go to the parallel runner,
 * when there is one: 4M multiply-adds are ~0.14 ms of one thread's work at
 * 60 GFLOP/s, and a 64×256×256 product measured 1.6× faster on two threads
 * when the second was awake, but slower when it first had to be woken
 * (tens of microseconds); smaller products would rarely gain.
 */
export const PARALLEL_MIN_WORK = 1 << 22;

export function setGemmParallel(runner: GemmParallel | null): void {
  parallel = runner;
}

export function setGemmKernel(kind: GemmKernel): void {
  kernel = kind;
}

export function gemmKernel(): GemmKernel {
  return kernel;
}

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;
const NC = 128;

// Scratch reused by every call (the engine is single-threaded per worker):
// no allocation per product in steady state.
// Packed slivers never exceed MC·KC and KC·NC elements.
const packedA = new Float64Array(MC * KC);
const packedB = new Float64Array(KC * NC);
const packedA32 = new Float32Array(MC * KC);
const packedB32 = new Float32Array(KC * NC);
let partial = new Float64Array(0);
const tile = new Float64Array(MR * NR);

/**
 * C[m×n] = init + A·B with A(i, p) = a[i·aRow + p·aCol] and
 * B(p, j) = b[p·bRow + j·bCol]; init is `bias` (length n) on every row, or 0.
 * In float32 arithmetic when A, B, C (and the bias) are float32, else in
 * float64 arithmetic with one rounding into C.
 */
export function gemm(
  a: FloatArray,
  aRow: number,
  aCol: number,
  b: FloatArray,
  bRow: number,
  bCol: number,
  m: number,
  k: number,
  n: number,
  c: FloatArray,
  bias: FloatArray | null,
): void {
  if (m === 0 || n === 0) return;
  if (kernel === 'auto' && k > 0) {
    const work = m * n * k;
    if (parallel !== null && work >= PARALLEL_MIN_WORK && parallel(a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias)) return;
    if (work >= WASM_MIN_WORK && gemmWasm(a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias)) return;
  }
  if (k === 0) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[i * n + j] = bias === null ? 0 : bias[j]!;
    return;
  }
  if ((m < MR || n < NR) && m * n * k <= DIRECT_MAX_WORK) {
    direct(a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias);
    return;
  }
  if (gemmPrecision(a, b, c, bias) === 'single') {
    gemm32(a as Float32Array, aRow, aCol, b as Float32Array, bRow, bCol, m, k, n, c as Float32Array, bias as Float32Array | null);
    return;
  }
  // float64 sums. One slice of p: entries go straight to C. Several: running sums in a float64 buffer.
  let sums: FloatArray = c;
  if (k > KC && !(c instanceof Float64Array)) {
    if (partial.length < m * n) partial = new Float64Array(m * n);
    sums = partial;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(packedB, b, bRow, bCol, pc, kc, jc, nc);
      const first = pc === 0;
      const target = pc + kc === k ? c : sums;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(packedA, a, aRow, aCol, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const j0 = jc + jr;
          const nr = Math.min(NR, n - j0);
          for (let ir = 0; ir < mc; ir += MR) {
            const i0 = ic + ir;
            const mr = Math.min(MR, m - i0);
            if (mr === MR && nr === NR) {
              // Full tile: sums start in registers and go straight to their target.
              fullTile(kc, ir * kc, jr * kc, first ? null : sums, bias, target, i0 * n + j0, n, j0);
              continue;
            }
            loadTile(first ? null : sums, bias, i0, mr, j0, nr, n, first);
            microKernel(kc, ir * kc, jr * kc);
            storeTile(target, i0, mr, j0, nr, n);
          }
        }
      }
    }
  }
}

/**
 * Small products thinner than one tile (fewer than MR rows or NR columns of
 * C: the article's 10→1 output layer and its gradients) are computed entry by
 * entry without packing, where padding every sliver to a 4×4 tile would
 * waste most of the work (32×10×1 + bias: 0.8 against 1.9 µs). Products at
 * least one tile high and wide keep the register tiles, which win even at
 * k = 1 (32×1×10: 1.0 against 1.7 µs entry by entry).
 */
const DIRECT_MAX_WORK = 4096;

/** The textbook loop itself, in the same order and arithmetic as the packed kernels (float64 sums for mixed dtypes). */
function direct(a: FloatArray, aRow: number, aCol: number, b: FloatArray, bRow: number, bCol: number, m: number, k: number, n: number, c: FloatArray, bias: FloatArray | null): void {
  if (gemmPrecision(a, b, c, bias) === 'single') {
    const f = Math.fround;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = bias === null ? 0 : bias[j]!;
        for (let p = 0, x = i * aRow, y = j * bCol; p < k; p++, x += aCol, y += bRow) s = f(s + f(a[x]! * b[y]!));
        c[i * n + j] = s;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias === null ? 0 : bias[j]!;
      for (let p = 0, x = i * aRow, y = j * bCol; p < k; p++, x += aCol, y += bRow) s += a[x]! * b[y]!;
      c[i * n + j] = s;
    }
  }
}

/** B(pc .. pc+kc, jc .. jc+nc) as NR-wide slivers, each kc rows of NR values (zero-padded). */
function packB(out: FloatArray, b: FloatArray, bRow: number, bCol: number, pc: number, kc: number, jc: number, nc: number): void {
  const slivers = Math.ceil(nc / NR);
  for (let s = 0; s < slivers; s++) {
    const j0 = jc + s * NR;
    const width = Math.min(NR, jc + nc - j0);
    let o = s * NR * kc;
    let src = pc * bRow + j0 * bCol;
    if (width === NR) {
      for (let p = 0; p < kc; p++, o += NR, src += bRow) {
        out[o] = b[src]!;
        out[o + 1] = b[src + bCol]!;
        out[o + 2] = b[src + 2 * bCol]!;
        out[o + 3] = b[src + 3 * bCol]!;
      }
      continue;
    }
    for (let p = 0; p < kc; p++, o += NR, src += bRow) {
      for (let c = 0; c < NR; c++) out[o + c] = c < width ? b[src + c * bCol]! : 0;
    }
  }
}

/**
 * A(ic .. ic+mc, pc .. pc+kc) as MR-high slivers, each kc columns of MR
 * values (zero-padded). The loops walk the operand along its contiguous
 * dimension: rows of A for A·B, columns of the stored matrix for Aᵀ·B.
 */
function packA(out: FloatArray, a: FloatArray, aRow: number, aCol: number, ic: number, mc: number, pc: number, kc: number): void {
  const slivers = Math.ceil(mc / MR);
  if (mc % MR !== 0) out.fill(0, (slivers - 1) * MR * kc, slivers * MR * kc);
  if (aCol === 1) {
    for (let r = 0; r < mc; r++) {
      const o = ((r / MR) | 0) * MR * kc + (r % MR);
      const src = (ic + r) * aRow + pc;
      for (let p = 0; p < kc; p++) out[o + p * MR] = a[src + p]!;
    }
  } else {
    for (let p = 0; p < kc; p++) {
      const src = (pc + p) * aCol + ic * aRow;
      for (let r = 0; r < mc; r++) out[((r / MR) | 0) * MR * kc + p * MR + (r % MR)] = a[src + r * aRow]!;
    }
  }
}

/** The tile's running sums: the bias (or 0) before the first slice of p, else the float64 partial sums. */
function loadTile(sums: FloatArray | null, bias: FloatArray | null, i0: number, mr: number, j0: number, nr: number, n: number, first: boolean): void {
  for (let r = 0; r < MR; r++) {
    for (let c = 0; c < NR; c++) {
      let v = 0;
      if (r < mr && c < nr) v = first ? (bias === null ? 0 : bias[j0 + c]!) : sums![(i0 + r) * n + j0 + c]!;
      tile[r * NR + c] = v;
    }
  }
}

function storeTile(target: FloatArray, i0: number, mr: number, j0: number, nr: number, n: number): void {
  for (let r = 0; r < mr; r++) {
    const row = (i0 + r) * n + j0;
    for (let c = 0; c < nr; c++) target[row + c] = tile[r * NR + c]!;
  }
}

/** Edge tiles: tile += packed A sliver (at aOffset) · packed B sliver (at bOffset), p = 0 … kc − 1 in order. */
function microKernel(kc: number, aOffset: number, bOffset: number): void {
  const A = packedA;
  const B = packedB;
  const T = tile;
  let c00 = T[0]!, c01 = T[1]!, c02 = T[2]!, c03 = T[3]!;
  let c10 = T[4]!, c11 = T[5]!, c12 = T[6]!, c13 = T[7]!;
  let c20 = T[8]!, c21 = T[9]!, c22 = T[10]!, c23 = T[11]!;
  let c30 = T[12]!, c31 = T[13]!, c32 = T[14]!, c33 = T[15]!;
  let pa = aOffset;
  let pb = bOffset;
  for (let p = 0; p < kc; p++) {
    const b0 = B[pb]!, b1 = B[pb + 1]!, b2 = B[pb + 2]!, b3 = B[pb + 3]!;
    let a = A[pa]!;
    c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
    a = A[pa + 1]!;
    c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
    a = A[pa + 2]!;
    c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
    a = A[pa + 3]!;
    c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
    pa += MR;
    pb += NR;
  }
  T[0] = c00; T[1] = c01; T[2] = c02; T[3] = c03;
  T[4] = c10; T[5] = c11; T[6] = c12; T[7] = c13;
  T[8] = c20; T[9] = c21; T[10] = c22; T[11] = c23;
  T[12] = c30; T[13] = c31; T[14] = c32; T[15] = c33;
}

/**
 * The micro-kernel for a full 4×4 tile of C at `at` (row stride n): the
 * running sums start from `sums` (a later slice of p), else from the bias
 * (or 0), and are written to `target` after p = 0 … kc − 1, in order.
 */
function fullTile(kc: number, aOffset: number, bOffset: number, sums: FloatArray | null, bias: FloatArray | null, target: FloatArray, at: number, n: number, j0: number): void {
  const A = packedA;
  const B = packedB;
  let c00: number, c01: number, c02: number, c03: number;
  let c10: number, c11: number, c12: number, c13: number;
  let c20: number, c21: number, c22: number, c23: number;
  let c30: number, c31: number, c32: number, c33: number;
  if (sums !== null) {
    let o = at;
    c00 = sums[o]!; c01 = sums[o + 1]!; c02 = sums[o + 2]!; c03 = sums[o + 3]!;
    o += n;
    c10 = sums[o]!; c11 = sums[o + 1]!; c12 = sums[o + 2]!; c13 = sums[o + 3]!;
    o += n;
    c20 = sums[o]!; c21 = sums[o + 1]!; c22 = sums[o + 2]!; c23 = sums[o + 3]!;
    o += n;
    c30 = sums[o]!; c31 = sums[o + 1]!; c32 = sums[o + 2]!; c33 = sums[o + 3]!;
  } else if (bias !== null) {
    c00 = c10 = c20 = c30 = bias[j0]!;
    c01 = c11 = c21 = c31 = bias[j0 + 1]!;
    c02 = c12 = c22 = c32 = bias[j0 + 2]!;
    c03 = c13 = c23 = c33 = bias[j0 + 3]!;
  } else {
    c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = 0;
  }
  let pa = aOffset;
  let pb = bOffset;
  for (let p = 0; p < kc; p++) {
    const b0 = B[pb]!, b1 = B[pb + 1]!, b2 = B[pb + 2]!, b3 = B[pb + 3]!;
    let a = A[pa]!;
    c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
    a = A[pa + 1]!;
    c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
    a = A[pa + 2]!;
    c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
    a = A[pa + 3]!;
    c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
    pa += MR;
    pb += NR;
  }
  let o = at;
  target[o] = c00; target[o + 1] = c01; target[o + 2] = c02; target[o + 3] = c03;
  o += n;
  target[o] = c10; target[o + 1] = c11; target[o + 2] = c12; target[o + 3] = c13;
  o += n;
  target[o] = c20; target[o + 1] = c21; target[o + 2] = c22; target[o + 3] = c23;
  o += n;
  target[o] = c30; target[o + 1] = c31; target[o + 2] = c32; target[o + 3] = c33;
}

/**
 * The float32 product: the loop structure above with float32 packed slivers,
 * running sums kept in C itself between slices of p (they are float32 values
 * at every step), and every product and sum rounded to float32 with
 * Math.fround, which computes what the WebAssembly kernel's f32x4 lanes do:
 * the double product of two floats is exact (24 + 24 bits < 53), and a
 * double sum of two floats rounded to float32 is the float32 sum, since
 * double has more than 2·24 + 2 bits (Figueroa, "When is double rounding
 * innocuous?", 1995).
 */
function gemm32(a: Float32Array, aRow: number, aCol: number, b: Float32Array, bRow: number, bCol: number, m: number, k: number, n: number, c: Float32Array, bias: Float32Array | null): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(packedB32, b, bRow, bCol, pc, kc, jc, nc);
      const first = pc === 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(packedA32, a, aRow, aCol, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const j0 = jc + jr;
          const nr = Math.min(NR, n - j0);
          for (let ir = 0; ir < mc; ir += MR) {
            const i0 = ic + ir;
            const mr = Math.min(MR, m - i0);
            if (mr === MR && nr === NR) {
              fullTile32(kc, ir * kc, jr * kc, first, bias, c, i0 * n + j0, n, j0);
              continue;
            }
            loadTile(first ? null : c, bias, i0, mr, j0, nr, n, first);
            microKernel32(kc, ir * kc, jr * kc);
            storeTile(c, i0, mr, j0, nr, n);
          }
        }
      }
    }
  }
}

/** microKernel in float32 arithmetic: tile = fl32(tile + fl32(a·b)), p = 0 … kc − 1 in order. */
function microKernel32(kc: number, aOffset: number, bOffset: number): void {
  const A = packedA32;
  const B = packedB32;
  const T = tile;
  const f = Math.fround;
  let c00 = T[0]!, c01 = T[1]!, c02 = T[2]!, c03 = T[3]!;
  let c10 = T[4]!, c11 = T[5]!, c12 = T[6]!, c13 = T[7]!;
  let c20 = T[8]!, c21 = T[9]!, c22 = T[10]!, c23 = T[11]!;
  let c30 = T[12]!, c31 = T[13]!, c32 = T[14]!, c33 = T[15]!;
  let pa = aOffset;
  let pb = bOffset;
  for (let p = 0; p < kc; p++) {
    const b0 = B[pb]!, b1 = B[pb + 1]!, b2 = B[pb + 2]!, b3 = B[pb + 3]!;
    let a = A[pa]!;
    c00 = f(c00 + f(a * b0)); c01 = f(c01 + f(a * b1)); c02 = f(c02 + f(a * b2)); c03 = f(c03 + f(a * b3));
    a = A[pa + 1]!;
    c10 = f(c10 + f(a * b0)); c11 = f(c11 + f(a * b1)); c12 = f(c12 + f(a * b2)); c13 = f(c13 + f(a * b3));
    a = A[pa + 2]!;
    c20 = f(c20 + f(a * b0)); c21 = f(c21 + f(a * b1)); c22 = f(c22 + f(a * b2)); c23 = f(c23 + f(a * b3));
    a = A[pa + 3]!;
    c30 = f(c30 + f(a * b0)); c31 = f(c31 + f(a * b1)); c32 = f(c32 + f(a * b2)); c33 = f(c33 + f(a * b3));
    pa += MR;
    pb += NR;
  }
  T[0] = c00; T[1] = c01; T[2] = c02; T[3] = c03;
  T[4] = c10; T[5] = c11; T[6] = c12; T[7] = c13;
  T[8] = c20; T[9] = c21; T[10] = c22; T[11] = c23;
  T[12] = c30; T[13] = c31; T[14] = c32; T[15] = c33;
}

/** fullTile in float32 arithmetic; the running sums start from C itself after the first slice of p. */
function fullTile32(kc: number, aOffset: number, bOffset: number, first: boolean, bias: Float32Array | null, c: Float32Array, at: number, n: number, j0: number): void {
  const A = packedA32;
  const B = packedB32;
  const f = Math.fround;
  let c00: number, c01: number, c02: number, c03: number;
  let c10: number, c11: number, c12: number, c13: number;
  let c20: number, c21: number, c22: number, c23: number;
  let c30: number, c31: number, c32: number, c33: number;
  if (!first) {
    let o = at;
    c00 = c[o]!; c01 = c[o + 1]!; c02 = c[o + 2]!; c03 = c[o + 3]!;
    o += n;
    c10 = c[o]!; c11 = c[o + 1]!; c12 = c[o + 2]!; c13 = c[o + 3]!;
    o += n;
    c20 = c[o]!; c21 = c[o + 1]!; c22 = c[o + 2]!; c23 = c[o + 3]!;
    o += n;
    c30 = c[o]!; c31 = c[o + 1]!; c32 = c[o + 2]!; c33 = c[o + 3]!;
  } else if (bias !== null) {
    c00 = c10 = c20 = c30 = bias[j0]!;
    c01 = c11 = c21 = c31 = bias[j0 + 1]!;
    c02 = c12 = c22 = c32 = bias[j0 + 2]!;
    c03 = c13 = c23 = c33 = bias[j0 + 3]!;
  } else {
    c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = 0;
  }
  let pa = aOffset;
  let pb = bOffset;
  for (let p = 0; p < kc; p++) {
    const b0 = B[pb]!, b1 = B[pb + 1]!, b2 = B[pb + 2]!, b3 = B[pb + 3]!;
    let a = A[pa]!;
    c00 = f(c00 + f(a * b0)); c01 = f(c01 + f(a * b1)); c02 = f(c02 + f(a * b2)); c03 = f(c03 + f(a * b3));
    a = A[pa + 1]!;
    c10 = f(c10 + f(a * b0)); c11 = f(c11 + f(a * b1)); c12 = f(c12 + f(a * b2)); c13 = f(c13 + f(a * b3));
    a = A[pa + 2]!;
    c20 = f(c20 + f(a * b0)); c21 = f(c21 + f(a * b1)); c22 = f(c22 + f(a * b2)); c23 = f(c23 + f(a * b3));
    a = A[pa + 3]!;
    c30 = f(c30 + f(a * b0)); c31 = f(c31 + f(a * b1)); c32 = f(c32 + f(a * b2)); c33 = f(c33 + f(a * b3));
    pa += MR;
    pb += NR;
  }
  let o = at;
  c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
  o += n;
  c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13;
  o += n;
  c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23;
  o += n;
  c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
}

/** C[m×n] = A[m×k] · B[k×n]. */
export function gemmNN(a: FloatArray, b: FloatArray, m: number, k: number, n: number, c: FloatArray): void {
  gemm(a, k, 1, b, n, 1, m, k, n, c, null);
}

/** C[m×n] = A[m×k] · B[n×k]ᵀ, plus `bias` (length n) on every row when given (the bias starts each sum). */
export function gemmNT(a: FloatArray, b: FloatArray, m: number, k: number, n: number, c: FloatArray, bias: FloatArray | null = null): void {
  gemm(a, k, 1, b, 1, k, m, k, n, c, bias);
}

/** C[m×n] = A[k×m]ᵀ · B[k×n]. */
export function gemmTN(a: FloatArray, b: FloatArray, m: number, k: number, n: number, c: FloatArray): void {
  gemm(a, 1, m, b, n, 1, m, k, n, c, null);
}
