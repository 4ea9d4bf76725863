/**
 * Fused multiply-adds fl(a·b + c) with a single rounding, which torch's CPU
 * kernels get from the compiler (vfmadd) and JavaScript has no instruction
 * for: float32 (`fma32`) and float64 (`fma64`), used wherever the engine must
 * give torch's bits (AdamW's float32 kernels, the sampling kernels'
 * polynomials and affine maps).
 *
 * float32: a·b of two float32 values is exact in double (48 ≤ 53 significant
 * bits), but the sum a·b + c then rounds once to double and once more to
 * float32, and that double rounding is wrong exactly when the double sum
 * lands on a float32 midpoint while the exact sum does not (see fma32). The
 * textbook cure is round-to-odd (Boldo and Melquiond): if the double sum s is
 * inexact and its last mantissa bit is even, s is moved one double ulp towards
 * the exact value; a value rounded to odd with ≥ 2 extra bits rounds
 * correctly to the narrower format. engine/numeric/wasm/fma32.h does the same
 * four lanes at a time.
 */
import { productError, sumError } from './exact';

const fround = Math.fround;

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


/**
 * fl64(a·b + c) with a single rounding, always (the hardware's vfmadd…sd), by
 * Boldo and Melquiond's emulation ("Emulation of FMA and correctly rounded sums:
 * proved algorithms using rounding to odd", IEEE TC 2008):
 *   uh + ul = a·b          (TwoProduct, exact)
 *   th + tl = c + uh       (TwoSum, exact)
 *   v = RO(tl + ul)        (tl + ul rounded to odd)
 *   fma = RN(th + v)
 * Rounding to odd keeps the sticky information RN(th + v) needs, so the result
 * is the correctly rounded a·b + c whenever nothing underflows (|a·b| and the
 * small parts ≥ 2^-969) or overflows: the callers (the C library's float
 * functions, engine/numeric/libm) use it on moderate numbers only.
 */
export function fma64Exact(a: number, b: number, c: number): number {
  const uh = a * b;
  const th = c + uh;
  if (!Number.isFinite(th) || Math.abs(uh) > 2 ** 995) return th;
  const ul = productError(a, b, uh);
  const tl = sumError(c, uh, th);
  const s = tl + ul;
  return th + roundToOdd(s, sumError(tl, ul, s));
}
