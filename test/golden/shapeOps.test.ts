/**
 * The shape and transformer ops against torch (test/fixtures/shape_ops.json,
 * written by scripts/golden/gen_shape_ops.py): outputs and input gradients
 * for a fixed upstream gradient, within 1e-10 normwise relative error in
 * float64 and 1e-5 in float32.
 */
import { describe, expect, it } from 'vitest';
import {
  add, arange, bmm, cat, chunk, contiguous, eq, expand, flatten, gelu, index, layerNorm, logSoftmax, maskedFill, matmul,
  mean, mish, mul, linear, ones, permute, pow, scaledDotProductAttention, silu, softmax, split, squeeze, stack, sub, sum, tanh,
  transpose, tril, triu, unsqueeze, view, where, div, type DType, Tensor,
} from '../../engine/tensor';
import { normwise } from './helpers/compare';
import { readFixtureJson } from './helpers/fixtures';

interface CaseData {
  inputs: Record<string, { shape: number[]; values: number[] }>;
  outputShape: number[];
  upstream: number[];
  float64: { output: number[]; grads: Record<string, number[]> };
  float32: { output: number[]; grads: Record<string, number[]> };
}

const fixture = readFixtureJson<{ torch_version: string; cases: Record<string, CaseData> }>('shape_ops.json');

type Leaves = Record<string, Tensor>;

/** nanoGPT's attention core, op for op as the generator writes it in Python. */
function causalAttention(t: Leaves, dtype: DType): Tensor {
  const x = t.x!;
  const [B, T, C] = x.shape as [number, number, number];
  const mask = view(tril(ones([8, 8], { dtype })), [1, 1, 8, 8]);
  const heads = (p: Tensor): Tensor => transpose(view(p, [B, T, 2, C / 6]), 1, 2);
  const [q, k, v] = split(x, C / 3, 2).map(heads) as [Tensor, Tensor, Tensor];
  let att = div(matmul(q, transpose(k, -2, -1)), Math.sqrt(k.shape[3]!));
  att = maskedFill(att, eq(index(mask, [{}, {}, { stop: T }, { stop: T }]), 0), -Infinity);
  const y = matmul(softmax(att, -1), v);
  return view(contiguous(transpose(y, 1, 2)), [B, T, C / 3]);
}

/** examples/tiny_gpt/model.py's Block (2 heads), op for op. */
function gptBlock(t: Leaves, dtype: DType): Tensor {
  let x = t.x!;
  const [B, T, C] = x.shape as [number, number, number];
  const mask = view(tril(ones([8, 8], { dtype })), [1, 1, 8, 8]);
  let h = layerNorm(x, C, t.ln1_w!, t.ln1_b!);
  const heads = (p: Tensor): Tensor => transpose(view(p, [B, T, 2, C / 2]), 1, 2);
  const [q, k, v] = split(linear(h, t.qkv_w!, t.qkv_b!), C, 2).map(heads) as [Tensor, Tensor, Tensor];
  let att = div(matmul(q, transpose(k, -2, -1)), Math.sqrt(k.shape[3]!));
  att = maskedFill(att, eq(index(mask, [{}, {}, { stop: T }, { stop: T }]), 0), -Infinity);
  const y = view(contiguous(transpose(matmul(softmax(att, -1), v), 1, 2)), [B, T, C]);
  x = add(x, linear(y, t.proj_w!, t.proj_b!));
  h = layerNorm(x, C, t.ln2_w!, t.ln2_b!);
  return add(x, linear(gelu(linear(h, t.up_w!, t.up_b!)), t.down_w!, t.down_b!));
}

