/**
 * The convolutional, pooling, normalization, embedding, recurrent and
 * cross-entropy ops against torch (test/fixtures/ops/cnn.json, written by
 * scripts/golden/gen_ops_cnn.py): every output and every input gradient, in
 * float64 and float32, from the same inputs (drawn in float32).
 *
 * Tolerance, normwise per array: max|ours − torch| ≤ tol · max|torch|, with
 * tol = 1e-10 in float64 (the two differ in summation order only) and 1e-5 in
 * float32 (torch's float32 kernels — oneDNN convolutions, vectorized exp and
 * tanh — round differently from ours; see each op's module comment).
 */
import { describe, expect, it } from 'vitest';
import type { DType } from '../../../engine/tensor/dtype';
import { Tensor } from '../../../engine/tensor/tensor';
import fixture from '../../fixtures/ops/cnn.json';
import { OPS, type OpCase } from './cnn-torch-ops';

const TOLERANCE: Record<DType, number> = { float64: 1e-10, float32: 1e-5 };

function expectNormwiseClose(actual: ArrayLike<number>, expected: readonly number[], tol: number, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let scale = 0;
  let error = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    const d = Math.abs(actual[i]! - expected[i]!);
    error = Number.isNaN(d) ? Infinity : Math.max(error, d);
  }
  expect(error, `${label}: max abs error ${error} against max |torch| ${scale}`).toBeLessThanOrEqual(tol * Math.max(scale, 1e-30));
}

const cases = fixture.cases as unknown as OpCase[];

describe('ops against torch (cnn.json)', () => {
  it('has a runner for every op in the fixture', () => {
    const missing = [...new Set(cases.map((c) => c.op))].filter((op) => !(op in OPS));
    expect(missing).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(62);
  });

  for (const c of cases) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${c.name} (${dtype})`, () => {
        const run = OPS[c.op];
        if (run === undefined) throw new Error(`no runner for ${c.op}`);
        const leaves: Record<string, Tensor> = {};
        for (const [name, spec] of Object.entries(c.inputs)) {
          leaves[name] = Tensor.from(spec.values, spec.shape, { dtype, requiresGrad: c.grads.includes(name) });
        }
        const outputs = run(leaves, c.ints, c.options);
        const result = c.results[dtype];
        expect(outputs.length).toBe(result.outputs.length);
        outputs.forEach((out, k) => {
          expect(out.shape, `output ${k} shape`).toEqual(result.outputs[k]!.shape);
          expectNormwiseClose(out.data, result.outputs[k]!.values, TOLERANCE[dtype], `output ${k}`);
        });
        if (c.upstream === null) {
          outputs[0]!.backward();
        } else {
          // φ = Σₖ Σ upstreamₖ ⊙ outputₖ: one backward per output accumulates the same leaf gradients.
          outputs.forEach((out, k) => {
            if (out.requiresGrad) out.backward(Float64Array.from(c.upstream![k]!.values));
          });
        }
        for (const name of c.grads) {
          const grad = leaves[name]!.grad;
          expect(grad, `gradient of ${name}`).not.toBeNull();
          expectNormwiseClose(grad!, result.grads[name]!, TOLERANCE[dtype], `∂φ/∂${name}`);
        }
        for (const [name, values] of Object.entries(result.state ?? {})) {
          expectNormwiseClose(leaves[name]!.data, values, TOLERANCE[dtype], `${name} after the update`);
        }
      });
    }
  }
});
