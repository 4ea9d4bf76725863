/**
 * Signal through depth of a transformer: the residual stream after each block and the attention entropy per
 * head, against numbers computed here by hand (direct loops over the definitions): of F.scaled_dot_product_attention
 * on given q and k, and of a GPT's masked softmax from its traced q and k.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attentionOf } from '../../../engine/graph/attentionCapture';
import { GraphNetwork, type ModuleTrace } from '../../../engine/graph/network';
import { forwardArguments } from '../../../engine/graph/data';
import { measureSignal } from '../../../engine/inspect/signal';
import { attentionEntropy, residualStream, stdOf } from '../../../engine/inspect/signalDepth';
import { initializeParameters } from '../../../engine/model/initialize';
import { isGraphModel, type GraphModelSpec } from '../../../engine/model/spec';
import { TorchGenerator } from '../../../engine/random';
import { Tensor } from '../../../engine/tensor';
import { defaultDataset } from '../../../engine/train/defaults';
import { resolveText } from '../pymodel/helpers';

const T = 12;
const HEADS = 4;
const LAYERS = 3;
const source = readFileSync(path.resolve(__dirname, '../../../examples/tiny_gpt/model.py'), 'utf8')
  .replace('block_size: int = 64', `block_size: int = ${T}`)
  .replace('n_layer: int = 4', `n_layer: int = ${LAYERS}`)
  .replace('n_head: int = 4', `n_head: int = ${HEADS}`)
  .replace('n_embd: int = 128', 'n_embd: int = 32');

async function graphModel(text: string): Promise<GraphModelSpec> {
  const file = await resolveText(text);
  const spec = file.models.find((m) => m.name === 'GPT')?.result.spec;
  if (!spec || !isGraphModel(spec)) throw new Error(`not a graph model: ${spec?.forwardUnavailable}`);
  return spec;
}

/** P of one [L, S] matrix by the definition: softmax_j(scale·q_i·k_j), keys j ≤ i when causal. */
function handProbabilities(q: number[][], k: number[][], causal: boolean): number[][] {
  const scale = 1 / Math.sqrt(q[0]!.length);
  return q.map((qi, i) => {
    const s = k.map((kj, j) => (causal && j > i ? -Infinity : scale * qi.reduce((a, x, e) => a + x * kj[e]!, 0)));
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  });
}

describe('attention entropy of given probabilities', () => {
  it('is −Σ p ln p per row, averaged per head, against ln(keys allowed)', () => {
    // One example, two heads, L = S = 3. Head 0: causal and uniform; head 1: rows [1, 0, 0], [0.5, 0.5, 0], [0.7, 0.2, 0.1].
    const p = new Tensor(Float64Array.from([
      1, 0, 0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3,
      1, 0, 0, 0.5, 0.5, 0, 0.7, 0.2, 0.1,
    ]), [1, 2, 3, 3]);
    const r = attentionEntropy({ path: 'attn', via: 'softmax', probabilities: p });
    const uniformMax = (0 + Math.log(2) + Math.log(3)) / 3;
    expect(r.heads[0]!.entropy).toBeCloseTo(uniformMax, 14);
    expect(r.heads[0]!.maxEntropy).toBeCloseTo(uniformMax, 14);
    const h3 = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1));
    expect(r.heads[1]!.entropy).toBeCloseTo((0 + Math.log(2) + h3) / 3, 14);
    expect(r.heads[1]!.maxEntropy).toBeCloseTo(uniformMax, 14);
    expect([r.queries, r.keys, r.examples]).toEqual([3, 3, 1]);
  });
});

