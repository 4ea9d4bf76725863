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
 * A fused multiply-add fl(a·b + c) is different: a·b of two float32 values is
 * exact in double (48 ≤ 53 significant bits), but the sum a·b + c then rounds
 * once to double and once more to float32, and that double rounding can be
 * wrong when the double sum lands exactly halfway between two float32 values.
 * `fma32` avoids it with an error-free TwoSum and round-to-odd (Boldo and
 * Melquiond): if the double sum s is inexact and its last mantissa bit is
 * even, s is moved one double ulp towards the exact value. A value rounded to
 * odd with ≥ 2 extra bits rounds correctly to the narrower format.
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

import { productError, sumError } from './exact';

export const fround = Math.fround;

// One 8-byte scratch cell to read and write the bits of a double.
const cell = new Float64Array(1);
const words = new Uint32Array(cell.buffer);
/** Index of the low 32-bit word of a double (0 on little-endian hosts). */
const LOW = new Uint8Array(new Float64Array([1]).buffer)[0] === 0 ? 0 : 1;
const HIGH = 1 - LOW;

/**
 * The double nearest to s + err with its last bit odd when it is inexact:
 * s = fl(x) and err = x − s exactly (from TwoSum).
 */
function roundToOdd(s: number, err: number): number {
  if (err === 0) return s;
  cell[0] = s;
  if ((words[LOW]! & 1) === 1) return s;
  // Move one ulp towards s + err: up in magnitude if err has the sign of s.
  if (err > 0 === s > 0) {
    words[LOW] = words[LOW]! + 1;
  } else if (words[LOW] === 0) {
    words[LOW] = 0xffffffff;
    words[HIGH] = words[HIGH]! - 1;
  } else {
    words[LOW] = words[LOW]! - 1;
  }
  return cell[0];
}

/**
 * fl32(a·b + c) with a single rounding, for float32 a, b, c.
 *
 * The double sum s = fl64(a·b + c) rounds to the right float32 unless s is
 * exactly a midpoint between two float32 values while the exact sum is not:
 * the exact sum lies within half a double ulp of s, on the same side of
 * every midpoint other than s itself. So the common path only checks for a
 * midpoint, without touching memory: with r = fl32(s), s is a midpoint iff
 * t = 2s − r (exact: the reflection of r through s, Sterbenz) is itself a
 * float32 — then t is r's other neighbour; otherwise t lies strictly between
 * r and that neighbour, where no float32 is. At a midpoint the sign of the
 * TwoSum error says which neighbour the exact sum is nearer to; with no
 * error it is a true tie, which fround breaks to even, as the hardware does.
 * (roundToOdd below is the equivalent textbook formulation.)
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b; // exact
  const s = p + c;
  const r = fround(s);
  if (r === s || !Number.isFinite(r)) return r; // a float32 already (or ±∞, NaN)
  const t = 2 * s - r;
  if (fround(t) !== t) return r; // not a midpoint
  const err = sumError(p, c, s);
  if (err === 0) return r;
  return err > 0 ? Math.max(r, t) : Math.min(r, t);
}

/** fl32(a·b + c) by round-to-odd: the reference formulation of fma32, kept for tests. */
export function fma32RoundToOdd(a: number, b: number, c: number): number {
  const p = a * b; // exact
  const s = p + c;
  if (!Number.isFinite(s)) return fround(s);
  return fround(roundToOdd(s, sumError(p, c, s)));
}

/**
 * fl64(a·b + c) with (almost always) a single rounding, for doubles: the
 * product and the sum are split into exact pairs (TwoProduct, TwoSum) and the
 * small parts added before the final rounding. Only when the small parts'
 * own rounding decides a tie can it differ from a true FMA (~2^-50 of cases).
 */
export function fma64(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  if (!Number.isFinite(s) || Math.abs(p) > 2 ** 995) return s;
  return s + (sumError(p, c, s) + productError(a, b, p));
}

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
