/**
 * Half-precision floats, widened to numbers. Both formats are exactly
 * representable in float32, so widening loses nothing.
 *
 *   float16 (IEEE 754 binary16):  sign 1 | exponent 5 (bias 15) | fraction 10
 *   bfloat16 ("brain float"):     sign 1 | exponent 8 (bias 127) | fraction 7
 *
 * bfloat16 is the top half of a float32, so it is decoded by putting its bits
 * there; float16 needs its exponent re-biased and its subnormals scaled.
 */

const scratch = new DataView(new ArrayBuffer(4));

/** The value of a binary16 bit pattern (0 ≤ bits < 2¹⁶). */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals: fraction · 2⁻¹⁴ / 2¹⁰
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The value of a bfloat16 bit pattern (0 ≤ bits < 2¹⁶). */
export function bfloat16BitsToNumber(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}
