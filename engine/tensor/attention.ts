/**
 * `torch.nn.functional.scaled_dot_product_attention` (torch ≥ 2.0; torch
 * 1.13 has no such function, so the reference is the formula torch documents
 * for it, which is what its "math" backend computes):
 *   S = scale·Q·Kᵀ + bias,   P = softmax(S) along the keys,   P̃ = dropout(P),   O = P̃·V
 * for Q [..., L, E], K [..., S, E], V [..., S, Ev] (equal batch dimensions),
 * scale = 1/√E unless given. The bias is 0, plus −∞ above the diagonal when
 * `isCausal` (query i sees keys j ≤ i, torch's top-left alignment), plus the
 * `attnMask` broadcast to [..., L, S]: added when it is a float mask, or −∞
 * where it is 0 when it is boolean (`attnMaskBoolean`: the engine stores
 * booleans as 1/0; true means "may attend", as torch). Dropout, with
 * probability `dropoutP`, is always applied when dropoutP > 0, as the
 * functional does (modules pass 0 in eval); its mask comes from `rng`.
 *
 * Fused: the scores are one gemm per matrix of the batch straight from K
 * (no transposed copy), the softmax is done in place, and P is kept for
 * backward. With G = ∂L/∂O and noise the dropout's 0 or 1/(1 − p):
 *   ∂L/∂V = P̃ᵀ·G,   ∂L/∂P = (G·Vᵀ)⊙noise,   ∂L/∂S = P⊙(∂L/∂P − rowsum(∂L/∂P ⊙ P)),
 *   ∂L/∂Q = scale·∂L/∂S·K,   ∂L/∂K = scale·∂L/∂Sᵀ·Q,   ∂L/∂mask = ∂L/∂S summed to its shape.
 * The products run in the operands' precision (gemm.ts); scaling, masking and
 * the softmax in float64 with one rounding to the dtype, where torch rounds
 * float32 after each step: float32 agrees with torch to float32 rounding,
 * float64 to ~1e-15.
 */
import type { TorchGenerator } from '../random';
import { broadcastShapes, planBroadcast, reduceToShape } from './broadcast';
import { allocate, numel, scratch64, type FloatArray } from './dtype';
import { gemmNN, gemmNT, gemmTN } from './gemm';
import { commonDtype, opResult, roundTo } from './op';
import { formatShape, shapesEqual } from './shape';
import type { Tensor } from './tensor';

export interface ScaledDotProductAttentionOptions {
  /** Added to the scores (float), or, with `attnMaskBoolean`, where 0 the score becomes −∞. Broadcasts to [..., L, S]. */
  attnMask?: Tensor | null;
  /** The mask holds booleans (nonzero = may attend) rather than additive values. */
  attnMaskBoolean?: boolean;
  /** Dropout probability on the attention weights (default 0). */
  dropoutP?: number;
  /** Causal masking: query i attends to keys 0..i. Not together with attnMask, as torch. */
  isCausal?: boolean;
  /** Multiplies Q·Kᵀ; default 1/√E. */
  scale?: number | null;
  /** Source of the dropout mask, required when dropoutP > 0. */
  rng?: TorchGenerator;
}

