/**
 * torch 1.13's `F.multi_head_attention_forward` on sequence-first inputs
 * (L, N, E) or unbatched (L, E), as nn.MultiheadAttention calls it in a
 * training step (torch's fused fast path only runs in inference), composed
 * of the engine's autograd ops in torch's order:
 *
 *   q, k, v = x_q·W_qᵀ + b_q, x_k·W_kᵀ + b_k, x_v·W_vᵀ + b_v
 *             (W_q, W_k, W_v the three row blocks of in_proj_weight (3E, E) and b the
 *             thirds of in_proj_bias, or q/k/v_proj_weight when kdim or vdim ≠ E);
 *   heads:    q → (L, N·H, E/H) → (N·H, L, E/H), likewise k and v over S;
 *   masks:    attn_mask (L, S) or (N·H, L, S) and key_padding_mask (N, S) (repeated per
 *             head); a boolean mask marks the positions that may NOT attend (−∞), a float
 *             mask is added;
 *   weights:  A = softmax(q/√(E/H)·kᵀ + mask) over S, dropout(A) in training;
 *   output:   (A·v) → (L, N, E) → out_proj; the weights (N, H, L, S), averaged over the
 *             heads (sum / H) unless average_attn_weights is False, or null without need_weights.
 */
import type { TorchGenerator } from '../random';
import { add, div, maskedFill } from './binary';
import { dropout } from './dropout';
import { index } from './indexing';
import { linear, matmul } from './matmul';
import { reshape } from './reshape';
import { sum } from './reduce';
import { formatShape } from './shape';
import { softmax } from './softmax';
import type { Tensor } from './tensor';
import { expand, transpose } from './views';

export interface MultiHeadAttentionOptions {
  numHeads: number;
  /** (3E, E), when query, key and value have the embedding's width. */
  inProjWeight?: Tensor | null;
  /** (3E,) or null without bias. */
  inProjBias?: Tensor | null;
  /** kdim or vdim ≠ E: three separate projections (E, E), (E, kdim), (E, vdim). */
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  outProjWeight: Tensor;
  outProjBias?: Tensor | null;
  /** (N, S): true (nonzero) where the key is padding. */
  keyPaddingMask?: Tensor | null;
  /** (L, S) or (N·H, L, S). */
  attnMask?: Tensor | null;
  /** Whether the masks are boolean (nonzero: may not attend) rather than added as floats. */
  keyPaddingMaskBoolean?: boolean;
  attnMaskBoolean?: boolean;
  needWeights?: boolean;
  averageAttnWeights?: boolean;
  dropoutP?: number;
  training?: boolean;
  rng?: TorchGenerator;
}

function rows(w: Tensor, from: number, to: number): Tensor {
  return index(w, [{ start: from, stop: to }]);
}

export function multiHeadAttentionForward(query: Tensor, key: Tensor, value: Tensor, o: MultiHeadAttentionOptions): { output: Tensor; weights: Tensor | null } {
  const op = 'multi_head_attention_forward';
  const batched = query.ndim === 3;
  if (!batched && query.ndim !== 2) throw new RangeError(`${op}: query should be unbatched 2-D or batched 3-D, got ${formatShape(query.shape)}`);
  const lift = (t: Tensor): Tensor => (batched ? t : reshape(t, [t.shape[0]!, 1, t.shape[1]!]));
  const [q0, k0, v0] = [lift(query), lift(key), lift(value)];
  const [L, N, E] = q0.shape as [number, number, number];
  const S = k0.shape[0]!;
  const H = o.numHeads;
  if (E % H !== 0) throw new RangeError(`${op}: embed_dim ${E} not divisible by num_heads ${H}`);
  if (k0.shape[1] !== N || v0.shape[1] !== N || v0.shape[0] !== S) throw new RangeError(`${op}: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} do not match query ${formatShape(query.shape)}`);
  const hd = E / H;
  const b = o.inProjBias ?? null;
  const bias = (i: number): Tensor | null => (b ? rows(b, i * E, (i + 1) * E) : null);
  let q: Tensor;
  let k: Tensor;
  let v: Tensor;
  if (o.inProjWeight) {
    const w = o.inProjWeight;
    q = linear(q0, rows(w, 0, E), bias(0));
    k = linear(k0, rows(w, E, 2 * E), bias(1));
    v = linear(v0, rows(w, 2 * E, 3 * E), bias(2));
  } else {
    if (!o.qProjWeight || !o.kProjWeight || !o.vProjWeight) throw new RangeError(`${op}: needs in_proj_weight or q/k/v_proj_weight`);
    q = linear(q0, o.qProjWeight, bias(0));
    k = linear(k0, o.kProjWeight, bias(1));
    v = linear(v0, o.vProjWeight, bias(2));
  }
  const heads = (t: Tensor, len: number): Tensor => transpose(reshape(t, [len, N * H, hd]), 0, 1);
  q = heads(q, L);
  k = heads(k, S);
  v = heads(v, S);

  let scores = matmul(div(q, Math.sqrt(hd)), transpose(k, -2, -1));
  if (o.attnMask) {
    const m = o.attnMask;
    const ok = (m.ndim === 2 && m.shape[0] === L && m.shape[1] === S) || (m.ndim === 3 && m.shape[0] === N * H && m.shape[1] === L && m.shape[2] === S);
    if (!ok) throw new RangeError(`${op}: attn_mask should be (${L}, ${S}) or (${N * H}, ${L}, ${S}), got ${formatShape(m.shape)}`);
    scores = o.attnMaskBoolean ? maskedFill(scores, m, -Infinity) : add(scores, m);
  }
  if (o.keyPaddingMask) {
    const m = o.keyPaddingMask;
    if (m.ndim !== (batched ? 2 : 1) || m.shape[m.ndim - 1] !== S || (batched && m.shape[0] !== N)) throw new RangeError(`${op}: key_padding_mask should be (${batched ? `${N}, ` : ''}${S}), got ${formatShape(m.shape)}`);
    const perHead = reshape(expand(reshape(m, [N, 1, 1, S]), [N, H, 1, S]), [N * H, 1, S]);
    // torch merges a float key_padding_mask by adding it, a boolean one by masking with −∞.
    scores = o.keyPaddingMaskBoolean === false ? add(scores, perHead) : maskedFill(scores, perHead, -Infinity);
  }
  let weights = softmax(scores, -1);
  const p = o.training ? o.dropoutP ?? 0 : 0;
  if (p > 0) {
    if (!o.rng) throw new Error(`${op}: dropout in training needs the run's generator`);
    weights = dropout(weights, p, true, o.rng);
  }
  let out = reshape(transpose(matmul(weights, v), 0, 1), [L * N, E]);
  out = reshape(linear(out, o.outProjWeight, o.outProjBias ?? null), [L, N, o.outProjWeight.shape[0]!]);
  if (!batched) out = reshape(out, [L, out.shape[2]!]);
  if (o.needWeights === false) return { output: out, weights: null };
  let w = reshape(weights, [N, H, L, S]);
  if (o.averageAttnWeights !== false) w = div(sum(w, 1), H);
  if (!batched) w = reshape(w, w.shape.slice(1));
  return { output: out, weights: w };
}
