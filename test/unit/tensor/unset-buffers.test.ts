/**
 * Ops whose outputs come from `allocateUnset` write every element: inside a
 * step whose reused buffers hold garbage (NaN left by the previous step),
 * each gives exactly what it gives on fresh arrays, forward and backward.
 * The fast loops beside them (softmax's skipped e^(−∞), the contiguous and
 * per-row-scalar forms of + − × ÷, masked_fill's contiguous runs) give the
 * bits of the plain formulas, in float32 and float64, at odd sizes.
 */
import { describe, expect, it } from 'vitest';
import { allocateUnset, BufferArena } from '../../../engine/tensor/arena';
import { add, div, maskedFill, mul, sub } from '../../../engine/tensor/binary';
import type { DType, FloatArray } from '../../../engine/tensor/dtype';
import { layerNorm } from '../../../engine/tensor/layerNorm';
import { linear, matmul } from '../../../engine/tensor/matmul';
import { softmax } from '../../../engine/tensor/softmax';
import { Tensor } from '../../../engine/tensor/tensor';
import { transpose } from '../../../engine/tensor/views';

/** Deterministic values in (−2, 2), by a small LCG (no dependence on the engine's generator). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

function tensor(shape: number[], seed: number, dtype: DType, requiresGrad = true): Tensor {
  return Tensor.from(values(shape.reduce((a, b) => a * b, 1), seed), shape, { dtype, requiresGrad });
}

/** Every output and input gradient of `build` (seeded with g = values), as plain arrays. */
function run(build: () => { out: Tensor; inputs: Tensor[] }): number[][] {
  const { out, inputs } = build();
  for (const t of inputs) t.zeroGrad();
  out.backward(Tensor.from(values(out.numel, 99), out.shape, { dtype: out.dtype }));
  return [Array.from(out.data), ...inputs.map((t) => Array.from(t.grad ?? []))];
}

const DTYPES: DType[] = ['float32', 'float64'];

describe('ops on unzeroed step buffers', () => {
  for (const dtype of DTYPES) {
    it(`give the results of fresh buffers (${dtype})`, () => {
      const x = tensor([3, 5, 7], 1, dtype);
      const w = tensor([6, 7], 2, dtype);
      const bias = tensor([6], 3, dtype);
      const gamma = tensor([7], 4, dtype);
      const beta = tensor([7], 5, dtype);
      const y = tensor([3, 7, 4], 6, dtype);
      const rowScale = tensor([3, 5, 1], 7, dtype);
      const mask = Tensor.from(values(35, 8).map((v) => (v > 0 ? 1 : 0)), [1, 5, 7], { dtype });
      const cases: [string, () => { out: Tensor; inputs: Tensor[] }][] = [
        ['linear', () => ({ out: linear(x, w, bias), inputs: [x, w, bias] })],
        ['matmul', () => ({ out: matmul(x, y), inputs: [x, y] })],
        ['softmax', () => ({ out: softmax(x, -1), inputs: [x] })],
        ['softmax, middle dim', () => ({ out: softmax(x, 1), inputs: [x] })],
        ['layerNorm', () => ({ out: layerNorm(x, 7, gamma, beta), inputs: [x, gamma, beta] })],
        ['transpose', () => ({ out: transpose(x, 0, 2), inputs: [x] })],
        ['add, sub, mul, div', () => ({ out: div(mul(sub(add(x, x), 0.5), rowScale), add(rowScale, 3)), inputs: [x, rowScale] })],
        ['maskedFill', () => ({ out: maskedFill(x, mask, -1.5), inputs: [x] })],
      ];
      for (const [name, build] of cases) {
        const fresh = run(build);
        const arena = new BufferArena();
        arena.run(() => run(build));
        // Poison every buffer the step was given, as a previous step's values would be.
        arena.run(() => {
          const poisoned: FloatArray[] = [];
          for (const n of [1, 3, 5, 6, 7, 15, 35, 42, 60, 84, 105, 126]) {
            for (let i = 0; i < 12; i++) poisoned.push(allocateUnset(dtype, n).fill(NaN));
            for (let i = 0; i < 12; i++) poisoned.push(allocateUnset('float64', n).fill(NaN));
          }
        });
        const reused = arena.run(() => run(build));
        expect(reused, name).toEqual(fresh);
      }
    });
  }
});

