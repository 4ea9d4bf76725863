/**
 * layerNorm's kernels (rows normalized by a closure-free function, γ's and
 * β's gradients summed in one pass) give the bits of the formulas written
 * out with the same float64 operations, with and without γ and β, in
 * float32 and float64, at an odd width.
 */
import { describe, expect, it } from 'vitest';
import type { DType } from '../../../engine/tensor/dtype';
import { layerNorm } from '../../../engine/tensor/layerNorm';
import { Tensor } from '../../../engine/tensor/tensor';

function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

const ROWS = 5;
const D = 11;
const EPS = 1e-5;

for (const dtype of ['float32', 'float64'] as DType[]) {
  describe(`layerNorm kernels (${dtype})`, () => {
    const round = dtype === 'float32' ? Math.fround : (v: number) => v;
    for (const [hasW, hasB] of [[true, true], [true, false], [false, true], [false, false]] as const) {
      it(`${hasW ? 'γ' : 'no γ'}, ${hasB ? 'β' : 'no β'}: outputs and gradients`, () => {
        const x = Tensor.from(values(ROWS * D, 1), [ROWS, D], { dtype, requiresGrad: true });
        const w = hasW ? Tensor.from(values(D, 2), [D], { dtype, requiresGrad: true }) : null;
        const b = hasB ? Tensor.from(values(D, 3), [D], { dtype, requiresGrad: true }) : null;
        const g = Tensor.from(values(ROWS * D, 4), [ROWS, D], { dtype });
        const y = layerNorm(x, D, w, b, EPS);
        y.backward(g);
        const xs = x.data;
        const gs = g.data;
        const ey: number[] = [];
        const egx: number[] = [];
        const egw = new Array<number>(D).fill(0);
        const egb = new Array<number>(D).fill(0);
        for (let r = 0; r < ROWS; r++) {
          const row = Array.from(xs.subarray(r * D, r * D + D));
          let mean = 0;
          for (const v of row) mean += v;
          mean /= D;
          let variance = 0;
          for (const v of row) variance += (v - mean) * (v - mean);
          variance /= D;
          const rs = 1 / Math.sqrt(variance + EPS);
          const xhat = row.map((v) => (v - mean) * rs);
          xhat.forEach((h, i) => ey.push(round(h * (w ? w.data[i]! : 1) + (b ? b.data[i]! : 0))));
          const scaled = xhat.map((_, i) => gs[r * D + i]! * (w ? w.data[i]! : 1));
          let meanG = 0;
          let meanGX = 0;
          scaled.forEach((v, i) => {
            meanG += v;
            meanGX += v * xhat[i]!;
          });
          meanG /= D;
          meanGX /= D;
          scaled.forEach((v, i) => egx.push(round(rs * (v - meanG - xhat[i]! * meanGX))));
          xhat.forEach((h, i) => {
            egw[i] += gs[r * D + i]! * h;
            egb[i] += gs[r * D + i]!;
          });
        }
        expect(Array.from(y.data)).toEqual(ey);
        expect(Array.from(x.grad!)).toEqual(egx);
        if (w) expect(Array.from(w.grad!)).toEqual(egw.map(round));
        if (b) expect(Array.from(b.grad!)).toEqual(egb.map(round));
      });
    }
  });
}
