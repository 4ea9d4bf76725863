/**
 * The C library's float functions (engine/numeric/libm): the 2^(i/32) table
 * derived with integer arithmetic against the one libm.so.6 holds, and the
 * special arguments of each function. Their values over dense argument sets
 * are checked against the machine's libm in test/golden/erfinv.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { doubleFromBits, floatBits, floatFromBits } from '../../../engine/numeric/libm/bits';
import { erff } from '../../../engine/numeric/libm/erff';
import { EXP2_TABLE, expf, expfExact } from '../../../engine/numeric/libm/expf';
import { logf, logfExact } from '../../../engine/numeric/libm/logf';

/**
 * glibc 2.36's __exp2f_data.tab as stored (read with gdb): entry i is the bit
 * pattern of the double nearest 2^(i/32), less i·2^47.
 */
const GLIBC_TAB = [
  0x3ff0000000000000n, 0x3fefd9b0d3158574n, 0x3fefb5586cf9890fn, 0x3fef9301d0125b51n, 0x3fef72b83c7d517bn, 0x3fef54873168b9aan,
  0x3fef387a6e756238n, 0x3fef1e9df51fdee1n, 0x3fef06fe0a31b715n, 0x3feef1a7373aa9cbn, 0x3feedea64c123422n, 0x3feece086061892dn,
  0x3feebfdad5362a27n, 0x3feeb42b569d4f82n, 0x3feeab07dd485429n, 0x3feea47eb03a5585n, 0x3feea09e667f3bcdn, 0x3fee9f75e8ec5f74n,
  0x3feea11473eb0187n, 0x3feea589994cce13n, 0x3feeace5422aa0dbn, 0x3feeb737b0cdc5e5n, 0x3feec49182a3f090n, 0x3feed503b23e255dn,
  0x3feee89f995ad3adn, 0x3feeff76f2fb5e47n, 0x3fef199bdd85529cn, 0x3fef3720dcef9069n, 0x3fef5818dcfba487n, 0x3fef7c97337b9b5fn,
  0x3fefa4afa2a490dan, 0x3fefd0765b6e4540n,
];

describe('expf', () => {
  it('derives the library’s table of 2^(i/32) exactly', () => {
    expect(EXP2_TABLE.map((v, i) => doubleFromBits(GLIBC_TAB[i]! + (BigInt(i) << 47n)) === v)).toEqual(GLIBC_TAB.map(() => true));
  });

  it('the special arguments', () => {
    for (const fn of [expf, expfExact]) {
      expect(fn(0)).toBe(1);
      expect(fn(-Infinity)).toBe(0);
      expect(fn(Infinity)).toBe(Infinity);
      expect(fn(Number.NaN)).toBeNaN();
      expect(fn(Math.fround(88.8))).toBe(Infinity);
      expect(fn(-105)).toBe(0);
      expect(fn(-103.5)).toBe(2 ** -149); // the library's "may underflow" value, here also e^x rounded
      expect(fn(Math.fround(88.5))).toBe(Math.fround(Math.exp(Math.fround(88.5))));
    }
  });
});

describe('logf', () => {
  it('the special arguments', () => {
    for (const fn of [logf, logfExact]) {
      expect(Object.is(fn(1), 0)).toBe(true);
      expect(fn(0)).toBe(-Infinity);
      expect(fn(-0)).toBe(-Infinity);
      expect(fn(Infinity)).toBe(Infinity);
      expect(fn(-1)).toBeNaN();
      expect(fn(Number.NaN)).toBeNaN();
      // The smallest subnormal is scaled into the normal range first: log(2^-149) = −149·ln 2.
      expect(fn(2 ** -149)).toBe(Math.fround(-149 * Math.LN2));
    }
  });

  it('ln 2 and e', () => {
    expect(logf(2)).toBe(Math.fround(Math.LN2));
    expect(logf(Math.fround(Math.E))).toBe(Math.fround(Math.log(Math.fround(Math.E))));
  });
});

describe('erff', () => {
  it('the special arguments and the ends of its ranges', () => {
    expect(erff(0)).toBe(0);
    expect(Object.is(erff(-0), -0)).toBe(true);
    expect(erff(Infinity)).toBe(1);
    expect(erff(-Infinity)).toBe(-1);
    expect(erff(Number.NaN)).toBeNaN();
    expect(erff(6)).toBe(1);
    expect(erff(-7)).toBe(-1);
    // Below 2^-28, erf x = x + (2/√π − 1)·x, two float operations (not 2x/√π rounded once).
    const efx = Math.fround(2 / Math.sqrt(Math.PI) - 1);
    const tiny = 2 ** -30;
    expect(erff(tiny)).toBe(Math.fround(Math.fround(tiny * efx) + tiny));
    expect(erff(tiny)).not.toBe(Math.fround(tiny * 2 / Math.sqrt(Math.PI)));
  });

  it('is odd', () => {
    for (const bits of [0x3e000000, 0x3f580000, 0x3f9fffff, 0x4036db6d, 0x4036db6e, 0x40bfffff]) {
      const x = floatFromBits(bits);
      expect(erff(-x)).toBe(-erff(x));
    }
  });

  it('is within one float of erf on its ranges', () => {
    // erf(1), erf(2), erf(0.5) to double precision (A&S table values).
    for (const [x, v] of [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527]] as const) {
      expect(Math.abs(floatBits(erff(x)) - floatBits(Math.fround(v)))).toBeLessThanOrEqual(1);
    }
  });
});
