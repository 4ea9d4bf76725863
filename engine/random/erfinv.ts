/**
 * torch's `erfinv` on the CPU (ATen's calc_erfinv, after Pavlis's 1996
 * MATLAB routine): a rational first guess, then two Newton steps on
 * erf(x) = y,
 *   x ← x − (erf(x) − y) / ((2/√π) · e^{−x²}),
 * in the tensor's own precision. The first guess is, for |y| ≤ 0.7 (z = y²),
 *   x = y · (((a₃z + a₂)z + a₁)z + a₀) / ((((b₃z + b₂)z + b₁)z + b₀)z + 1),
 * and otherwise, with z = √(−ln((1 − |y|)/2)),
 *   x = sign(y) · (((c₃z + c₂)z + c₁)z + c₀) / ((d₁z + d₀)z + 1).
 * In float32 this is the kernel torch dispatches to on an AVX2 CPU (its
 * AVX2 build, which 1.13 also runs on AVX-512 machines unless
 * ATEN_CPU_CAPABILITY=avx512 is set), read off the machine code of Debian's
 * libtorch_cpu.so 1.13.1: one value at a time (Vectorized<float>::erfinv maps
 * the scalar function over its lanes, and the strided loop runs the same
 * code), every operation rounded to float, the polynomials' multiply-adds
 * fused (GCC contracts them when it builds for AVX2), (1 − |y|)/2 as
 * (1 − |y|)·0.5 (the same value), and the 2/√π of the Newton step the float
 * nearest 2 / float(√π). erf, exp and log are the C library's float functions
 * (erff, expf, logf of glibc 2.36, the FMA builds of the last two that it
 * picks on such a CPU), whose bits engine/numeric/libm reproduces.
 *
 * In float64 likewise with glibc's double erf, exp and log (the FMA builds of
 * the last two) and the polynomials' multiply-adds fused in double
 * (fma64Exact): torch's AVX2 build fuses them too.
 */
import { fma32, fma64Exact } from '../numeric/fma';
import { erf } from '../numeric/libm/erf';
import { exp } from '../numeric/libm/exp';
import { log } from '../numeric/libm/log';
import { erff } from '../numeric/libm/erff';
import { expf } from '../numeric/libm/expf';
import { logf } from '../numeric/libm/logf';

const f = Math.fround;
const A = [0.886226899, -1.645349621, 0.914624893, -0.140543331];
const B = [-2.118377725, 1.442710462, -0.329097515, 0.012229801];
const C = [-1.970840454, -1.624906493, 3.429567803, 1.641345311];
const D = [3.5438892, 1.6370678];
const CENTRAL_RANGE = 0.7;
const AF = A.map(f);
const BF = B.map(f);
const CF = C.map(f);
const DF = D.map(f);
/** (T)2 / (T)√π, as the Newton step writes it. */
const TWO_OVER_SQRT_PI_F = f(2 / f(Math.sqrt(Math.PI)));
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** calc_erfinv<float>. */
export function erfinvFloat(y: number): number {
  const ay = Math.abs(y);
  if (ay > 1) return Number.NaN;
  if (ay === 1) return y > 0 ? Infinity : -Infinity;
  let x: number;
  if (ay <= CENTRAL_RANGE) {
    const z = f(y * y);
    const num = fma32(fma32(fma32(AF[3]!, z, AF[2]!), z, AF[1]!), z, AF[0]!);
    const dem = fma32(fma32(fma32(fma32(BF[3]!, z, BF[2]!), z, BF[1]!), z, BF[0]!), z, 1);
    x = f(f(y * num) / dem);
  } else {
    const z = f(Math.sqrt(-logf(f(f(1 - ay) / 2))));
    const num = fma32(fma32(fma32(CF[3]!, z, CF[2]!), z, CF[1]!), z, CF[0]!);
    const dem = fma32(fma32(DF[1]!, z, DF[0]!), z, 1);
    x = f((y < 0 ? -num : num) / dem);
  }
  for (let step = 0; step < 2; step++) {
    const slope = f(TWO_OVER_SQRT_PI_F * expf(f(-x * x)));
    x = f(x - f(f(erff(x) - y) / slope));
  }
  return x;
}

/** calc_erfinv<double>. */
export function erfinvDouble(y: number): number {
  const ay = Math.abs(y);
  if (ay > 1) return Number.NaN;
  if (ay === 1) return y > 0 ? Infinity : -Infinity;
  let x: number;
  if (ay <= CENTRAL_RANGE) {
    const z = y * y;
    const num = fma64Exact(fma64Exact(fma64Exact(A[3]!, z, A[2]!), z, A[1]!), z, A[0]!);
    const dem = fma64Exact(fma64Exact(fma64Exact(fma64Exact(B[3]!, z, B[2]!), z, B[1]!), z, B[0]!), z, 1);
    x = (y * num) / dem;
  } else {
    const z = Math.sqrt(-log((1 - ay) / 2));
    const num = fma64Exact(fma64Exact(fma64Exact(C[3]!, z, C[2]!), z, C[1]!), z, C[0]!);
    const dem = fma64Exact(fma64Exact(D[1]!, z, D[0]!), z, 1);
    x = (y < 0 ? -num : num) / dem;
  }
  for (let step = 0; step < 2; step++) x = x - (erf(x) - y) / (TWO_OVER_SQRT_PI * exp(-x * x));
  return x;
}
