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

/** Dekker's split of a double into two 26-bit halves (a = hi + lo exactly). */
function split(a: number): [number, number] {
  const c = 134217729 * a; // 2^27 + 1
  const hi = c - (c - a);
  return [hi, a - hi];
}

/** The exact product a·b as an unevaluated sum hi + lo. */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const err = al * bl - (((p - ah * bh) - al * bh) - ah * bl);
  return [p, err];
}

/** (xh + xl)·(yh + yl) in double-double, renormalized. */
function ddMul(xh: number, xl: number, yh: number, yl: number): [number, number] {
  const [p, e] = twoProduct(xh, yh);
  const lo = e + (xh * yl + xl * yh);
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