describe('attention probabilities of scaled_dot_product_attention', () => {
  const rng = new TorchGenerator(3);
  const [B, H, L, E] = [2, 2, 5, 4];
  const q = new Tensor(Float64Array.from({ length: B * H * L * E }, () => rng.random() * 4 - 2), [B, H, L, E]);
  const k = new Tensor(Float64Array.from({ length: B * H * L * E }, () => rng.random() * 4 - 2), [B, H, L, E]);
  const v = new Tensor(new Float64Array(B * H * L * E), [B, H, L, E]);
  const ctx = { training: true, rng, dtype: 'float64' as const };
  const rows = (t: Tensor, m: number, n: number) => Array.from({ length: n }, (_, i) => Array.from(t.data.subarray((m * n + i) * t.shape.at(-1)!, (m * n + i + 1) * t.shape.at(-1)!)));

  for (const causal of [false, true]) {
    it(`are softmax(q·kᵀ/√E${causal ? ', causal' : ''}) by the definition`, () => {
      const got = attentionOf('torch.nn.functional.scaled_dot_product_attention', [q, k, v], { is_causal: causal, dropout_p: 0.5 }, null, ctx, 1e9)!;
      expect(got.via).toBe('scaled_dot_product_attention');
      expect(got.probabilities.shape).toEqual([B, H, L, L]);
      for (let m = 0; m < B * H; m++) {
        const want = handProbabilities(rows(q, m, L), rows(k, m, L), causal);
        const have = rows(got.probabilities, m, L);
        for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) expect(have[i]![j]).toBeCloseTo(want[i]![j]!, 13);
      }
    });
  }

  it('keep the first examples within the element budget', () => {
    const got = attentionOf('torch.nn.functional.scaled_dot_product_attention', [q, k, v], {}, null, ctx, H * L * L)!;
    expect(got.probabilities.shape).toEqual([1, H, L, L]);
  });

  it('a softmax over the last dim of a [B, heads, T, T] tensor is attention; other softmaxes are not', () => {
    const x = new Tensor(new Float64Array(2 * 3 * 4 * 4).fill(0.25), [2, 3, 4, 4]);
    expect(attentionOf('torch.nn.functional.softmax', [x], { dim: -1 }, x, ctx, 1e9)?.via).toBe('softmax');
    expect(attentionOf('torch.nn.functional.softmax', [x], { dim: 1 }, x, ctx, 1e9)).toBeUndefined();
    const logits = new Tensor(new Float64Array(8 * 10), [8, 10]);
    expect(attentionOf('torch.nn.functional.softmax', [logits], { dim: -1 }, logits, ctx, 1e9)).toBeUndefined();
  });
});

describe('residualStream', () => {
  const t = (path: string, shape = [2, 4], input: Tensor | undefined = new Tensor(new Float64Array(8).fill(1), [2, 4])): ModuleTrace => ({ path, kind: 'X', output: new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i), shape), ...(input ? { input } : {}) });
  it('is not a Sequential of width-keeping layers without submodules', () => {
    expect(residualStream([t('net.0'), t('net.1'), t('net.2')])).toBeUndefined();
  });
  it('takes the longest run of blocks with submodules, from index 0, keeping their input\'s shape', () => {
    const r = residualStream([t('a.0.fc'), t('a.0'), t('b.0.fc'), t('b.0'), t('b.1.fc'), t('b.1'), t('c.0.fc'), t('c.0', [8])])!;
    expect(r.container).toBe('b');
    expect(r.blocks.map((x) => x.path)).toEqual(['b.0', 'b.1']);
    expect(r.inputStd).toBe(0);
    expect(residualStream([t('a.1.fc'), t('a.1'), t('a.2.fc'), t('a.2')])).toBeUndefined();
  });
});

