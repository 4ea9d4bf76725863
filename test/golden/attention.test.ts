/**
 * nn.MultiheadAttention's training path against torch (test/fixtures/attention.json,
 * written by scripts/golden/gen_attention.py): the engine's
 * multiHeadAttentionForward, with the module's batch_first transposes around
 * it, gives torch's output, weights and the gradient of every parameter and
 * input, within 1e-10 normwise relative error in float64 and 1e-5 in float32.
 */
import { describe, expect, it } from 'vitest';
import { add, mul, multiHeadAttentionForward, sum, Tensor, transpose, type DType } from '../../engine/tensor';
import { normwise } from './helpers/compare';
import { readFixtureJson } from './helpers/fixtures';

interface Spec { shape: number[]; values: number[] }
interface Result { output: number[]; weights: number[] | null; grads: Record<string, number[]> }
interface CaseData {
  module: { embed_dim: number; num_heads: number; batch_first?: boolean };
  call: { need_weights?: boolean; average_attn_weights?: boolean };
  self: boolean;
  parameters: Record<string, Spec>;
  inputs: Record<string, Spec>;
  masks: Record<string, Spec & { boolean: boolean }>;
  outputShape: number[];
  weightsShape: number[] | null;
  upstream: { output: number[]; weights?: number[] };
  float64: Result;
  float32: Result;
}

const fixture = readFixtureJson<{ cases: Record<string, CaseData> }>('attention.json');

describe('nn.MultiheadAttention against torch', () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    for (const dtype of ['float64', 'float32'] as DType[]) {
      it(`${name} in ${dtype}`, () => {
        const leaf = (s: Spec): Tensor => Tensor.from(s.values, s.shape, { dtype, requiresGrad: true });
        const params = Object.fromEntries(Object.entries(c.parameters).map(([k, v]) => [k, leaf(v)]));
        const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, leaf(v)]));
        const mask = (k: string): Tensor | null => (c.masks[k] ? Tensor.from(c.masks[k]!.values, c.masks[k]!.shape, { dtype }) : null);
        const batchFirst = c.module.batch_first === true && inputs.query!.ndim === 3;
        const seqFirst = (t: Tensor): Tensor => (batchFirst ? transpose(t, 1, 0) : t);
        const q = seqFirst(inputs.query!);
        const [k, v] = c.self ? [q, q] : [seqFirst(inputs.key!), seqFirst(inputs.value!)];
        const r = multiHeadAttentionForward(q, k, v, {
          numHeads: c.module.num_heads,
          inProjWeight: params.in_proj_weight ?? null, inProjBias: params.in_proj_bias ?? null,
          qProjWeight: params.q_proj_weight ?? null, kProjWeight: params.k_proj_weight ?? null, vProjWeight: params.v_proj_weight ?? null,
          outProjWeight: params['out_proj.weight']!, outProjBias: params['out_proj.bias'] ?? null,
          keyPaddingMask: mask('key_padding_mask'), keyPaddingMaskBoolean: c.masks.key_padding_mask?.boolean ?? true,
          attnMask: mask('attn_mask'), attnMaskBoolean: c.masks.attn_mask?.boolean ?? true,
          needWeights: c.call.need_weights !== false, averageAttnWeights: c.call.average_attn_weights !== false, training: true,
        });
        const output = batchFirst ? transpose(r.output, 1, 0) : r.output;
        expect(output.shape).toEqual(c.outputShape);
        let phi = sum(mul(output, Tensor.from(c.upstream.output, c.outputShape, { dtype })));
        if (c.weightsShape) {
          expect(r.weights!.shape).toEqual(c.weightsShape);
          phi = add(phi, sum(mul(r.weights!, Tensor.from(c.upstream.weights!, c.weightsShape, { dtype }))));
        } else expect(r.weights).toBeNull();
        phi.backward();
        const tol = dtype === 'float64' ? 1e-10 : 1e-5;
        const expected = c[dtype as 'float64' | 'float32'];
        expect(normwise(output.data, expected.output)).toBeLessThanOrEqual(tol);
        if (expected.weights) expect(normwise(r.weights!.data, expected.weights)).toBeLessThanOrEqual(tol);
        const leaves = { ...params, ...inputs };
        for (const [key, g] of Object.entries(expected.grads)) expect(normwise(leaves[key]!.grad!, g), key).toBeLessThanOrEqual(tol);
      });
    }
  }
});
