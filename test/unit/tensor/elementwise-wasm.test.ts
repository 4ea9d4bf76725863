/**
 * Elementwise +, −, ×, ÷, gradient accumulation and masked_fill in
 * WebAssembly (elementwiseWasm.ts) against the definitions binary.ts's and
 * autograd.ts's loops compute (each result one operation in float64, stored
 * to the array's dtype): the same bits for every value a float can hold
 * (±0, ±∞, NaN, subnormals, the extremes), in float32 and float64, for the
 * broadcast forms a transformer makes (a residual sum, scores ÷ √d, a bias
 * row, a per-row statistic, a [1, 1, T, T] causal mask over [B, H, T, T]
 * scores, a mask broadcast over a smaller x) at lengths with and without a
 * SIMD tail; and the ops that use them, above and below the length where
 * the kernels take over.
 */
import { describe, expect, it } from 'vitest';
import { add, div, maskedFill, mul, sub } from '../../../engine/tensor/binary';
import { planBroadcast } from '../../../engine/tensor/broadcast';
import { addIntoWasm, arithmeticWasm, ELEMENTWISE_WASM_MIN_LENGTH, maskedWasm } from '../../../engine/tensor/elementwiseWasm';
import { Tensor } from '../../../engine/tensor/tensor';
import { bitMismatches } from '../support/bitMismatches';

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 5e-324, -5e-324, 3.4e38, -3.4e38, 1.7e308, -1.7e308, 1, -1, 0.5, -0.5, 1e-310, 3];

function values(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (i % 3 === 0 ? SPECIAL[(i / 3 + seed) % SPECIAL.length]! : Math.sin(i * 12.9898 + seed) * 10 ** ((i % 11) - 5)));
}


/** Row-major index of `shape`'s element for output index p of `outShape` (broadcast: size-1 dimensions read index 0). */
function broadcastIndex(p: number, outShape: readonly number[], shape: readonly number[]): number {
  const lead = outShape.length - shape.length;
  let at = 0;
  let stride = 1;
  for (let d = outShape.length - 1; d >= 0; d--) {
    const i = p % outShape[d]!;
    p = Math.floor(p / outShape[d]!);
    if (d >= lead) {
      const size = shape[d - lead]!;
      if (size !== 1) at += i * stride;
      stride *= size;
    }
  }
  return at;
}

const OPS = [(a: number, b: number) => a + b, (a: number, b: number) => a - b, (a: number, b: number) => a * b, (a: number, b: number) => a / b];
const NAMES = ['+', '−', '×', '÷'];

/** [output shape, a's shape, b's shape]: the forms combineContiguous takes (a contiguous along the row). */
const FORMS: [number[], number[], number[]][] = [
  [[4, 16, 32], [4, 16, 32], [4, 16, 32]],
  [[2, 3, 17, 19], [2, 3, 17, 19], []],
  [[8, 9, 33], [8, 9, 33], [33]],
  [[8, 9, 33], [8, 9, 33], [8, 9, 1]],
  [[3, 1001], [3, 1001], [3, 1001]],
];

