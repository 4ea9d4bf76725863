/**
 * The gradient of a split's pieces (and of any index of a tensor that has
 * another use) is added into the input's pending gradient in place
 * (GradFn.addInputGradient): the result is each use's gradient summed, as
 * with the full-size zero-padded gradients it replaces.
 */
import { describe, expect, it } from 'vitest';
import { BufferArena } from '../../../engine/tensor/arena';
import { add, mul } from '../../../engine/tensor/binary';
import { split } from '../../../engine/tensor/concat';
import type { DType } from '../../../engine/tensor/dtype';
import { index } from '../../../engine/tensor/indexing';
import { sum } from '../../../engine/tensor/reduce';
import { Tensor } from '../../../engine/tensor/tensor';

function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

for (const dtype of ['float32', 'float64'] as DType[]) {
  describe(`split and index gradients (${dtype})`, () => {
    const round = dtype === 'float32' ? Math.fround : (v: number) => v;

    it('pieces of the last dimension, of odd sizes, and the whole tensor used once more', () => {
      for (const arena of [null, new BufferArena()]) {
        const run = <T>(f: () => T): T => (arena ? arena.run(f) : f());
        for (let step = 0; step < 2; step++) {
          const x = Tensor.from(values(2 * 3 * 7, 1), [2, 3, 7], { dtype, requiresGrad: true });
          const w = [3, 5, 7, 9].map((s) => Tensor.from(values(42, s), [2, 3, 7], { dtype }));
          const grad = run(() => {
            const pieces = split(x, [2, 3, 2], 2); // sizes 2, 3, 2 along the last dimension
            let loss = sum(mul(x, w[3]!));
            pieces.forEach((p, i) => {
              const wi = split(w[i]!, [2, 3, 2], 2)[i]!;
              loss = add(loss, sum(mul(p, wi)));
            });
            loss.backward();
            return Array.from(x.grad!);
          });
          // ∂L/∂x = w₃ + (w₀ | w₁ | w₂ by column range): two terms per element, added once.
          const expected = grad.map((_, e) => {
            const col = e % 7;
            const piece = col < 2 ? 0 : col < 5 ? 1 : 2;
            return round(w[3]!.data[e]! + w[piece]!.data[e]!);
          });
          expect(grad).toEqual(expected);
        }
      }
    });

    it('overlapping slices add where they overlap (values in eighths, so that any order sums exactly)', () => {
      const x = Tensor.from(values(3 * 8, 4), [3, 8], { dtype, requiresGrad: true });
      const ranges: [number, number][] = [[0, 5], [2, 7], [1, 4], [6, 8]];
      const weights = ranges.map(([a, b], i) => Tensor.from(values(3 * (b - a), 10 + i).map((v) => Math.round(v * 8) / 8), [3, b - a], { dtype }));
      let loss: Tensor | null = null;
      ranges.forEach(([a, b], i) => {
        const term = sum(mul(index(x, [{}, { start: a, stop: b }]), weights[i]!));
        loss = loss ? add(loss, term) : term;
      });
      loss!.backward();
      const expected = Array.from({ length: 24 }, (_, e) => {
        const r = Math.floor(e / 8);
        const c = e % 8;
        let total = 0;
        ranges.forEach(([a, b], i) => {
          if (c >= a && c < b) total += weights[i]!.data[r * (b - a) + c - a]!;
        });
        return total;
      });
      expect(Array.from(x.grad!)).toEqual(expected);
    });

    it('an index with a step and a None, next to another use of its input', () => {
      const x = Tensor.from(values(5 * 6, 2), [5, 6], { dtype, requiresGrad: true });
      const g = Tensor.from(values(2 * 1 * 3, 3), [2, 1, 3], { dtype });
      const y = index(x, [{ start: 1, stop: 5, step: 2 }, null, { start: 0, stop: 6, step: 2 }]); // rows 1, 3; columns 0, 2, 4
      const z = mul(x, 3);
      const loss = add(sum(mul(y, g)), sum(z));
      loss.backward();
      const expected = Array.from({ length: 30 }, (_, e) => {
        const r = Math.floor(e / 6);
        const c = e % 6;
        const picked = r % 2 === 1 && c % 2 === 0 ? g.data[((r - 1) / 2) * 3 + c / 2]! : 0;
        return picked === 0 ? 3 : round(3 + picked);
      });
      expect(Array.from(x.grad!)).toEqual(expected);
    });
  });
}
