/**
 * Fused multiply-adds, which torch's kernels get from the compiler, and
 * float32 arithmetic in JavaScript: `Math.fround` after every operation gives
 * IEEE single-precision results (a double holds the exact sum or product of
 * two floats' worth of bits closely enough that rounding once more to float is
 * the correctly rounded float operation; Figueroa, "When is double rounding
 * innocuous?", 1995). A fused multiply-add rounds only once, which needs care.
 */
const f = Math.fround;

/**
 * fmaf(a, b, c) = round_float(a·b + c) with a, b, c floats. a·b is exact in a
 * double (24 + 24 bits); the sum s = a·b + c may not be, and rounding s to
 * double and then to float can go wrong only when s lands exactly halfway
 * between two floats: then the sign of the sum's rounding error (TwoSum, Knuth)
 * says which way the exact value lies.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f(s);
  // s is a tie exactly when r's neighbour on s's side, r + 2(s − r), is itself a float (and s ≠ r).
  const other = r + 2 * (s - r);
  if (other === r || f(other) !== other) return r;
  const bv = s - p;
  const err = p - (s - bv) + (c - bv);
  if (err === 0) return r;
  return err > 0 === other > r ? other : r;
}

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)

/**
 * fma(a, b, c) = a·b + c in double with (nearly always) one rounding: a·b as
 * an exact sum p + e (Dekker's product), then p + c exactly as s + t (TwoSum),
 * and s + (t + e). It can differ from a true fma only when t + e itself rounds
 * across a tie of s's precision, far rarer than anything the tests draw.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const e = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = p + c;
  const bv = s - p;
  const err = p - (s - bv) + (c - bv);
  return s + (err + e);
}
