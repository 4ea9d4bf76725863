/**
 * Signal through depth of a transformer at initialization, beyond each
 * module's output std: the residual stream's growth and the attention
 * entropy per head.
 *
 * Residual stream: a transformer's blocks are called in turn on the stream x
 * (`for block in self.h: x = block(x)`), each adding to it (x = x + attn(…)).
 * The blocks are the longest run of sibling modules `<list>.0, <list>.1, …`
 * that have submodules and whose output has their input's shape; the stream's std after block k is
 * std(x_k) over all its values, reported with std(x_k)/std(x_0), x_0 being
 * the first block's input (the embeddings). With independent additions of
 * similar size the variance grows linearly, std(x_k) ≈ std(x_0)·√(1 + k·c);
 * GPT-2 scales each block's output projection by 1/√(2·n_layer) to keep this
 * in check.
 *
 * Attention entropy: for each attention's probabilities P [..., heads, L, S]
 * (attentionCapture.ts), each query row i has entropy
 *     H_i = −Σ_j p_ij·ln p_ij   (nats, 0·ln 0 = 0)
 * and uniform maximum ln n_i, n_i the keys row i may attend (p_ij > 0:
 * i + 1 for causal row i, S without a mask). Per head, the report gives the
 * means of H_i and of ln n_i over the examples' rows. At initialization a
 * head near its maximum attends almost uniformly (the scores are small);
 * a head far below it is already peaked (large query/key weights).
 */
import type { AttentionCapture } from '../graph/attentionCapture';
import type { ModuleTrace } from '../graph/network';
import type { FloatArray } from '../tensor/dtype';

export interface ResidualStreamReport {
  /** The blocks' container (`transformer.h`). */
  container: string;
  /** std of the stream entering the first block. */
  inputStd: number;
  blocks: { path: string; std: number; ratioToInput: number }[];
}

export interface HeadEntropy {
  /** Mean of H_i over the rows, in nats. */
  entropy: number;
  /** Mean of ln n_i over the same rows: the uniform maximum. */
  maxEntropy: number;
}

export interface AttentionEntropyReport {
  /** The module whose forward computed the attention. */
  path: string;
  via: AttentionCapture['via'];
  /** Queries L and keys S per matrix, and examples measured. */
  queries: number;
  keys: number;
  examples: number;
  heads: HeadEntropy[];
}

/** Population std of all values (finite ones). */
export function stdOf(data: FloatArray): number {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
  }
  if (n === 0) return NaN;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isFinite(v)) sq += (v - mean) ** 2;
  }
  return Math.sqrt(sq / n);
}

/** The residual stream through the longest run of sibling blocks `<list>.<k>`, k = 0, 1, …; undefined without one of 2+. */
export function residualStream(trace: readonly ModuleTrace[]): ResidualStreamReport | undefined {
  const runs = new Map<string, ModuleTrace[]>();
  // A block has submodules of its own: a Sequential of Linear and ReLU layers that keep their width is no stream.
  const hasChildren = (path: string): boolean => trace.some((c) => c.path.startsWith(`${path}.`));
  for (const t of trace) {
    const m = /^(.*)\.(\d+)$/.exec(t.path);
    if (!m || !t.input || !hasChildren(t.path)) continue;
    const sameShape = t.input.ndim === t.output.ndim && t.input.shape.every((d, i) => d === t.output.shape[i]);
    if (!sameShape) continue;
    const list = runs.get(m[1]!) ?? [];
    // Consecutive indices from 0, each called once.
    if (Number(m[2]) !== list.length) continue;
    list.push(t);
    runs.set(m[1]!, list);
  }
  let best: [string, ModuleTrace[]] | undefined;
  for (const entry of runs) if (entry[1].length >= 2 && (!best || entry[1].length > best[1].length)) best = entry;
  if (!best) return undefined;
  const [container, blocks] = best;
  const inputStd = stdOf(blocks[0]!.input!.data);
  return {
    container,
    inputStd,
    blocks: blocks.map((b) => {
      const std = stdOf(b.output.data);
      return { path: b.path, std, ratioToInput: std / inputStd };
    }),
  };
}

/** Entropy per head of one attention's probabilities P [..., heads, L, S] (a 3-D P is one head). */
export function attentionEntropy(capture: AttentionCapture): AttentionEntropyReport {
  const p = capture.probabilities;
  if (p.ndim < 3) throw new RangeError(`attention probabilities must be [..., L, S], got ${p.ndim} dimensions`);
  const [L, S] = p.shape.slice(-2) as [number, number];
  const heads = p.ndim >= 4 ? p.shape[p.ndim - 3]! : 1;
  const examples = p.numel / (heads * L * S);
  const out: HeadEntropy[] = [];
  for (let h = 0; h < heads; h++) {
    let entropy = 0;
    let maxEntropy = 0;
    let rows = 0;
    for (let b = 0; b < examples; b++) {
      const base = (b * heads + h) * L * S;
      for (let i = 0; i < L; i++) {
        let hRow = 0;
        let allowed = 0;
        for (let j = 0; j < S; j++) {
          const v = p.data[base + i * S + j]!;
          if (v > 0) {
            allowed++;
            hRow -= v * Math.log(v);
          }
        }
        if (allowed === 0) continue; // a fully masked row (NaN in torch): no distribution
        entropy += hRow;
        maxEntropy += Math.log(allowed);
        rows++;
      }
    }
    out.push({ entropy: rows ? entropy / rows : NaN, maxEntropy: rows ? maxEntropy / rows : NaN });
  }
  return { path: capture.path, via: capture.via, queries: L, keys: S, examples, heads: out };
}
