/**
 * Embedding lookup (torch.nn.functional.embedding): for integer indices of
 * any shape […] and a weight [V, D], y[…, :] = weight[index, :], so the
 * output is […, D].
 *   ∂L/∂weight[v, :] = Σ_{positions p with index v} g[p, :]   (0 for v = padding_idx)
 * torch's `padding_idx` excludes its row from the gradient (the forward still
 * reads it; nn.Embedding's init zeroes it); a negative padding_idx counts from
 * the end. max_norm and scale_grad_by_freq are not supported.
 *
 * Indices are plain numbers (like class targets in loss/crossEntropy.ts),
 * given with their shape as an `Indices` record; a Tensor holding whole
 * numbers is one too. The gradient rows are summed in float64 and rounded
 * once (torch sums float32 rows in float32, in its own order): float64 agrees
 * with torch to ~1e-16, float32 to rounding; the forward is an exact copy.
 */
import { allocate, scratch64 } from './dtype';
import { opResult } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

/** Integer indices (token ids, class targets) in row-major order with their shape. */
export interface Indices {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

export interface EmbeddingOptions {
  /** Row whose gradient is always zero (nn.Embedding's padding token); null for none. */
  paddingIdx?: number | null;
}

export function embedding(indices: Indices, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (weight.ndim !== 2) throw new RangeError(`embedding: weight must be 2-D [num_embeddings, embedding_dim], got ${formatShape(weight.shape)}`);
  const [V, D] = weight.shape as [number, number];
  let padding = options.paddingIdx ?? null;
  if (padding !== null) {
    if (!Number.isInteger(padding) || padding >= V || padding < -V) throw new RangeError(`embedding: padding_idx must be within num_embeddings (${V}), got ${padding}`);
    if (padding < 0) padding += V;
  }
  const count = indices.data.length;
  if (indices.shape.reduce((a, b) => a * b, 1) !== count) throw new RangeError(`embedding: ${count} indices do not fill shape ${formatShape(indices.shape)}`);
  const ids = new Int32Array(count); // our copy: the caller may reuse its array before backward
  for (let p = 0; p < count; p++) {
    const v = indices.data[p]!;
    if (!(Number.isInteger(v) && v >= 0 && v < V)) throw new RangeError(`embedding: index ${v} at position ${p} is out of range for ${V} embeddings`);
    ids[p] = v;
  }
  const ws = weight.data;
  const y = allocate(weight.dtype, count * D);
  for (let p = 0; p < count; p++) y.set(ws.subarray(ids[p]! * D, ids[p]! * D + D), p * D);
  return opResult('EmbeddingBackward', y, [...indices.shape, D], [weight], (g) => {
    const acc = scratch64(V * D);
    for (let p = 0; p < count; p++) {
      const row = ids[p]!;
      if (row === padding) continue;
      const src = p * D;
      const dst = row * D;
      for (let j = 0; j < D; j++) acc[dst + j] += g[src + j]!;
    }
    if (weight.dtype === 'float64') return [acc];
    const gw = allocate(weight.dtype, V * D);
    gw.set(acc);
    return [gw];
  });
}