describe('elementwise kernels in WebAssembly', () => {
  for (const Array_ of [Float32Array, Float64Array]) {
    const dtype = Array_ === Float32Array ? 'float32' : 'float64';

    it(`+ − × ÷ over broadcast plans: one operation per element, stored to the dtype (${dtype})`, () => {
      for (const [outShape, aShape, bShape] of FORMS) {
        const n = outShape.reduce((p, d) => p * d, 1);
        const a = Array_.from(values(aShape.reduce((p, d) => p * d, 1), 1));
        const b = Array_.from(values(bShape.reduce((p, d) => p * d, 1), 2));
        const plan = planBroadcast(outShape, aShape, bShape);
        for (let kind = 0; kind < 4; kind++) {
          const out = new Array_(n).fill(7);
          expect(arithmeticWasm(kind, a, b, out, plan)).toBe(true);
          const want = new Array_(n);
          for (let p = 0; p < n; p++) want[p] = OPS[kind]!(a[broadcastIndex(p, outShape, aShape)]!, b[broadcastIndex(p, outShape, bShape)]!);
          expect(bitMismatches(out, want), `${NAMES[kind]} [${outShape}] ← [${aShape}], [${bShape}]`).toEqual([]);
        }
      }
    });

    it(`target += source (${dtype}; lengths 1, 5, 4096, 4099)`, () => {
      for (const n of [1, 5, 4096, 4099]) {
        const target = Array_.from(values(n, 3));
        const source = Array_.from(values(n, 4));
        const want = target.slice();
        for (let i = 0; i < n; i++) want[i] += source[i]!;
        expect(addIntoWasm(target, source)).toBe(true);
        expect(bitMismatches(target, want), `n = ${n}`).toEqual([]);
      }
    });

    it(`masked_fill and its gradient: value (or +0) where the mask is nonzero, ±0 counting as zero and NaN as nonzero (${dtype})`, () => {
      const maskValues = [0, 1, -0, NaN, 2, 0, 1e-45, 0, -3];
      for (const [outShape, xShape, mShape] of [
        [[2, 3, 16, 16], [2, 3, 16, 16], [1, 1, 16, 16]],
        [[2, 3, 17, 13], [2, 3, 17, 13], [2, 3, 17, 13]],
        [[5, 7, 33], [1, 7, 33], [5, 7, 33]],
        [[5, 7, 33], [5, 7, 33], [5, 7, 1]],
      ] as [number[], number[], number[]][]) {
        const n = outShape.reduce((p, d) => p * d, 1);
        const x = Array_.from(values(xShape.reduce((p, d) => p * d, 1), 5));
        const mask = Array_.from(Array.from({ length: mShape.reduce((p, d) => p * d, 1) }, (_, i) => maskValues[(i * 7) % maskValues.length]!));
        const plan = planBroadcast(outShape, xShape, mShape);
        for (const value of [-Infinity, 0.1, NaN]) {
          const out = new Array_(n).fill(7);
          expect(maskedWasm(x, mask, out, plan, value, false)).toBe(true);
          const want = new Array_(n);
          for (let p = 0; p < n; p++) want[p] = mask[broadcastIndex(p, outShape, mShape)] !== 0 ? value : x[broadcastIndex(p, outShape, xShape)]!;
          expect(bitMismatches(out, want), `[${outShape}] ← x [${xShape}], mask [${mShape}], value ${value}`).toEqual([]);
        }
        const g = Array_.from(values(n, 6));
        const gx = new Array_(n).fill(7);
        expect(maskedWasm(g, mask, gx, plan, 0, true)).toBe(true);
        const want = new Array_(n);
        for (let p = 0; p < n; p++) want[p] = mask[broadcastIndex(p, outShape, mShape)] !== 0 ? 0 : g[p]!;
        expect(bitMismatches(gx, want), `gradient, [${outShape}]`).toEqual([]);
      }
    });

    it(`the ops, above and below ELEMENTWISE_WASM_MIN_LENGTH, with gradients accumulated (${dtype})`, () => {
      for (const [B, T, C] of [[2, 3, 5], [4, 16, 64]]) {
        const shape = [B, T, C];
        const n = B * T * C;
        const where = n >= ELEMENTWISE_WASM_MIN_LENGTH ? 'from' : 'below';
        const xv = values(n, 8);
        const x = Tensor.from(xv, shape, { dtype, requiresGrad: true });
        const r = Tensor.from(values(n, 9), shape, { dtype });
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        const rv = r.data;
        const xd = x.data;
        // x used three times: its gradients meet (autograd's addInto).
        const y = add(sub(mul(x, r), div(x, 5.65)), x);
        const forward = Array.from({ length: n }, (_, i) => round(round(round(xd[i]! * rv[i]!) - round(xd[i]! / round(5.65))) + xd[i]!));
        expect(bitMismatches(y.data, forward), `${where}`).toEqual([]);
        const g = Tensor.from(values(n, 10), shape, { dtype });
        y.backward(g.data);
        // ∂y/∂x = g·r − g/5.65 + g, the three terms added as they meet, in an order autograd picks.
        const gd = g.data;
        for (let i = 0; i < n; i++) {
          const terms = [round(gd[i]! * rv[i]!), round(-gd[i]! / round(5.65)), gd[i]!];
          const sums = [[0, 1, 2], [0, 2, 1], [1, 2, 0]].map(([p, q, s]) => round(round(terms[p]! + terms[q]!) + terms[s]!));
          const got = x.grad![i]!;
          expect(sums.some((v) => Object.is(v, got) || (Number.isNaN(v) && Number.isNaN(got))), `${where}, ∂x[${i}] = ${got}, not one of ${sums}`).toBe(true);
        }
        const masked = maskedFill(x, Tensor.from(values(C, 11).map((v) => (v > 0 ? 1 : 0)), [C], { dtype }), -Infinity);
        for (let i = 0; i < n; i++) expect(Object.is(masked.data[i], values(C, 11)[i % C]! > 0 ? -Infinity : xd[i]), `${where}, ${i}`).toBe(true);
      }
    });
  }

  it('declines mixed dtypes, writing nothing', () => {
    const out = new Float32Array(8).fill(7);
    const plan = planBroadcast([8], [8], [8]);
    expect(arithmeticWasm(0, new Float64Array(8), new Float32Array(8), out, plan)).toBe(false);
    expect(addIntoWasm(out, new Float64Array(8))).toBe(false);
    expect(maskedWasm(new Float32Array(8), new Float64Array(8), out, plan, 0, false)).toBe(false);
    expect(Array.from(out).every((v) => v === 7)).toBe(true);
  });
});
