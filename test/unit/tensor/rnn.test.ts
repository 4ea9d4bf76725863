import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { opResult } from '../../../engine/tensor/op';
import { gru, lstm, rnn, type RecurrentWeights } from '../../../engine/tensor/rnn';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

/** torch's parameter names and shapes for a stack (gates·H rows). */
function weights(rng: TorchGenerator, gates: number, I: number, H: number, layers: number, directions: number, proj = 0, bias = true): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  const real = proj || H;
  for (let l = 0; l < layers; l++) {
    for (let d = 0; d < directions; d++) {
      const s = `_l${l}${d ? '_reverse' : ''}`;
      const inSize = l === 0 ? I : real * directions;
      out[`weight_ih${s}`] = randn(rng, [gates * H, inSize], { scale: 0.5, requiresGrad: true });
      out[`weight_hh${s}`] = randn(rng, [gates * H, real], { scale: 0.5, requiresGrad: true });
      if (bias) {
        out[`bias_ih${s}`] = randn(rng, [gates * H], { scale: 0.5, requiresGrad: true });
        out[`bias_hh${s}`] = randn(rng, [gates * H], { scale: 0.5, requiresGrad: true });
      }
      if (proj) out[`weight_hr${s}`] = randn(rng, [proj, H], { scale: 0.5, requiresGrad: true });
    }
  }
  return out;
}

/** Runs `fn` with the weights as the trailing gradcheck inputs (in the record's key order). */
function withWeights(w: Record<string, Tensor>, fn: (x: Tensor, w: RecurrentWeights, rest: Tensor[]) => Tensor, x: Tensor, extra: Tensor[] = []) {
  const names = Object.keys(w);
  expectGradientsCorrect(
    (x, ...rest) => {
      const state = rest.slice(0, extra.length);
      const ws: Record<string, Tensor> = {};
      names.forEach((n, i) => (ws[n] = rest[extra.length + i]!));
      return fn(x, ws, state);
    },
    [x, ...extra, ...names.map((n) => w[n]!)],
    // φ sums many outputs (|φ| ~ 10): a larger step keeps the rounding error u·|φ|/ε of the
    // differences well under the tolerance, the truncation error ε²·φ‴ stays ~1e-10.
    { eps: 1e-5 },
  );
}

