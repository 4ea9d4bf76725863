/**
 * Reinterpreting IEEE-754 bit patterns, for the C library's float functions:
 * they split a float's exponent and mantissa with integer arithmetic, and their
 * constants are given here as the exact bits the library holds.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The bits of a float32 (x must already be a float32 value). */
export function floatBits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** The float32 with these bits. */
export function floatFromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

/** The double with these bits, e.g. doubleFromBits(0x3ff0000000000000n) = 1. */
export function doubleFromBits(bits: bigint): number {
  u64[0] = bits;
  return f64[0]!;
}
