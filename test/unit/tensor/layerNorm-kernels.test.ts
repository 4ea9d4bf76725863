/**
 * layerNorm's kernels (rows normalized by a closure-free function, γ's and
 * β's gradients summed in one pass; with γ and β from LAYER_NORM_WASM_MIN_LENGTH
 * elements on, the WebAssembly kernels of layerNormWasm.ts) give the bits of
 * the formulas written out with the same float64 operations, with and without
 * γ and β, in float32 and float64, at an odd width, below and above that length,
 * and on rows with edge values (±0, subnormals, large magnitudes, ±∞, NaN).
 */
import { describe, expect, it } from 'vitest';
import type { DType } from '../../../engine/tensor/dtype';
import { layerNorm } from '../../../engine/tensor/layerNorm';
import { LAYER_NORM_WASM_MIN_LENGTH } from '../../../engine/tensor/layerNormWasm';
import { Tensor } from '../../../engine/tensor/tensor';

function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

const EPS = 1e-5;
const EDGE = [0, -0, 1e-45, -1e-45, 5e-324, 1e-310, 3e38, -3e38, 1e300, Infinity, -Infinity, NaN, 1, -1];

/** v with every 7th row's entries replaced by edge values, starting at EDGE[seed] (in place). */
function withEdges(v: number[], D: number, seed: number): number[] {
  for (let r = 0; r * D < v.length; r += 7) for (let i = 0; i < D; i++) v[r * D + i] = EDGE[(i + seed + r) % EDGE.length]!;
  return v;
}

/** Row-for-row comparison: bits, with every NaN as one value. */
function same(actual: ArrayLike<number>, expected: number[]): string[] {
  return Array.from(actual, (v, i) => ((Number.isNaN(v) && Number.isNaN(expected[i]!)) || Object.is(v, expected[i]) ? 'ok' : `${v} ≠ ${expected[i]}`));
}

for (const dtype of ['float32', 'float64'] as DType[]) {
  describe(`layerNorm kernels (${dtype})`, () => {
    const round = dtype === 'float32' ? Math.fround : (v: number) => v;
    for (const [hasW, hasB, ROWS, D, edges] of [
      [true, true, 5, 11, false], [true, false, 5, 11, false], [false, true, 5, 11, false], [false, false, 5, 11, false],
      [true, true, 60, 33, false], [true, true, 64, 128, true], [true, true, 31, 17, true], [false, true, 60, 33, true],
    ] as const) {
      const where = ROWS * D >= LAYER_NORM_WASM_MIN_LENGTH ? 'from' : 'below';
      it(`${hasW ? 'γ' : 'no γ'}, ${hasB ? 'β' : 'no β'}, [${ROWS}, ${D}] (${where} the WebAssembly length)${edges ? ', edge values' : ''}: outputs and gradients`, () => {
        const xv = values(ROWS * D, 1);
        const gv = values(ROWS * D, 4);
        if (edges) {
          withEdges(xv, D, 0);
          withEdges(gv, D, 3);
        }
        const x = Tensor.from(xv, [ROWS, D], { dtype, requiresGrad: true });
        const w = hasW ? Tensor.from(values(D, 2), [D], { dtype, requiresGrad: true }) : null;
        const b = hasB ? Tensor.from(values(D, 3), [D], { dtype, requiresGrad: true }) : null;
        const g = Tensor.from(gv, [ROWS, D], { dtype });
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
        const ok = (n: number) => new Array<string>(n).fill('ok');
        expect(same(y.data, ey)).toEqual(ok(ROWS * D));
        expect(same(x.grad!, egx)).toEqual(ok(ROWS * D));
        if (w) expect(same(w.grad!, egw.map(round))).toEqual(ok(D));
        if (b) expect(same(b.grad!, egb.map(round))).toEqual(ok(D));
      });
    }
  });
}