describe('recurrent layers', () => {
  const rng = new TorchGenerator(21);

  it('a one-step RNN is tanh(W_ih x + b_ih + W_hh h0 + b_hh)', () => {
    const w = weights(rng, 1, 2, 3, 1, 1);
    const x = randn(rng, [1, 1, 2]);
    const h0 = randn(rng, [1, 1, 3]);
    const { output, h } = rnn(x, h0, w);
    const expected = [0, 1, 2].map((j) => {
      let a = w.bias_ih_l0!.data[j]! + w.bias_hh_l0!.data[j]!;
      for (let i = 0; i < 2; i++) a += w.weight_ih_l0!.data[j * 2 + i]! * x.data[i]!;
      for (let i = 0; i < 3; i++) a += w.weight_hh_l0!.data[j * 3 + i]! * h0.data[i]!;
      return Math.tanh(a);
    });
    expectClose(output.data, expected, 1e-15);
    expect(h.shape).toEqual([1, 1, 3]);
    expect(h.toArray()).toEqual(output.toArray());
  });

  it('batch_first only transposes the input and output', () => {
    const w = weights(rng, 4, 3, 2, 2, 2);
    const x = randn(rng, [4, 2, 3]); // [T, B, I]
    const xBatchFirst = randn(rng, [2, 4, 3]);
    for (let t = 0; t < 4; t++) for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) xBatchFirst.data[(b * 4 + t) * 3 + i] = x.data[(t * 2 + b) * 3 + i]!;
    const a = lstm(x, null, w, { numLayers: 2, bidirectional: true });
    const b = lstm(xBatchFirst, null, w, { numLayers: 2, bidirectional: true, batchFirst: true });
    expect(b.output.shape).toEqual([2, 4, 4]);
    for (let t = 0; t < 4; t++) for (let bb = 0; bb < 2; bb++) for (let j = 0; j < 4; j++) {
      expect(b.output.data[(bb * 4 + t) * 4 + j]).toBe(a.output.data[(t * 2 + bb) * 4 + j]);
    }
    expect(b.h.toArray()).toEqual(a.h.toArray());
    expect(b.c!.toArray()).toEqual(a.c!.toArray());
  });

  it('an unbatched [T, I] input is the batch of one', () => {
    const w = weights(rng, 3, 2, 3, 2, 2);
    const x = randn(rng, [4, 2]);
    const h0 = randn(rng, [4, 3]);
    const single = gru(x, h0, w, { numLayers: 2, bidirectional: true });
    const batch = gru(Tensor.from(x.data, [4, 1, 2], { dtype: 'float64' }), Tensor.from(h0.data, [4, 1, 3], { dtype: 'float64' }), w, { numLayers: 2, bidirectional: true });
    expect(single.output.shape).toEqual([4, 6]);
    expect(single.h.shape).toEqual([4, 3]);
    expect(single.output.toArray()).toEqual(batch.output.toArray());
    expect(single.h.toArray()).toEqual(batch.h.toArray());
  });

  it('has correct gradients: LSTM (2 layers, bidirectional, initial state), with projection, GRU and RNN', () => {
    const x = () => randn(rng, [3, 2, 2], { requiresGrad: true });
    const h0 = (rows: number, size: number) => randn(rng, [rows, 2, size], { requiresGrad: true });
    withWeights(weights(rng, 4, 2, 3, 2, 2), (x, w, [h, c]) => {
      const r = lstm(x, { h: h!, c: c! }, w, { numLayers: 2, bidirectional: true });
      return sumOf(r.output, r.h, r.c!);
    }, x(), [h0(4, 3), h0(4, 3)]);
    withWeights(weights(rng, 4, 2, 3, 1, 2, 2, false), (x, w) => {
      const r = lstm(x, null, w, { bidirectional: true });
      return sumOf(r.output, r.h, r.c!);
    }, x());
    withWeights(weights(rng, 3, 2, 3, 2, 1), (x, w, [h]) => {
      const r = gru(x, h!, w, { numLayers: 2 });
      return sumOf(r.output, r.h);
    }, x(), [h0(2, 3)]);
    withWeights(weights(rng, 1, 2, 3, 1, 2), (x, w) => {
      const r = rnn(x, null, w, { bidirectional: true, nonlinearity: 'relu' });
      return sumOf(r.output, r.h);
    }, x());
  });

  it('has correct gradients with dropout between layers (same mask on every call)', () => {
    const w = weights(rng, 4, 2, 3, 2, 1);
    withWeights(w, (x, w) => lstm(x, null, w, { numLayers: 2, dropout: 0.4, training: true, rng: new TorchGenerator(1) }).output, randn(rng, [3, 2, 2], { requiresGrad: true }));
  });

  it('rejects wrong shapes with torch-like messages', () => {
    const w = weights(rng, 4, 2, 3, 1, 1);
    expect(() => lstm(randn(rng, [3, 2, 5]), null, w)).toThrow(/must have 2 features/);
    expect(() => lstm(randn(rng, [3, 2, 2]), { h: randn(rng, [1, 3, 3]), c: randn(rng, [1, 2, 3]) }, w)).toThrow(/expected hidden size \[1, 2, 3\]/);
    expect(() => lstm(randn(rng, [3, 2, 2]), null, w, { numLayers: 2 })).toThrow(/missing weight weight_ih_l1/);
  });
});

/**
 * Σₖ Σᵢ (k + 1)·sin(i + k + 1)·tₖ[i]: one scalar from several outputs, each element weighted
 * differently so that the check sees every output's gradient (a local op keeps this test
 * independent of the elementwise ops).
 */
function sumOf(...ts: Tensor[]): Tensor {
  return ts.reduce((acc, t, k) => addWeighted(acc, t, k + 1), null as Tensor | null)!;
}

function addWeighted(acc: Tensor | null, t: Tensor, weight: number): Tensor {
  let s = acc ? acc.data[0]! : 0;
  for (let i = 0; i < t.numel; i++) s += weight * Math.sin(i + weight) * t.data[i]!;
  const inputs = acc ? [acc, t] : [t];
  return opResult('TestSum', Float64Array.of(s), [], inputs, (g) => {
    const gt = new Float64Array(t.numel);
    for (let i = 0; i < t.numel; i++) gt[i] = g[0]! * weight * Math.sin(i + weight);
    return acc ? [g, gt] : [gt];
  });
}
