/**
 * fma64Exact against exact rational arithmetic: a·b + c computed on BigInts
 * and rounded once to the nearest double (ties to even), on random operands,
 * on operands whose product the sum cancels, and on sums placed within a few
 * units of the product's error from a rounding midpoint, where a sum rounded
 * twice (fma64's shortcut) can land on the wrong side.
 */
import { describe, expect, it } from 'vitest';
import { fma64, fma64Exact } from '../../../engine/numeric/fma';

/** x = m·2^e exactly, m an integer (x finite). */
function split(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  let e = Math.floor(Math.log2(Math.abs(x))) - 52;
  // Scale by powers of two (exact) until the mantissa is an integer.
  let m = x / 2 ** e;
  while (!Number.isInteger(m)) {
    e -= 1;
    m = x / 2 ** e;
  }
  return [BigInt(m), e];
}

/** The double nearest m·2^e (ties to even), for results well inside the normal range. */
function roundToDouble(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const negative = m < 0n;
  let a = negative ? -m : m;
  const bits = a.toString(2).length;
  if (bits > 53) {
    const drop = BigInt(bits - 53);
    const q = a >> drop;
    const rest = a - (q << drop);
    const half = 1n << (drop - 1n);
    a = rest > half || (rest === half && (q & 1n) === 1n) ? q + 1n : q;
    e += Number(drop);
  }
  const v = Number(a) * 2 ** e;
  return negative ? -v : v;
}

function exactFma(a: number, b: number, c: number): number {
  const [ma, ea] = split(a);
  const [mb, eb] = split(b);
  const [mc, ec] = split(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  return roundToDouble(sum, e);
}

/** A deterministic stream of doubles (xorshift), with mantissas that fill all 53 bits. */
function doubles(seed: number, n: number, exponentRange: number): number[] {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: n }, () => {
    const m = 1 + next() + next() * 2 ** -26;
    const e = Math.floor((next() - 0.5) * 2 * exponentRange);
    return (next() < 0.5 ? -1 : 1) * m * 2 ** e;
  });
}

describe('fma64Exact: a·b + c rounded once', () => {
  it('random operands across exponents', () => {
    const [as, bs, cs] = [doubles(1, 3000, 40), doubles(2, 3000, 40), doubles(3, 3000, 80)];
    for (let i = 0; i < as.length; i++) expect(fma64Exact(as[i]!, bs[i]!, cs[i]!), `${as[i]}·${bs[i]} + ${cs[i]}`).toBe(exactFma(as[i]!, bs[i]!, cs[i]!));
  });

  it('sums that cancel the product', () => {
    const [as, bs, ts] = [doubles(4, 3000, 20), doubles(5, 3000, 20), doubles(6, 3000, 3)];
    for (let i = 0; i < as.length; i++) {
      const c = -(as[i]! * bs[i]!) * (1 + ts[i]! * 2 ** -30);
      expect(fma64Exact(as[i]!, bs[i]!, c)).toBe(exactFma(as[i]!, bs[i]!, c));
    }
  });

  it('sums next to a rounding midpoint', () => {
    const [as, bs] = [doubles(7, 5000, 2), doubles(8, 5000, 2)];
    for (let i = 0; i < as.length; i++) {
      const a = as[i]!;
      const b = bs[i]!;
      const p = a * b;
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(p))) - 52);
      for (const c of [ulp / 2 - p + 1, 2 ** 53 * ulp + ulp / 2]) expect(fma64Exact(a, b, c), `${a}·${b} + ${c}`).toBe(exactFma(a, b, c));
    }
  });

  it('a product just above 1 added to 2^53: a tie only if the product is rounded first', () => {
    // a·b = 1 + k³·2^-78 exactly, so a·b + 2^53 lies just above the midpoint 2^53 + 1 and rounds up to 2^53 + 2;
    // rounding the small parts' sum first (fma64's shortcut) loses the k³·2^-78 and breaks the tie to even, down.
    let shortcutWrong = 0;
    for (let k = 1; k <= 40; k++) {
      for (const m of [-30, -3, 0, 5, 40]) {
        for (const sign of [1, -1]) {
          const a = sign * (1 + k * 2 ** -26) * 2 ** m;
          const b = 1 - k * 2 ** -26 + k * k * 2 ** -52;
          const c = sign * 2 ** (53 + m);
          const want = exactFma(a, b, c);
          expect(want).toBe(sign * (2 ** 53 + 2) * 2 ** m);
          expect(fma64Exact(a, b, c), `k ${k}, m ${m}, sign ${sign}`).toBe(want);
          if (fma64(a, b, c) !== want) shortcutWrong++;
        }
      }
    }
    expect(shortcutWrong, 'the cases are hard ones: fma64 gets them wrong').toBeGreaterThan(0);
  });

  it('passes infinities and NaN through as the hardware does', () => {
    expect(fma64Exact(Infinity, 1, 1)).toBe(Infinity);
    expect(fma64Exact(1, 1, -Infinity)).toBe(-Infinity);
    expect(fma64Exact(Number.NaN, 1, 1)).toBeNaN();
  });
});