export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  options: ScaledDotProductAttentionOptions = {},
): Tensor {
  const mask = options.attnMask ?? null;
  const dtype = mask && !options.attnMaskBoolean ? commonDtype('scaledDotProductAttention', query, key, value, mask) : commonDtype('scaledDotProductAttention', query, key, value);
  const p = options.dropoutP ?? 0;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`scaledDotProductAttention: dropout_p must be in [0, 1], got ${p}`);
  if (p > 0 && !options.rng) throw new Error('scaledDotProductAttention: dropout needs a random generator (rng)');
  if (options.isCausal && mask) throw new RangeError('scaledDotProductAttention: attn_mask and is_causal cannot both be set');
  if (query.ndim < 2 || key.ndim !== query.ndim || value.ndim !== query.ndim) {
    throw new RangeError(`scaledDotProductAttention: query, key and value must have the same rank ≥ 2, got ${formatShape(query.shape)}, ${formatShape(key.shape)}, ${formatShape(value.shape)}`);
  }
  const batch = query.shape.slice(0, -2);
  const [L, E] = query.shape.slice(-2) as [number, number];
  const [S, Ek] = key.shape.slice(-2) as [number, number];
  const [Sv, Ev] = value.shape.slice(-2) as [number, number];
  if (!shapesEqual(key.shape.slice(0, -2), batch) || !shapesEqual(value.shape.slice(0, -2), batch) || Ek !== E || Sv !== S) {
    throw new RangeError(`scaledDotProductAttention: expected query [..., L, E], key [..., S, E], value [..., S, Ev] with equal batch dimensions, got ${formatShape(query.shape)}, ${formatShape(key.shape)}, ${formatShape(value.shape)}`);
  }
  const scale = options.scale ?? 1 / Math.sqrt(E);
  const count = numel(batch);
  const scoreShape = [...batch, L, S];
  // Mask element for each score: the mask's offset per matrix row, via a broadcast plan.
  let maskOffsets: Int32Array | null = null;
  let maskInner = 0;
  if (mask) {
    if (!shapesEqual(broadcastShapes('scaledDotProductAttention', scoreShape, mask.shape), scoreShape)) {
      throw new RangeError(`scaledDotProductAttention: attn_mask ${formatShape(mask.shape)} does not broadcast to the scores ${formatShape(scoreShape)}`);
    }
    const plan = planBroadcast(scoreShape, scoreShape, mask.shape);
    // A plan row is a whole number of score rows (S is the innermost dimension): one mask offset per score row.
    maskOffsets = new Int32Array(count * L);
    maskInner = plan.innerB;
    const rowsPerPlanRow = plan.inner / S;
    for (let r = 0; r < plan.offsetsB.length; r++) {
      for (let q = 0; q < rowsPerPlanRow; q++) maskOffsets[r * rowsPerPlanRow + q] = plan.offsetsB[r]! + q * S * plan.innerB;
    }
  }
  const qd = query.data;
  const kd = key.data;
  const vd = value.data;
  const probabilities = allocate(dtype, count * L * S); // P, kept for backward
  const attended = p > 0 ? allocate(dtype, count * L * S) : probabilities; // P̃
  const noise = p > 0 ? allocate(dtype, count * L * S) : null;
  const out = allocate(dtype, count * L * Ev);
  const row = scratch64(S);
  const keep = 1 - p;
  const dropScale = p < 1 ? roundTo(dtype, 1 / roundTo(dtype, keep)) : 0;
  const md = mask?.data ?? null;
  const boolean = options.attnMaskBoolean ?? false;
  for (let b = 0; b < count; b++) {
    const P = probabilities.subarray(b * L * S, (b + 1) * L * S);
    gemmNT(qd.subarray(b * L * E, (b + 1) * L * E), kd.subarray(b * S * E, (b + 1) * S * E), L, E, S, P); // Q·Kᵀ
    for (let i = 0; i < L; i++) {
      const o = i * S;
      const visible = options.isCausal ? Math.min(S, i + 1) : S;
      let m = -Infinity;
      for (let j = 0; j < S; j++) {
        let s = j < visible ? P[o + j]! * scale : -Infinity;
        if (md !== null) {
          const mv = md[maskOffsets![b * L + i]! + j * maskInner]!;
          s = boolean ? (mv !== 0 ? s : -Infinity) : s + mv;
        }
        row[j] = s;
        if (s > m || Number.isNaN(s)) m = s;
      }
      let total = 0;
      for (let j = 0; j < S; j++) {
        const e = Math.exp(row[j]! - m);
        row[j] = e;
        total += e;
      }
      for (let j = 0; j < S; j++) P[o + j] = row[j]! / total;
    }
    if (noise) {
      const offset = b * L * S;
      for (let e = 0; e < L * S; e++) {
        const n = options.rng!.uniform() < keep ? dropScale : 0;
        noise[offset + e] = n;
        attended[offset + e] = P[e]! * n;
      }
    }
    gemmNN(attended.subarray(b * L * S, (b + 1) * L * S), vd.subarray(b * S * Ev, (b + 1) * S * Ev), L, S, Ev, out.subarray(b * L * Ev, (b + 1) * L * Ev));
  }
  const inputs = mask && !boolean ? [query, key, value, mask] : [query, key, value];
  return opResult('ScaledDotProductAttentionBackward', out, [...batch, L, Ev], inputs, (g) => {
    const gq = query.requiresGrad ? allocate(dtype, query.numel) : null;
    const gk = key.requiresGrad ? allocate(dtype, key.numel) : null;
    const gv = value.requiresGrad ? allocate(dtype, value.numel) : null;
    const wantScores = gq !== null || gk !== null || (mask !== null && !boolean && mask.requiresGrad);
    const gScores = wantScores ? allocate(dtype, count * L * S) : null;
    const gP = allocate(dtype, L * S);
    for (let b = 0; b < count; b++) {
      const gb = g.subarray(b * L * Ev, (b + 1) * L * Ev);
      if (gv) gemmTN(attended.subarray(b * L * S, (b + 1) * L * S), gb, S, L, Ev, gv.subarray(b * S * Ev, (b + 1) * S * Ev)); // P̃ᵀ·G
      if (!gScores) continue;
      gemmNT(gb, vd.subarray(b * S * Ev, (b + 1) * S * Ev), L, Ev, S, gP); // G·Vᵀ
      const P = probabilities.subarray(b * L * S, (b + 1) * L * S);
      const dS = gScores.subarray(b * L * S, (b + 1) * L * S);
      for (let i = 0; i < L; i++) {
        const o = i * S;
        let dot = 0;
        for (let j = 0; j < S; j++) {
          const dp = noise ? gP[o + j]! * noise[b * L * S + o + j]! : gP[o + j]!;
          row[j] = dp;
          dot += dp * P[o + j]!;
        }
        for (let j = 0; j < S; j++) dS[o + j] = P[o + j]! * (row[j]! - dot);
      }
      // ∂L/∂Q = scale·dS·K, ∂L/∂K = scale·dSᵀ·Q: the scale is applied to dS's products below.
      if (gq) gemmNN(dS, kd.subarray(b * S * E, (b + 1) * S * E), L, S, E, gq.subarray(b * L * E, (b + 1) * L * E));
      if (gk) gemmTN(dS, qd.subarray(b * L * E, (b + 1) * L * E), S, L, E, gk.subarray(b * S * E, (b + 1) * S * E));
    }
    if (gq) scaleInPlace(gq, scale);
    if (gk) scaleInPlace(gk, scale);
    const grads: (FloatArray | null)[] = [gq, gk, gv];
    if (mask && !boolean) grads.push(mask.requiresGrad && gScores ? reduceToShape(gScores, scoreShape, mask.shape, dtype) : null);
    return grads;
  });
}

function scaleInPlace(values: FloatArray, scale: number): void {
  for (let i = 0; i < values.length; i++) values[i] = values[i]! * scale;
}