const CASES: Record<string, (t: Leaves, dtype: DType) => Tensor> = {
  add_broadcast: (t) => add(t.a!, t.b!),
  sub_broadcast_left: (t) => sub(t.a!, t.b!),
  mul_broadcast_both: (t) => mul(t.a!, t.b!),
  div_broadcast: (t) => div(t.a!, t.b!),
  pow_tensor: (t) => pow(t.a!, t.b!),
  rsub_scalar: (t) => sub(1, t.a!),
  rdiv_scalar: (t) => div(2, t.a!),
  mul_scalar: (t) => mul(t.a!, 0.1),
  residual: (t) => add(t.a!, mul(tanh(t.a!), 0.5)),
  where: (t, dtype) => where(Tensor.from([1, 0, 1, 0, 0, 1], [2, 3], { dtype }), t.a!, t.b!),
  masked_fill_softmax: (t, dtype) => {
    const mask = view(tril(ones([6, 6], { dtype })), [1, 1, 6, 6]);
    return softmax(maskedFill(t.a!, eq(index(mask, [{}, {}, { stop: 4 }, { stop: 4 }]), 0), -Infinity), -1);
  },
  view_transpose: (t) => mul(transpose(view(t.a!, [2, 4, 2, 3]), 1, 2), 1.5),
  permute: (t) => mul(permute(t.a!, [2, 0, 1]), permute(t.a!, [2, 0, 1])),
  flatten_unsqueeze_squeeze: (t) => pow(flatten(unsqueeze(squeeze(t.a!, 1), -1), 1), 2),
  expand: (t, dtype) => mul(expand(t.a!, [2, 3, 4]), arange(4, undefined, 1, { dtype })),
  index_last_position: (t) => pow(index(t.a!, [{}, -1, {}]), 2),
  index_ellipsis_slice: (t) => pow(index(t.a!, ['...', { stop: 2 }]), 2),
  index_step_none: (t) => pow(index(t.a!, [null, {}, { start: 1, stop: 4, step: 2 }, 1]), 2),
  cat_dim1: (t) => pow(cat([t.a!, t.b!, t.a!], 1), 2),
  stack_dim2: (t) => pow(stack([t.a!, t.b!], 2), 2),
  split_qkv: (t) => {
    const [q, k, v] = split(t.a!, 2, 2) as [Tensor, Tensor, Tensor];
    return add(mul(q, k), v);
  },
  chunk: (t) => cat(chunk(t.a!, 3, 1).map((p) => pow(p, 2)).reverse(), 1),
  matmul_4d: (t) => matmul(t.a!, t.b!),
  matmul_batch_matrix: (t) => matmul(t.a!, t.b!),
  matmul_broadcast_batch: (t) => matmul(t.a!, t.b!),
  matmul_vector_batch: (t) => matmul(t.a!, t.b!),
  matmul_batch_vector: (t) => matmul(t.a!, t.b!),
  bmm: (t) => bmm(t.a!, t.b!),
  softmax_dim1: (t) => softmax(t.a!, 1),
  log_softmax_dim0: (t) => logSoftmax(t.a!, 0),
  sum_dims_keepdim: (t) => sum(t.a!, [0, 2], true),
  mean_dims: (t) => mean(t.a!, [-1, -2]),
  layer_norm_trailing: (t) => layerNorm(t.a!, [3, 4], t.w!, t.b!),
  gelu: (t) => gelu(t.a!),
  gelu_tanh: (t) => gelu(t.a!, 'tanh'),
  silu: (t) => silu(t.a!),
  mish: (t) => mish(t.a!),
  tril_grad: (t) => add(tril(t.a!, -1), mul(triu(t.a!, 2), 2)),
  causal_attention_composed: causalAttention,
  gpt_block: gptBlock,
  sdpa: (t) => scaledDotProductAttention(t.q!, t.k!, t.v!),
  sdpa_causal: (t) => scaledDotProductAttention(t.q!, t.k!, t.v!, { isCausal: true }),
  sdpa_bool_mask: (t, dtype) =>
    scaledDotProductAttention(t.q!, t.k!, t.v!, {
      attnMask: Tensor.from([1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0], [3, 5], { dtype }),
      attnMaskBoolean: true,
    }),
  sdpa_float_mask: (t) => scaledDotProductAttention(t.q!, t.k!, t.v!, { attnMask: t.m! }),
};

const TOLERANCE: Record<DType, number> = { float64: 1e-10, float32: 1e-5 };

describe(`shape and transformer ops against torch ${fixture.torch_version}`, () => {
  it('covers every case of the fixture', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(fixture.cases).sort());
  });

  for (const [name, data] of Object.entries(fixture.cases)) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${name} (${dtype}): output and input gradients`, () => {
        const leaves: Leaves = {};
        for (const [key, input] of Object.entries(data.inputs)) {
          leaves[key] = Tensor.from(input.values, input.shape, { dtype, requiresGrad: true });
        }
        const out = CASES[name]!(leaves, dtype);
        expect(out.shape).toEqual(data.outputShape);
        expect(out.dtype).toBe(dtype);
        const expected = data[dtype];
        expect(normwise(out.data, expected.output)).toBeLessThanOrEqual(TOLERANCE[dtype]);
        out.backward(Tensor.from(data.upstream, data.outputShape, { dtype }));
        for (const [key, grad] of Object.entries(expected.grads)) {
          expect(leaves[key]!.grad, `gradient of ${key}`).not.toBeNull();
          expect(normwise(leaves[key]!.grad!, grad), `gradient of ${key}`).toBeLessThanOrEqual(TOLERANCE[dtype]);
        }
      });
    }
  }
});