describe('a tiny GPT\'s signal through depth', () => {
  it('the residual stream after each block, as std over all values of the block\'s output', async () => {
    const spec = await graphModel(source);
    const rng = new TorchGenerator(spec.seed);
    const network = new GraphNetwork(spec, initializeParameters(spec, rng, 'float32'), rng);
    const data = defaultDataset(spec);
    const inputs = new Tensor(data.inputs.slice(0, 4 * data.inputDim), [4, data.inputDim]);
    const trace: ModuleTrace[] = [];
    network.forward(forwardArguments(spec, data, inputs, data.targets.kind === 'classes' ? data.targets.data.slice(0, 4 * T) : new Int32Array()), { trace });
    const r = residualStream(trace)!;
    expect(r.container).toBe('transformer.blocks');
    expect(r.blocks.map((b) => b.path)).toEqual(['transformer.blocks.0', 'transformer.blocks.1', 'transformer.blocks.2']);
    // By the definition: the first block's input is the embeddings' sum; each block's output is the next one's input.
    const blocks = trace.filter((t) => /^transformer\.blocks\.\d$/.test(t.path));
    expect(blocks[1]!.input).toBe(blocks[0]!.output);
    const x0 = Array.from(blocks[0]!.input!.data);
    const mean = x0.reduce((a, b) => a + b, 0) / x0.length;
    const std0 = Math.sqrt(x0.reduce((a, b) => a + (b - mean) ** 2, 0) / x0.length);
    expect(r.inputStd).toBeCloseTo(std0, 12);
    expect(r.blocks[2]!.ratioToInput).toBeCloseTo(stdOf(blocks[2]!.output.data) / std0, 12);
    // The stream grows: each block adds to it.
    expect(r.blocks[2]!.std).toBeGreaterThan(r.inputStd);
  });

  it('attention entropy per head: by hand from the traced q and k, and against the causal maximum ln(i + 1)', async () => {
    const spec = await graphModel(source);
    const rng = new TorchGenerator(spec.seed);
    const network = new GraphNetwork(spec, initializeParameters(spec, rng, 'float32'), rng);
    const data = defaultDataset(spec);
    const B = 2;
    const inputs = new Tensor(data.inputs.slice(0, B * data.inputDim), [B, data.inputDim]);
    const trace: ModuleTrace[] = [];
    const captured: ReturnType<typeof attentionEntropy>[] = [];
    network.forward(forwardArguments(spec, data, inputs, data.targets.kind === 'classes' ? data.targets.data.slice(0, B * T) : new Int32Array()), { trace, onAttention: (c) => captured.push(attentionEntropy(c)) });
    expect(captured.map((a) => [a.path, a.via])).toEqual([0, 1, 2].map((b) => [`transformer.blocks.${b}.attn`, 'softmax']));
    // Block 0's q and k, from the traced output of its qkv Linear [B, T, 3C] (q, k, v = split(C, dim=2); heads of C/H).
    const qkv = trace.find((t) => t.path === 'transformer.blocks.0.attn.qkv')!.output;
    const C = qkv.shape[2]! / 3;
    const D = C / HEADS;
    const causalMax = Array.from({ length: T }, (_, i) => Math.log(i + 1)).reduce((a, b) => a + b, 0) / T;
    for (let h = 0; h < HEADS; h++) {
      let entropy = 0;
      for (let b = 0; b < B; b++) {
        const row = (part: number, t: number) => Array.from({ length: D }, (_, e) => qkv.data[(b * T + t) * 3 * C + part * C + h * D + e]!);
        const p = handProbabilities(Array.from({ length: T }, (_, t) => row(0, t)), Array.from({ length: T }, (_, t) => row(1, t)), true);
        for (const r of p) entropy -= r.reduce((a, x) => a + (x > 0 ? x * Math.log(x) : 0), 0);
      }
      const head = captured[0]!.heads[h]!;
      expect(head.entropy).toBeCloseTo(entropy / (B * T), 6);
      expect(head.maxEntropy).toBeCloseTo(causalMax, 12);
      // At GPT-2's init (std 0.02) the scores are tiny: every head attends almost uniformly.
      expect(head.entropy).toBeLessThanOrEqual(head.maxEntropy + 1e-9);
      expect(head.entropy).toBeGreaterThan(0.99 * head.maxEntropy);
    }
  });

  it('measureSignal reports both for a graph model', async () => {
    const report = measureSignal(await graphModel(source));
    expect(report.residual!.blocks).toHaveLength(LAYERS);
    expect(report.attention!).toHaveLength(LAYERS);
    expect(report.attention![0]!.heads).toHaveLength(HEADS);
  });
});
