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
 * What torch 1.13.1 (Debian build, GCC 12, -O2) actually does, measured with
 * the torch on this machine over random float32 tensors of sizes 1…1000 (so
 * both the 16-float AVX2 vector body and the scalar tail loop of
 * `vectorized_loop` were exercised):
 *
 *   with the AVX2 (and AVX-512) kernels, which every x86-64 CPU since 2013 gets:
 *     a.add_(b, alpha=α)          → fma(α, b, a)                  (vector: vec::fmadd;
 *                                                                  tail: GCC contracts a + α·b)
 *     a.addcmul_(b, c, value=v)   → fma(fl(v·b), c, a)
 *     a.addcdiv_(b, c, value=v)   → fl(a + fl(fl(v·b) / c))      (no fusion across ÷)
 *     a.mul_(s), a / s, a.sqrt()  → one rounding each (a true division, not ×1/s)
 *   with ATEN_CPU_CAPABILITY=default (no FMA): the same formulas with every
 *   fma(x, y, z) replaced by fl(fl(x·y) + z).
 * Every scalar argument is a Python double cast to float32 first. float64
 * kernels fuse the same way; the engine computes float64 without fusion,
 * which agrees to ~1e-16 relative per operation.
 */

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

/** fl32(a·b + c) with a single rounding, for float32 a, b, c. */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b; // exact
  const s = p + c;
  if (!Number.isFinite(s)) return fround(s);
  // Knuth's TwoSum: s + err = p + c exactly.
  const pp = s - c;
  const err = (p - pp) + (c - (s - pp));
  return fround(roundToOdd(s, err));
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

export const FLOAT64: Arithmetic = { round: (x) => x, fma: (a, b, c) => a * b + c };
/** torch's AVX2 / AVX-512 CPU kernels (the default on x86-64 since 2013). */
export const FLOAT32_FUSED: Arithmetic = { round: fround, fma: fma32 };
/** torch's kernels without FMA (ATEN_CPU_CAPABILITY=default, older CPUs). */
export const FLOAT32_UNFUSED: Arithmetic = { round: fround, fma: mulAdd32 };

/** The arithmetic of an array's dtype. */
export function arithmeticOf(array: Float32Array | Float64Array, fused = true): Arithmetic {
  if (array instanceof Float64Array) return FLOAT64;
  return fused ? FLOAT32_FUSED : FLOAT32_UNFUSED;
}
