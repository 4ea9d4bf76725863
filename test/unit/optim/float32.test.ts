import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FLOAT32_FUSED, FLOAT32_UNFUSED, FLOAT64, arithmeticOf, fma32, fma32RoundToOdd, fma64, fround, mulAdd32 } from '../../../engine/optim/float32';
import { powInt } from '../../../engine/optim/pow';

/**
 * An independent reference for fl32(a·b + c): the exact value is s + err
 * (TwoSum); pick the nearer of the two float32 values around it by exact
 * distance comparison, ties to the even significand.
 */
function referenceFma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const pp = s - c;
  const err = (p - pp) + (c - (s - pp));
  const r = fround(s);
  if (err === 0 || !Number.isFinite(s)) return r;
  // The float32 neighbours of r.
  const bits = new Float32Array(1);
  const u = new Uint32Array(bits.buffer);
  bits[0] = r;
  const step = (dir: 1 | -1) => {
    bits[0] = r;
    if (r === 0) u[0] = 1;
    else u[0] = u[0]! + (dir * Math.sign(r) > 0 ? 1 : -1);
    return bits[0]!;
  };
  const candidates = [step(-1), r, step(1)];
  let best = r;
  let bestDistance = Infinity;
  for (const x of candidates) {
    // Distance (s − x) + err; s − x is exact (x and s are within a few float32 ulps).
    const d = Math.abs((s - x) + err);
    if (d < bestDistance) {
      best = x;
      bestDistance = d;
    }
  }
  return best;
}

const float32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e18), max: Math.fround(1e18) }).map(Math.fround);

describe('fma32', () => {
  it('rounds a·b + c once (a case where rounding twice is wrong)', () => {
    // exact = 1 + 2^-23 + 2^-24 − 2^-60: just below the midpoint between
    // 1 + 2^-23 and 1 + 2^-22. In double it rounds to the midpoint itself, and
    // then to float32 ties-to-even gives 1 + 2^-22; the single rounding gives 1 + 2^-23.
    const a = 1 + 2 ** -18;
    const b = (1 - 2 ** -18) * 2 ** -24;
    const c = 1 + 2 ** -23;
    expect([fround(a), fround(b), fround(c)]).toEqual([a, b, c]);
    expect(fround(a * b + c)).toBe(1 + 2 ** -22); // naive: wrong
    expect(fma32(a, b, c)).toBe(1 + 2 ** -23);
    // And the mirror case above a midpoint with the other tie direction.
    expect(fma32(-a, b, -c)).toBe(-(1 + 2 ** -23));
  });

  it('differs from the unfused fl(fl(a·b) + c)', () => {
    // 0.1f·3f is not a float32; fused keeps the product's low bits.
    const a = fround(0.1);
    const fused = fma32(a, 3, -fround(0.3));
    const unfused = mulAdd32(a, 3, -fround(0.3));
    expect(fused).not.toBe(unfused);
    expect(fused).toBe(fround(a * 3 - fround(0.3)));
  });

  it('agrees with an independent exact reference on random float32 triples', () => {
    fc.assert(fc.property(float32, float32, float32, (a, b, c) => Object.is(fma32(a, b, c), referenceFma32(a, b, c))), { numRuns: 20000 });
  });

  it('agrees with the reference near ties (c = 1, products of nearly-1 numbers)', () => {
    const near = fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((k) => fround(1 + k * 2 ** -23));
    const tiny = fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((k) => fround(2 ** -24 * (1 + k * 2 ** -23)));
    fc.assert(fc.property(near, tiny, near, (a, b, c) => Object.is(fma32(a, b, c), referenceFma32(a, b, c))), { numRuns: 20000 });
  });

  it('equals the round-to-odd formulation at float32 midpoints, at binade edges, in the subnormal range and at overflow', () => {
    // c + a·b with a·b within a few float32 ulps of half of c's ulp: the double sum
    // lands on or next to the midpoint between c and its neighbour.
    const anyFloat32 = fc.float({ noNaN: true, noDefaultInfinity: true }).map(Math.fround);
    const bits = new Float32Array(1);
    const word = new Uint32Array(bits.buffer);
    const ulpOf = (c: number) => {
      bits[0] = Math.abs(c);
      word[0] = word[0]! + 1;
      return bits[0]! - Math.abs(c);
    };
    const nearMidpoint = fc.tuple(anyFloat32, fc.integer({ min: -4, max: 4 }), fc.integer({ min: -4, max: 4 }), fc.constantFrom(1, -1)).map(([c, j, k, sign]) => {
      const a = fround(sign * (1 + j * 2 ** -23));
      const b = fround((ulpOf(c) / 2) * (1 + k * 2 ** -23));
      return [a, b, c] as const;
    });
    const check = ([a, b, c]: readonly [number, number, number]) => Object.is(fma32(a, b, c), fma32RoundToOdd(a, b, c));
    fc.assert(fc.property(nearMidpoint, check), { numRuns: 20000 });
    fc.assert(fc.property(fc.tuple(anyFloat32, anyFloat32, anyFloat32), check), { numRuns: 20000 });
    for (const c of [1, 2, 2 ** -126, 2 ** -149, 3.4028234663852886e38]) {
      for (const b of [2 ** -24, 2 ** -25, 2 ** -26, -(2 ** -24), -(2 ** -25), -(2 ** -26)]) {
        for (const a of [1, fround(1 + 2 ** -23), fround(1 - 2 ** -24)]) {
          expect(fma32(a, b * c, c), `${a}·${b * c} + ${c}`).toBe(fma32RoundToOdd(a, b * c, c));
          expect(fma32(a, b * c, -c)).toBe(fma32RoundToOdd(a, b * c, -c));
        }
      }
    }
  });

  it('passes infinities and NaN through', () => {
    expect(fma32(Infinity, 1, 1)).toBe(Infinity);
    expect(fma32(3e38, 3e38, 0)).toBe(Infinity);
    expect(fma32(NaN, 1, 1)).toBeNaN();
    expect(fma32(0, 5, -0)).toBe(0);
  });
});

