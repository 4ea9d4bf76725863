/**
 * Float32 arithmetic with the exact rounding of torch's CPU kernels.
 *
 * JavaScript numbers are doubles; `Math.fround` rounds a double to the
 * nearest float32. For +, −, ×, ÷ and √ of float32 operands, computing in
 * double and then rounding once to float32 gives the correctly rounded
 * float32 result (double rounding is harmless because 53 ≥ 2·24 + 2), so
 * `fround(a * b)`, `fround(a / b)`, `fround(Math.sqrt(a))` are exact
 * emulations of the float32 operations.
 *
 * A fused multiply-add fl(a·b + c) is different: the double sum can round
 * twice; `fma32` and `fma64` (engine/numeric/fma.ts) emulate the single
 * rounding.
 *
 * What torch 1.13.1 actually does (Debian's python3-torch build, GCC 12 -O2,
 * on an x86-64 CPU with AVX-512), measured per element against both
 * hypotheses, fused and unfused, on random float32 tensors of sizes 1, 7, 9,
 * 15, 16, 37, 100 and 1000 (thousands of repetitions): ATen's
 * `vectorized_loop` runs blocks of 16 floats through the AVX2 `Vectorized`
 * ops and the remaining < 16 through the scalar lambda, so both paths were
 * exercised, and both round identically:
 *
 *   AVX2 kernels (chosen at run time on every x86-64 CPU since 2013; AVX-512 the same):
 *     a.add_(b, alpha=α)          → fma(α, b, a)                  vector: vec::fmadd; scalar tail:
 *                                                                  GCC contracts a + α·b into vfmadd
 *     a.addcmul_(b, c, value=v)   → fma(fl(v·b), c, a)             both paths (contracted)
 *     a.addcdiv_(b, c, value=v)   → fl(a + fl(fl(v·b) / c))        no fusion across the ÷
 *     a.mul_(s), a / s, a.sqrt()  → one rounding each              a true ÷, not × (1/s)
 *   ATEN_CPU_CAPABILITY=default (no FMA): every fma(x, y, z) above becomes
 *   fl(fl(x·y) + z); `FLOAT32_UNFUSED` is that arithmetic.
 *
 * Since the vector body and the scalar tail agree, the result of an element
 * does not depend on its position or on the tensor's size (nor on how
 * tensors above ATen's 32768-element grain are split across threads).
 * Every scalar argument is a Python double cast to float32 first. float64
 * kernels fuse the same way, and `fma64` emulates that. The golden tests
 * (test/golden/optim.test.ts) fail on every float32 case if fma32 is
 * replaced by the unfused form.
 */

import { fma32, fma64 } from '../numeric/fma';

export { fma32, fma32RoundToOdd, fma64 } from '../numeric/fma';

export const fround = Math.fround;

/** fl32(fl32(a·b) + c): the unfused form, for CPUs without FMA. */
export function mulAdd32(a: number, b: number, c: number): number {
  return fround(fround(a * b) + c);
}

/**
 * The arithmetic of one storage dtype: how a result is rounded to it and how
 * a multiply-add is evaluated. Kernels are written once against this.
 */
export interface Arithmetic {
  /** Round a double to the dtype (identity for float64). */
  round(x: number): number;
  /** a·b + c as torch's kernel for this dtype computes it. */
  fma(a: number, b: number, c: number): number;
}

export const FLOAT64: Arithmetic = { round: (x) => x, fma: fma64 };
/** torch's AVX2 / AVX-512 CPU kernels (the default on x86-64 since 2013). */
export const FLOAT32_FUSED: Arithmetic = { round: fround, fma: fma32 };
/** torch's kernels without FMA (ATEN_CPU_CAPABILITY=default, older CPUs). */
export const FLOAT32_UNFUSED: Arithmetic = { round: fround, fma: mulAdd32 };

/** The arithmetic of an array's dtype. */
export function arithmeticOf(array: Float32Array | Float64Array, fused = true): Arithmetic {
  if (array instanceof Float64Array) return FLOAT64;
  return fused ? FLOAT32_FUSED : FLOAT32_UNFUSED;
}
