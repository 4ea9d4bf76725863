/**
 * The attention weights of a forward pass, for the signal through depth
 * (attention entropy per head): each attention's probability matrices
 * P [..., L, S], whichever way forward computes them.
 *
 *   - `F.scaled_dot_product_attention(q, k, v, …)`: P is not an output of the op, so the op is run once more with
 *     v replaced by the identity I_S and no dropout: softmax(scale·q·kᵀ + mask)·I = P, with the op's own masking
 *     (is_causal, boolean or additive masks) and scale.
 *   - A hand-written attention (nanoGPT's slow path, minGPT): `att = softmax(att, dim=-1)` of a 4-D tensor
 *     [B, heads, T, T], whose output is P itself (before any attention dropout).
 */
import { Tensor } from '../tensor/tensor';
import { bindOp, type RunContext } from './ops';
import { isTensor, type RuntimeValue } from './values';

export interface AttentionCapture {
  /** The module whose forward computed it (`transformer.h.0.attn`). */
  path: string;
  via: 'scaled_dot_product_attention' | 'softmax';
  /** P [..., L, S], no gradient. */
  probabilities: Tensor;
}

const SDPA = 'torch.nn.functional.scaled_dot_product_attention';
const SOFTMAX = new Set(['torch.nn.functional.softmax', 'torch.softmax', 'Tensor.softmax']);

/**
 * P of an attention op that just ran (`name` with `args`/`kwargs`, giving `output`), or undefined when the op is
 * not one. P holds the first examples only, as many as keep it within `maxElements` values (at least one):
 * GPT-2's 12 heads × 1,024² per example would otherwise take gigabytes.
 */
export function attentionOf(name: string, args: readonly RuntimeValue[], kwargs: Readonly<Record<string, RuntimeValue>>, output: RuntimeValue, ctx: RunContext, maxElements: number): Pick<AttentionCapture, 'via' | 'probabilities'> | undefined {
  if (name === SDPA) return { via: 'scaled_dot_product_attention', probabilities: sdpaProbabilities(args, kwargs, ctx, maxElements) };
  if (!SOFTMAX.has(name) || !isTensor(output) || output.ndim !== 4) return undefined;
  const { bound } = bindOp(name, args, kwargs);
  const dim = bound.get('dim');
  const last = dim === null || dim === -1 || dim === 3;
  if (!last || output.shape[2] !== output.shape[3]) return undefined;
  return { via: 'softmax', probabilities: firstExamples(output.detach(), examplesWithin(output.shape, maxElements)) };
}

/** How many examples (entries of dim 0) of a tensor of `shape` fit in `maxElements` values, at least one. */
function examplesWithin(shape: readonly number[], maxElements: number): number {
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  return Math.max(1, Math.min(shape[0] ?? 1, Math.floor(maxElements / Math.max(1, per))));
}

/** The first `n` entries along dim 0 (tensors are contiguous, so they are a prefix of the data). */
function firstExamples(t: Tensor, n: number): Tensor {
  if (t.ndim === 0 || n >= t.shape[0]!) return t;
  const per = t.numel / t.shape[0]!;
  return new Tensor(t.data.subarray(0, n * per), [n, ...t.shape.slice(1)]);
}

function sdpaProbabilities(args: readonly RuntimeValue[], kwargs: Readonly<Record<string, RuntimeValue>>, ctx: RunContext, maxElements: number): Tensor {
  const { def, bound } = bindOp(SDPA, args, kwargs);
  const fullQ = bound.get('query');
  const fullK = bound.get('key');
  if (!isTensor(fullQ) || !isTensor(fullK)) throw new TypeError('scaled_dot_product_attention: query and key must be tensors');
  // P has the scores' shape [..., L, S]: keep the examples that fit.
  const n = examplesWithin([...fullQ.shape.slice(0, -1), fullK.shape[fullK.ndim - 2]!], maxElements);
  const q = firstExamples(fullQ.detach(), n);
  const k = firstExamples(fullK.detach(), n);
  const S = k.shape[k.ndim - 2]!;
  const batch = q.shape.slice(0, -2);
  const count = batch.reduce((a, b) => a * b, 1);
  const eye = new Tensor(new (q.data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(count * S * S), [...batch, S, S]);
  for (let m = 0; m < count; m++) for (let j = 0; j < S; j++) eye.data[m * S * S + j * S + j] = 1;
  const mask = bound.get('attn_mask');
  // A mask with a batch dimension of its own is cut as q is; one that broadcasts over the batch stays whole.
  const cut = isTensor(mask) && mask.ndim === fullQ.ndim && mask.shape[0] === fullQ.shape[0] && fullQ.shape[0]! > 1 ? firstExamples(mask.detach(), n) : isTensor(mask) ? mask.detach() : mask;
  const again = bindOp(SDPA, [q, k, eye], {
    ...(mask !== null ? { attn_mask: cut } : {}),
    dropout_p: 0,
    is_causal: bound.get('is_causal'),
    scale: bound.get('scale'),
  });
  const p = def.run(again.bound, { ...ctx, training: false });
  if (!isTensor(p)) throw new TypeError('scaled_dot_product_attention gave no tensor');
  return p;
}
