/**
 * The piecewise-linear activations against torch (test/fixtures/activations.json,
 * written by scripts/golden/gen_activations.py): outputs and input gradients
 * for a fixed upstream gradient, on inputs that hit every piece and every
 * breakpoint (where torch's gradient conventions differ), within 1e-10
 * normwise relative error in float64 and 1e-5 in float32.
 */
import { describe, expect, it } from 'vitest';
import { hardsigmoid, hardswish, hardtanh, mul, relu6, sum, Tensor, type DType } from '../../engine/tensor';
import { normwise } from './helpers/compare';
import { readFixtureJson } from './helpers/fixtures';

interface CaseData {
  options: { min_val?: number; max_val?: number };
  input: { shape: number[]; values: number[] };
  upstream: number[];
  float64: { output: number[]; grad: number[] };
  float32: { output: number[]; grad: number[] };
}

const fixture = readFixtureJson<{ cases: Record<string, CaseData> }>('activations.json');

const CASES: Record<string, (x: Tensor, c: CaseData) => Tensor> = {
  relu6: (x) => relu6(x),
  hardtanh: (x) => hardtanh(x),
  hardtanh_bounds: (x, c) => hardtanh(x, c.options.min_val, c.options.max_val),
  hardsigmoid: (x) => hardsigmoid(x),
  hardswish: (x) => hardswish(x),
};

describe('piecewise-linear activations against torch', () => {
  it('the fixture has exactly the cases this test runs', () => {
    expect(Object.keys(fixture.cases).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [name, run] of Object.entries(CASES)) {
    for (const dtype of ['float64', 'float32'] as DType[]) {
      it(`${name} in ${dtype}`, () => {
        const c = fixture.cases[name]!;
        const x = Tensor.from(c.input.values, c.input.shape, { dtype, requiresGrad: true });
        const out = run(x, c);
        sum(mul(out, Tensor.from(c.upstream, c.input.shape, { dtype }))).backward();
        const tol = dtype === 'float64' ? 1e-10 : 1e-5;
        const expected = c[dtype as 'float64' | 'float32'];
        expect(normwise(out.data, expected.output)).toBeLessThanOrEqual(tol);
        expect(normwise(x.grad!, expected.grad)).toBeLessThanOrEqual(tol);
        // At the breakpoints (the last 9 inputs) the gradient's convention is torch's exactly.
        expect(Array.from(x.grad!.slice(-9)).map((g) => g === 0)).toEqual(expected.grad.slice(-9).map((g) => g === 0));
      });
    }
  }
});
