/** Property-based checks (fast-check) of identities the ops must satisfy for any input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { add, div, mul, sub } from '../../../engine/tensor/binary';
import { linear, matmul } from '../../../engine/tensor/matmul';
import { sum } from '../../../engine/tensor/reduce';
import { logSoftmax, softmax } from '../../../engine/tensor/softmax';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, randn } from './helpers';

const finiteFloat32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) });

describe('properties', () => {
  it('float32 +, −, ×, ÷ equal the correctly rounded IEEE single result (double rounding via float64 is innocuous)', () => {
    fc.assert(
      fc.property(finiteFloat32, finiteFloat32, (p, q) => {
        const a = Tensor.from([p]);
        const b = Tensor.from([q]);
        expect(add(a, b).item()).toBe(Math.fround(p + q));
        expect(sub(a, b).item()).toBe(Math.fround(p - q));
        expect(mul(a, b).item()).toBe(Math.fround(p * q));
        if (q !== 0) expect(div(a, b).item()).toBe(Math.fround(p / q));
      }),
    );
  });

  it('linear(x, W, b) = x·Wᵀ + b computed through matmul and an explicit transpose', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (n, inF, outF, seed) => {
        const rng = new TorchGenerator(seed);
        const x = randn(rng, [n, inF]);
        const w = randn(rng, [outF, inF]);
        const b = randn(rng, [outF]);
        const wT = new Float64Array(inF * outF);
        for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) wT[i * outF + o] = w.data[o * inF + i]!;
        const viaMatmul = add(matmul(x, Tensor.from(wT, [inF, outF])), b);
        expectClose(linear(x, w, b).data, viaMatmul.data, 1e-14);
      }),
      { numRuns: 50 },
    );
  });

  it('softmax is invariant to adding a constant to a row, and log-softmax is its logarithm', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.double({ min: -50, max: 50, noNaN: true }), fc.integer(), (C, shift, seed) => {
        const x = randn(new TorchGenerator(seed), [2, C], { scale: 5 });
        const shifted = add(x, shift);
        expectClose(softmax(shifted).data, softmax(x).data, 1e-13);
        const p = softmax(x).data;
        expectClose(logSoftmax(x).data, Array.from(p, Math.log), 1e-13);
      }),
      { numRuns: 50 },
    );
  });

  it('the gradient of Σ(x ⊙ c) is c, and backward is linear in the upstream gradient', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer(), (n, seed) => {
        const rng = new TorchGenerator(seed);
        const x = randn(rng, [n], { requiresGrad: true });
        const c = randn(rng, [n]);
        sum(mul(x, c)).backward();
        expect(Array.from(x.grad!)).toEqual(Array.from(c.data));
        x.zeroGrad();
        mul(x, c).backward(new Float64Array(n).fill(2));
        expect(Array.from(x.grad!)).toEqual(Array.from(c.data, (v) => 2 * v));
      }),
      { numRuns: 50 },
    );
  });
});