describe('fast loops give the plain formulas\' bits', () => {
  const round = (dtype: DType) => (dtype === 'float32' ? Math.fround : (v: number) => v);

  for (const dtype of DTYPES) {
    it(`softmax with −∞ (causally masked) scores, and a fully masked row (${dtype})`, () => {
      const T = 9;
      const raw = values(2 * T * T, 11);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) raw[i * T + j] = -Infinity;
      for (let j = 0; j < T; j++) raw[T * T + 4 * T + j] = -Infinity; // row 4 of the second matrix: all masked
      const x = Tensor.from(raw, [2, T, T], { dtype });
      const r = round(dtype);
      const xs = x.data;
      const expected: number[] = [];
      for (let row = 0; row < 2 * T; row++) {
        const v = Array.from(xs.subarray(row * T, row * T + T));
        let m = -Infinity;
        for (const a of v) if (a > m || Number.isNaN(a)) m = a;
        const e = v.map((a) => Math.exp(a - m));
        const s = e.reduce((acc, a) => acc + a, 0);
        expected.push(...e.map((a) => r(a / s)));
      }
      const got = Array.from(softmax(x).data);
      expect(got).toEqual(expected);
      expect(got.slice(T * T + 4 * T, T * T + 5 * T).every(Number.isNaN)).toBe(true); // as torch: 0/0
      expect(got[1]).toBe(0); // a masked entry of a row with a finite maximum
    });

    it(`+ − × ÷ on equal shapes, per-row scalars and a one-element tensor (${dtype})`, () => {
      const r = round(dtype);
      const a = tensor([4, 13], 21, dtype, false);
      const b = tensor([4, 13], 22, dtype, false);
      const perRow = tensor([4, 1], 23, dtype, false);
      const one = tensor([1], 24, dtype, false);
      const ops: [string, (p: Tensor, q: Tensor | number) => Tensor, (u: number, v: number) => number][] = [
        ['add', add, (u, v) => u + v], ['sub', sub, (u, v) => u - v], ['mul', mul, (u, v) => u * v], ['div', div, (u, v) => u / v],
      ];
      for (const [name, op, f] of ops) {
        const ad = a.data;
        expect(Array.from(op(a, b).data), name).toEqual(Array.from(ad, (u, i) => r(f(u, b.data[i]!))));
        expect(Array.from(op(a, perRow).data), `${name} per row`).toEqual(Array.from(ad, (u, i) => r(f(u, perRow.data[Math.floor(i / 13)]!))));
        expect(Array.from(op(a, one).data), `${name} one element`).toEqual(Array.from(ad, (u) => r(f(u, one.data[0]!))));
        expect(Array.from(op(a, 2.5).data), `${name} number`).toEqual(Array.from(ad, (u) => r(f(u, r(2.5)))));
      }
      // ∂(a / s)/∂a = g / s for a scalar s.
      const x = tensor([3, 5], 25, dtype);
      const s = tensor([1], 26, dtype);
      const g = Tensor.from(values(15, 27), [3, 5], { dtype });
      div(x, s).backward(g);
      expect(Array.from(x.grad!)).toEqual(Array.from(g.data, (v) => r(v / s.data[0]!)));
    });

    it(`masked_fill over a broadcast mask, and its gradient (${dtype})`, () => {
      const x = tensor([3, 2, 5, 5], 31, dtype);
      const mask = Tensor.from(Array.from({ length: 25 }, (_, i) => (i % 5 > Math.floor(i / 5) ? 1 : 0)), [1, 1, 5, 5], { dtype });
      const y = maskedFill(x, mask, -Infinity);
      const masked = (i: number) => mask.data[i % 25] !== 0;
      expect(Array.from(y.data)).toEqual(Array.from(x.data, (v, i) => (masked(i) ? -Infinity : v)));
      const g = Tensor.from(values(150, 32), [3, 2, 5, 5], { dtype });
      y.backward(g);
      expect(Array.from(x.grad!)).toEqual(Array.from(g.data, (v, i) => (masked(i) ? 0 : v)));
    });
  }
});
