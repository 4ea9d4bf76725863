/**
 * The double error function of glibc 2.36 on x86_64 (`erf`, one build for
 * every CPU: compiled for SSE2, no fused multiply-adds). It is fdlibm's
 * algorithm, whose rational approximations glibc evaluates in an Estrin-like
 * order (in powers z, z², z⁴, z⁶, …) rather than by Horner's rule; the order
 * decides the bits, so each polynomial below is written in the machine code's
 * order. The ranges, as in the float version (erff.ts):
 *
 *   |x| < 2^-28:       x + (2/√π − 1)·x, scaled by 16 for tiny x;
 *   |x| < 0.84375:     x + x·r(z)/s(z), z = x²;
 *   |x| < 1.25:        ±(erx ± P(s)/Q(s)), s = |x| − 1, erx = 0.845062911510467529297;
 *   |x| < 6:           ±(1 − e^(−z² − 0.5625) · e^((z − |x|)(z + |x|) + R/S) / |x|),
 *                      s = 1/x², z = |x| with its low 32 bits cleared, R/S on
 *                      [1.25, 1/0.35) and [1/0.35, 6);
 *   |x| ≥ 6:           ±1;
 *
 * e^ being the library's own exp (exp.ts). The coefficients are the doubles
 * libm.so.6 holds, read with gdb from the constants its erf loads; one the code
 * subtracts is stored here negated and added (the same IEEE operation).
 */
import { doubleFromBits } from './bits';
import { exp } from './exp';

const d = (bits: bigint): number => doubleFromBits(bits);
const n = (bits: bigint): number => -doubleFromBits(bits);

const EFX = d(0x3fc06eba8214db69n);
const EFX16 = d(0x40006eba8214db69n);
// |x| < 0.84375: r = ((p4·z − p3)·z² + (p2·z + p1)) + p0·z⁴, s = ((q4·z + q3)·z² + (q2·z + 1)) + (q1·z + q0)·z⁴.
const R0 = [d(0xbf77a291236668e4n), n(0x3f9d2a51dbd7194fn), d(0xbfd4cd7d691cb913n), d(0x3fc06eba8214db68n), d(0xbef8ead6120016acn)];
const S0 = [d(0x3f74d022c4d36b0fn), d(0x3fb0a54c5536ceban), d(0x3fd97779cddadc09n), d(0xbed09c4342a26120n), d(0x3f215dc9221c1a10n)];
// |x| < 1.25.
const P1 = [d(0x3fd45fca805120e4n), n(0x3fd7d240fbb8c3f1n), d(0x3fda8d00ad92b34dn), n(0x3f6359b8bef77538n), d(0x3fa22a36599795ebn), n(0x3fbc63983d3e28ecn), d(0xbf61bf380a96073fn)];
const Q1 = [d(0x3fb2635cd99fe9a7n), d(0x3fe14af092eb6f33n), d(0x3fbb3e6618eee323n), d(0x3f8bedc26b51dd1cn), d(0x3fc02660e763351fn), d(0x3f888b545735151dn)];
const ERX = d(0x3feb0ac160000000n);
const TINY = d(0x01a56e1fc2f8f359n); // 1e-300
// 1.25 ≤ |x| < 1/0.35.
const RA = [d(0xc04f300ae4cba38dn), n(0x40251e0441b0e726n), d(0xbfe63416e4ba7360n), n(0x3f843412600d6435n), d(0xc067135cebccabb2n), n(0x40644cb184282266n), d(0xc023a0efc69ac25cn), n(0x4054526557e4d2f2n)];
const SA = [d(0x407b290dd58a1a71n), d(0x4061350c526ae721n), d(0x4033a6b9bd707687n), d(0x407ad02157700314n), d(0x40842b1921ec2868n), d(0x401a47ef8e484a93n), d(0x405b28a3ee48ae2cn), d(0xbfaeeff2ee749a62n)];
// 1/0.35 ≤ |x| < 6.
const RB = [d(0xc064145d43c5ed98n), n(0x4031c209555f995an), d(0xbfe993ba70c285den), n(0x3f84341239e86f4an), d(0xc09004616a2e5992n), n(0x4083ec881375f228n), d(0xc07e384e9bdc383fn)];
const SB = [d(0x409802eb189d5118n), d(0x40745cae221b9f0an), d(0x403e568b261d5190n), d(0x40a3f219cedf3be6n), d(0x40a8ffb7688c246an), d(0xc03670e242712d62n), d(0x407da874e79fe763n)];

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HIGH = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;

/** glibc 2.36's erf(x). */
export function erf(x: number): number {
  f64[0] = x;
  const hx = u32[HIGH]!;
  const ix = hx & 0x7fffffff;
  const negative = hx >>> 31 === 1;
  if (ix >= 0x7ff00000) return (negative ? -1 : 1) + 1 / x;
  if (ix < 0x3feb0000) {
    if (ix < 0x3e300000) {
      if ((hx & 0x7f800000) === 0) return (x * 16 + x * EFX16) * 0.0625;
      return x * EFX + x;
    }
    const z = x * x;
    const z2 = z * z;
    const z4 = z2 * z2;
    const r = (R0[0]! * z + R0[1]!) * z2 + (R0[2]! * z + R0[3]!) + R0[4]! * z4;
    const s = (S0[0]! * z + S0[1]!) * z2 + (S0[2]! * z + 1) + (S0[3]! * z + S0[4]!) * z4;
    return (r / s) * x + x;
  }
  if (ix < 0x3ff40000) {
    const s = Math.abs(x) - 1;
    const s2 = s * s;
    const s4 = s2 * s2;
    const s6 = s2 * s4;
    const p = (P1[0]! * s + P1[1]!) * s2 + (P1[2]! * s + P1[3]!) + (P1[4]! * s + P1[5]!) * s4 + P1[6]! * s6;
    const q = (Q1[0]! * s + Q1[1]!) * s2 + (Q1[2]! * s + 1) + (Q1[3]! * s + Q1[4]!) * s4 + s6 * Q1[5]!;
    const pq = p / q;
    return negative ? -ERX - pq : pq + ERX;
  }
  if (ix >= 0x40180000) return negative ? TINY - 1 : 1 - TINY;
  const ax = Math.abs(x);
  const s = 1 / (x * x);
  const s2 = s * s;
  const s4 = s2 * s2;
  const s6 = s4 * s2;
  let big: number;
  let small: number;
  if (ix <= 0x4006db6d) {
    big = (s * RA[0]! + RA[1]!) * s2 + (RA[2]! * s + RA[3]!) + (RA[4]! * s + RA[5]!) * s4 + (RA[6]! * s + RA[7]!) * s6;
    small = s2 * (SA[0]! * s + SA[1]!) + (SA[2]! * s + 1) + (SA[3]! * s + SA[4]!) * s4 + (SA[5]! * s + SA[6]!) * s6 + s4 * s4 * SA[7]!;
  } else {
    big = (s * RB[0]! + RB[1]!) * s2 + (RB[2]! * s + RB[3]!) + (RB[4]! * s + RB[5]!) * s4 + RB[6]! * s6;
    small = s4 * (SB[3]! * s + SB[4]!) + (s2 * (SB[0]! * s + SB[1]!) + (SB[2]! * s + 1)) + (SB[5]! * s + SB[6]!) * s6;
  }
  f64[0] = ax;
  u32[1 - HIGH] = 0;
  const z = f64[0]!;
  const e1 = exp(-z * z - 0.5625);
  const e2 = exp((z - ax) * (z + ax) + big / small);
  const r = e2 * e1;
  return negative ? r / ax - 1 : 1 - r / ax;
}
