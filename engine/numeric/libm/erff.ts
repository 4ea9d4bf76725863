/**
 * The float error function of glibc 2.36 on x86_64 (`erff`, one build for
 * every CPU: the ieee754/flt-32 code, compiled for SSE2 without fused
 * multiply-adds, so every operation is one float32 rounding). It is Sun's
 * fdlibm algorithm in float: rational approximations on four ranges of |x|,
 *
 *   |x| < 2^-28:       erf x = x + (2/√π − 1)·x   (scaled by 16 for tiny x,
 *                      so that the product does not underflow early);
 *   |x| < 0.84375:     erf x = x + x·R(x²)/S(x²);
 *   |x| < 1.25:        erf x = ±(erx + P(s)/Q(s)), s = |x| − 1, erx the float
 *                      below erf(1) (0.845062911510467529297);
 *   |x| < 6:           erf x = ±(1 − e^(−z² − 0.5625) · e^((z − |x|)(z + |x|) + R(s)/S(s)) / |x|),
 *                      s = 1/x², z = |x| with its low 12 mantissa bits cleared
 *                      (so −z² is exact), R/S on [1.25, 1/0.35) and [1/0.35, 6);
 *   |x| ≥ 6:           ±1 (1 − 1e-30 rounded),
 *
 * each polynomial by Horner's rule in float (the compiler kept the source's
 * order of operations: with no fused multiply-add and no reassociation, the
 * order decides the bits). The two exponentials are the library's own expf
 * (its IFUNC, so the FMA build on this CPU).
 *
 * The coefficients are the float bit patterns libm.so.6 holds, read with gdb
 * from the constants its erff loads (fdlibm's published decimal coefficients
 * rounded to float); a coefficient the machine code subtracts is stored here
 * negated and added, which is the same operation in IEEE arithmetic.
 */
import { expf } from './expf';
import { floatBits, floatFromBits } from './bits';

const f = Math.fround;
const fb = (bits: number): number => floatFromBits(bits);
const neg = (bits: number): number => -floatFromBits(bits);

/** fl32 Horner: ((c₀·s + c₁)·s + c₂)… with every product and sum rounded to float. */
function horner(s: number, c: readonly number[]): number {
  let acc = c[0]!;
  for (let i = 1; i < c.length; i++) acc = f(f(acc * s) + c[i]!);
  return acc;
}

/** 2/√π − 1 (fdlibm's efx), and 16 times it (efx8 scaled by two more). */
const EFX = fb(0x3e0375d4);
const EFX16 = fb(0x400375d4);
/** |x| < 0.84375: x·R(z)/S(z), z = x², coefficients from the highest power down. */
const SMALL_R = [fb(0xb7c756b1), neg(0x3bbd1489), neg(0x3ce9528f), neg(0x3ea66beb), EFX];
const SMALL_S = [fb(0xb684e21a), fb(0x390aee49), fb(0x3ba68116), fb(0x3d852a63), fb(0x3ecbbbce), 1];
/** 0.84375 ≤ |x| < 1.25: P(s)/Q(s), s = |x| − 1. */
const MID_P = [fb(0xbb0df9c0), fb(0x3d1151b3), neg(0x3de31cc2), fb(0x3ea2fe54), neg(0x3ebe9208), fb(0x3ed46805), neg(0x3b1acdc6)];
const MID_Q = [fb(0x3c445aa3), fb(0x3c5f6e13), fb(0x3e013307), fb(0x3d931ae7), fb(0x3f0a5785), fb(0x3dd9f331), 1];
const ERX = fb(0x3f58560b);
/** 1.25 ≤ |x| < 1/0.35: R(s)/S(s), s = 1/x². */
const TAIL_A_R = [fb(0xc11d077e), neg(0x42a2932b), neg(0x43389ae7), neg(0x4322658c), neg(0x42798057), neg(0x4128f022), neg(0x3f31a0b7), neg(0x3c21a093)];
const TAIL_A_S = [fb(0xbd777f97), fb(0x40d23f7c), fb(0x42d9451f), fb(0x43d6810b), fb(0x442158c9), fb(0x43d9486f), fb(0x4309a863), fb(0x419d35ce), 1];
/** 1/0.35 ≤ |x| < 6. */
const TAIL_B_R = [fb(0xc3f1c275), neg(0x4480230b), neg(0x441f6441), neg(0x4320a2ea), neg(0x418e104b), neg(0x3f4c9dd4), neg(0x3c21a092)];
const TAIL_B_S = [fb(0xc1b38712), fb(0x43ed43a7), fb(0x451f90ce), fb(0x4547fdbb), fb(0x44c01759), fb(0x43a2e571), fb(0x41f2b459), 1];
const TINY = fb(0x0da24260); // 1e-30
const NEAR_ONE_EXP = 0.5625;

/** glibc 2.36's erff(x), x a float32 value. */
export function erff(x: number): number {
  const hx = floatBits(x);
  const ix = hx & 0x7fffffff;
  const negative = hx >>> 31 === 1;
  if (ix >= 0x7f800000) return f((negative ? -1 : 1) + f(1 / x)); // ±1 for ±∞, NaN for NaN
  if (ix < 0x3f580000) {
    if (ix < 0x31800000) {
      if ((hx & 0x7c000000) === 0) return f(f(f(x * 16) + f(x * EFX16)) * 0.0625);
      return f(f(x * EFX) + x);
    }
    const z = f(x * x);
    const y = f(horner(z, SMALL_R) / horner(z, SMALL_S));
    return f(f(y * x) + x);
  }
  if (ix < 0x3fa00000) {
    const s = f(Math.abs(x) - 1);
    const pq = f(horner(s, MID_P) / horner(s, MID_Q));
    return negative ? f(-ERX - pq) : f(pq + ERX);
  }
  if (ix >= 0x40c00000) return negative ? f(TINY - 1) : f(1 - TINY);
  const ax = Math.abs(x);
  const s = f(1 / f(x * x));
  const tailA = ix <= 0x4036db6d;
  const rs = f(horner(s, tailA ? TAIL_A_R : TAIL_B_R) / horner(s, tailA ? TAIL_A_S : TAIL_B_S));
  const z = floatFromBits(ix & 0xfffff000);
  const e1 = expf(f(f(-z * z) - NEAR_ONE_EXP));
  const e2 = expf(f(f(f(z - ax) * f(z + ax)) + rs));
  const r = f(e2 * e1);
  return negative ? f(f(r / ax) - 1) : f(1 - f(r / ax));
}
