/**
 * Sorting float32 samples in linear time, for the Kolmogorov–Smirnov
 * statistic of large tensors (a 4M-value weight sorts ~5× faster than with
 * the comparison sort of TypedArray.prototype.sort).
 *
 * Least-significant-digit radix sort on order-preserving keys: a float32's
 * bit pattern, read as an unsigned integer, orders non-negative values
 * correctly and negative ones in reverse; flipping every bit of negatives and
 * only the sign bit of non-negatives gives keys whose unsigned order is the
 * numeric order (with −0 just before +0, as TypedArray sort puts them).
 * Three stable counting passes of 11 bits each sort the 32-bit keys.
 */

const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;

/** The values of `values` other than NaN, in ascending order (a new array). */
export function sortedWithoutNaN(values: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  const out = new Float32Array(n);
  const keys = new Uint32Array(out.buffer);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0, j = 0; i < values.length; i++) {
    if (values[i] !== values[i]) continue;
    const b = bits[i]!;
    keys[j++] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  let from = keys;
  let to = new Uint32Array(n);
  const counts = new Uint32Array(RADIX);
  for (let shift = 0; shift < 32; shift += BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(from[i]! >>> shift) & MASK]!++;
    let total = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[d]!;
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const k = from[i]!;
      to[counts[(k >>> shift) & MASK]!++] = k;
    }
    [from, to] = [to, from];
  }
  // After the last swap the sorted keys are in `from`; map them back to float32 bits.
  for (let i = 0; i < n; i++) {
    const k = from[i]!;
    keys[i] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
  }
  return out;
}
