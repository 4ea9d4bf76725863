/**
 * The 3-D ops of video models against torch (test/fixtures/ops_3d.json,
 * written by scripts/golden/gen_ops_3d.py): conv3d, adaptive_avg_pool3d and
 * batch_norm over [N, C, D, H, W], outputs and every input's gradient for a
 * fixed upstream gradient, within 1e-10 normwise relative error in float64
 * and 1e-5 in float32.
 */
import { describe, expect, it } from 'vitest';
import { adaptiveAvgPool3d, batchNorm, conv3d, mul, sum, Tensor, type DType } from '../../engine/tensor';
import { normwise } from './helpers/compare';
import { readFixtureJson } from './helpers/fixtures';

interface CaseData {
  options: Record<string, unknown>;
  inputs: Record<string, { shape: number[]; values: number[] }>;
  outputShape: number[];
  upstream: number[];
  float64: { output: number[]; grads: Record<string, number[]> };
  float32: { output: number[]; grads: Record<string, number[]> };
}

const fixture = readFixtureJson<{ cases: Record<string, CaseData> }>('ops_3d.json');

type Leaves = Record<string, Tensor>;
type Options = Record<string, never>;

const conv = (t: Leaves, o: Options): Tensor => conv3d(t.x!, t.w!, t.b ?? null, { stride: o.stride, padding: o.padding, dilation: o.dilation, groups: o.groups });

const CASES: Record<string, (t: Leaves, o: Options) => Tensor> = {
  conv3d_padded: conv,
  conv3d_strided_dilated_grouped: conv,
  conv3d_unbatched: conv,
  adaptive_avg_pool3d: (t, o) => adaptiveAvgPool3d(t.x!, o.output_size),
  adaptive_avg_pool3d_one: (t, o) => adaptiveAvgPool3d(t.x!, o.output_size),
  batch_norm3d_training: (t, o) => batchNorm(t.x!, null, null, t.w!, t.b!, { training: true, momentum: o.momentum, eps: o.eps }),
};

describe('3-D ops against torch', () => {
  it('the fixture has exactly the cases this test runs', () => {
    expect(Object.keys(fixture.cases).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [name, run] of Object.entries(CASES)) {
    for (const dtype of ['float64', 'float32'] as DType[]) {
      it(`${name} in ${dtype}`, () => {
        const c = fixture.cases[name]!;
        const leaves = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, Tensor.from(v.values, v.shape, { dtype, requiresGrad: true })]));
        const out = run(leaves, c.options as Options);
        expect(out.shape).toEqual(c.outputShape);
        sum(mul(out, Tensor.from(c.upstream, c.outputShape, { dtype }))).backward();
        const tol = dtype === 'float64' ? 1e-10 : 1e-5;
        const expected = c[dtype as 'float64' | 'float32'];
        expect(normwise(out.data, expected.output)).toBeLessThanOrEqual(tol);
        for (const [k, g] of Object.entries(expected.grads)) expect(normwise(leaves[k]!.grad!, g), k).toBeLessThanOrEqual(tol);
      });
    }
  }
});