describe('fma64', () => {
  it('keeps the low bits of the product: 0.1·10 − 1 = 2^-54 exactly', () => {
    // 0.1 is 3602879701896397·2^-55, so 0.1·10 = 1 + 2^-54, which rounds to 1 unfused.
    expect(0.1 * 10 - 1).toBe(0);
    expect(fma64(0.1, 10, -1)).toBe(2 ** -54);
  });

  it('is exact when the result is representable, and plain a·b + c when that is exact', () => {
    expect(fma64(3, 5, 7)).toBe(22);
    expect(fma64(1 + 2 ** -30, 1 - 2 ** -30, -1)).toBe(-(2 ** -60));
    expect(fma64(Infinity, 2, 1)).toBe(Infinity);
    expect(fma64(NaN, 2, 1)).toBeNaN();
  });
});

describe('arithmetic by dtype', () => {
  it('picks float64, fused or unfused float32', () => {
    expect(arithmeticOf(new Float64Array(1))).toBe(FLOAT64);
    expect(arithmeticOf(new Float32Array(1))).toBe(FLOAT32_FUSED);
    expect(arithmeticOf(new Float32Array(1), false)).toBe(FLOAT32_UNFUSED);
    expect(FLOAT64.round(0.1)).toBe(0.1);
    expect(FLOAT64.fma(0.1, 10, -1)).toBe(2 ** -54);
    expect(FLOAT32_FUSED.round(0.1)).toBe(Math.fround(0.1));
  });
});

describe('powInt', () => {
  it("matches CPython's `beta ** step` where V8's Math.pow is an ulp off", () => {
    // Values printed by CPython 3.11 (glibc pow).
    expect(powInt(0.9, 4)).toBe(0.6561);
    expect(powInt(0.9, 23)).toBe(0.08862938119652507);
    expect(powInt(0.9, 29)).toBe(0.047101286972462485);
    expect(powInt(0.999, 10)).toBe(0.9900448802097482);
  });

  it('handles 0, 1 and exponent 0', () => {
    expect(powInt(0, 3)).toBe(0);
    expect(powInt(0.5, 0)).toBe(1);
    expect(powInt(1, 1000)).toBe(1);
    expect(powInt(0.5, 10)).toBe(2 ** -10);
    expect(() => powInt(0.9, 1.5)).toThrow(/non-negative integer/);
  });
});
