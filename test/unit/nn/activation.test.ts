import { describe, expect, it } from 'vitest';
import {
  ELU, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, SELU, SiLU, Sigmoid, Softmax, Softplus, Tanh,
} from '../../../engine/nn/activation';
import type { Module } from '../../../engine/nn/module';
import { Tensor } from '../../../engine/tensor/tensor';

const x = Tensor.from([-2, -0.5, 0, 0.5, 30], [5], { dtype: 'float64' });
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** Module, torch class name, and the expected output on x from the definition. */
const cases: [Module, string, (v: number) => number][] = [
  [new ReLU(), 'ReLU', (v) => Math.max(v, 0)],
  [new LeakyReLU(), 'LeakyReLU', (v) => (v > 0 ? v : 0.01 * v)],
  [new LeakyReLU(0.2), 'LeakyReLU', (v) => (v > 0 ? v : 0.2 * v)],
  [new ELU(), 'ELU', (v) => (v > 0 ? v : Math.exp(v) - 1)],
  [new ELU(2), 'ELU', (v) => (v > 0 ? v : 2 * (Math.exp(v) - 1))],
  [new SELU(), 'SELU', (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1))],
  [new SiLU(), 'SiLU', (v) => v * sigmoid(v)],
  [new Tanh(), 'Tanh', Math.tanh],
  [new Sigmoid(), 'Sigmoid', sigmoid],
  [new Softplus(), 'Softplus', (v) => (v > 20 ? v : Math.log(1 + Math.exp(v)))],
  [new Softplus(2, 5), 'Softplus', (v) => (2 * v > 5 ? v : Math.log(1 + Math.exp(2 * v)) / 2)],
  [new Identity(), 'Identity', (v) => v],
];

describe('activation modules', () => {
  it.each(cases.map(([m, kind, f], i) => [i, m, kind, f] as const))('#%d applies its function with torch defaults', (_i, module, kind, f) => {
    expect(module.kind).toBe(kind);
    expect(module.namedParameters()).toEqual([]);
    const y = module.forward(x).data;
    x.data.forEach((v, i) => expect(Math.abs(y[i]! - f(v))).toBeLessThan(1e-14));
  });

  it('GELU defaults to the exact (erf) form and offers the tanh approximation', () => {
    const exact = new GELU().forward(Tensor.from([1], [1], { dtype: 'float64' })).item();
    const approx = new GELU('tanh').forward(Tensor.from([1], [1], { dtype: 'float64' })).item();
    expect(exact).toBeCloseTo(0.84134474606854294859, 15); // Φ(1)
    expect(approx).toBeCloseTo(0.84119199060827670478, 15);
  });

  it('Softmax and LogSoftmax act on the last dimension', () => {
    const logits = Tensor.from([0, Math.LN2, 0, 0], [2, 2], { dtype: 'float64' });
    const p = new Softmax().forward(logits).toArray();
    [1 / 3, 2 / 3, 0.5, 0.5].forEach((e, i) => expect(p[i]).toBeCloseTo(e, 15));
    const lp = new LogSoftmax().forward(logits).toArray();
    [1 / 3, 2 / 3, 0.5, 0.5].forEach((e, i) => expect(lp[i]).toBeCloseTo(Math.log(e), 15));
  });

  it('Identity returns the same tensor', () => {
    expect(new Identity().forward(x)).toBe(x);
  });
});
