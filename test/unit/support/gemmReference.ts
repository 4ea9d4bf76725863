/**
 * The textbook GEMM loop that engine/tensor/gemm.ts guarantees its kernels' bits against:
 *     s = init;  for p = 0, 1, …, k − 1:  s = madd(a_ip, b_pj, s)
 * with A(i, p) = a[i·aRow + p·aCol], B(p, j) = b[p·bRow + j·bCol], init the bias (or 0), and madd
 *     separate: fl(s + fl(a·b))  (Math.fround after every operation is float32 arithmetic)
 *     fused:    fl(a·b + s)      (fma32 exactly; fma64, which is an FMA but in ~2⁻⁵⁰ of ties)
 * in the precision of `a` (float32 or float64).
 */
import { fma32, fma64 } from '../../../engine/numeric/fma';

export type Madd = 'separate' | 'fused';

export function gemmReference(
  a: Float32Array | Float64Array, aRow: number, aCol: number,
  b: ArrayLike<number>, bRow: number, bCol: number,
  m: number, k: number, n: number,
  bias: ArrayLike<number> | null, madd: Madd,
): number[] {
  const single = a instanceof Float32Array;
  const step = madd === 'fused'
    ? (single ? (x: number, y: number, s: number) => fma32(x, y, s) : fma64)
    : (single ? (x: number, y: number, s: number) => Math.fround(s + Math.fround(x * y)) : (x: number, y: number, s: number) => s + x * y);
  const c: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j]! : 0;
      for (let p = 0; p < k; p++) s = step(a[i * aRow + p * aCol]!, b[p * bRow + j * bCol]!, s);
      c.push(s);
    }
  }
  return c;
}
