/**
 * β^t exactly as Python computes `beta ** step` (CPython calls the C
 * library's `pow`, which for these arguments returns the correctly rounded
 * double).
 *
 * JavaScript's `Math.pow` is not correctly rounded: V8 returns a double one
 * ulp away from glibc's for about 5% of (β, t) pairs with common betas
 * (e.g. 0.9 ** 4 is 0.6561 in Python, 0.6561000000000001 in V8). The bias
 * corrections 1 − β^t then differ by an ulp, and after the cast to float32
 * that can change a parameter's last bit. So the power is computed here by
 * binary exponentiation in double-double arithmetic (about 106 bits, exact
 * products by Dekker's TwoProduct), and rounded to a double once at the end.
 */
import { productError } from '../numeric/exact';

/** (xh + xl)·(yh + yl) in double-double, renormalized. */
function ddMul(xh: number, xl: number, yh: number, yl: number): [number, number] {
  const p = xh * yh;
  const lo = productError(xh, yh, p) + (xh * yl + xl * yh);
  const hi = p + lo;
  return [hi, lo - (hi - p)];
}

/**
 * base^n for an integer n ≥ 0, correctly rounded to a double in all but
 * astronomically rare cases (the double-double error is ~2^-100 relative).
 */
export function powInt(base: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`powInt: exponent must be a non-negative integer, got ${n}`);
  if (!Number.isFinite(base) || base === 0) return Math.pow(base, n);
  let rh = 1;
  let rl = 0;
  let bh = base;
  let bl = 0;
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) [rh, rl] = ddMul(rh, rl, bh, bl);
    if (k > 1) [bh, bl] = ddMul(bh, bl, bh, bl);
  }
  return rh + rl;
}
