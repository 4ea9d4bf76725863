import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import {
  elu, gelu, hardsigmoid, hardswish, hardtanh, leakyRelu, relu, relu6, selu, sigmoid, silu, softplus, tanh,
} from '../../../engine/tensor/activation';
import { mul } from '../../../engine/tensor/binary';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;
const xs = [-3, -1, -0.5, 0.25, 1, 2.5];
const input = (): Tensor => Tensor.from(xs, [xs.length], f64);

/** Reference formulas written directly from the definitions (float64). */
const reference = {
  leakyRelu: (x: number, slope: number) => (x > 0 ? x : slope * x),
  elu: (x: number, alpha: number) => (x > 0 ? x : alpha * (Math.exp(x) - 1)),
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  softplus: (x: number, beta: number) => Math.log(1 + Math.exp(beta * x)) / beta,
};

describe('activation values', () => {
  it('ReLU', () => {
    expect(relu(input()).toArray()).toEqual([0, 0, 0, 0.25, 1, 2.5]);
  });

  it('LeakyReLU with the default slope 0.01 and a custom one', () => {
    expectClose(leakyRelu(input()).data, xs.map((x) => reference.leakyRelu(x, 0.01)));
    expectClose(leakyRelu(input(), 0.2).data, xs.map((x) => reference.leakyRelu(x, 0.2)));
  });

  it('ELU with α = 1 and α = 0.5', () => {
    expectClose(elu(input()).data, xs.map((x) => reference.elu(x, 1)), 1e-15);
    expectClose(elu(input(), 0.5).data, xs.map((x) => reference.elu(x, 0.5)), 1e-15);
  });

  it('SELU uses torch constants α ≈ 1.6733, scale ≈ 1.0507', () => {
    const alpha = 1.6732632423543772;
    const scale = 1.0507009873554805;
    expectClose(selu(input()).data, xs.map((x) => scale * reference.elu(x, alpha)), 1e-15);
  });

  it('GELU exact and tanh approximation match high-precision values', () => {
    // x·Φ(x) and ½x(1 + tanh(√(2/π)(x + 0.044715x³))) from mpmath at 30 digits.
    const exact = [-0.00404969409489028358, -0.15865525393145705141, -0.15426876936299344818, 0.14967658142073093106,
      0.84134474606854294859, 2.4844758366855596621];
    const approx = [-0.0036373920817730188378, -0.15880800939172329522, -0.15428599017485607796, 0.14967535070168500023,
      0.84119199060827670478, 2.4849157339100014179];
    expectClose(gelu(input()).data, exact, 1e-15);
    expectClose(gelu(input(), 'tanh').data, approx, 1e-15);
  });

  it('SiLU = x·σ(x), Sigmoid, Tanh', () => {
    expectClose(silu(input()).data, xs.map((x) => x * reference.sigmoid(x)), 1e-15);
    expectClose(sigmoid(input()).data, xs.map(reference.sigmoid), 1e-15);
    expectClose(tanh(input()).data, xs.map((x) => (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1)), 1e-15);
  });

  it('Sigmoid saturates without overflow', () => {
    expect(sigmoid(Tensor.from([-1000, 1000], [2], f64)).toArray()).toEqual([0, 1]);
  });

  it('Softplus(β, threshold) reverts to x above the threshold, as torch', () => {
    expectClose(softplus(input()).data, xs.map((x) => reference.softplus(x, 1)), 1e-15);
    expectClose(softplus(input(), 2).data, xs.map((x) => reference.softplus(x, 2)), 1e-15);
    // β·x = 25 > 20: exactly x; and with threshold 1, x = 2.5 is returned as is.
    expect(softplus(Tensor.from([25], [1], f64)).item()).toBe(25);
    expect(softplus(input(), 1, 1).data[5]).toBe(2.5);
  });

  it('rounds float32 outputs once from the float64 value', () => {
    const x = Tensor.from([0.3, -0.7, 1.9]);
    const y = tanh(x);
    for (let i = 0; i < 3; i++) expect(y.data[i]).toBe(Math.fround(Math.tanh(x.data[i]!)));
  });
});

describe('activation derivatives at the kinks follow torch', () => {
  it('ReLU′(0) = 0, LeakyReLU′(0) = slope, ELU′(0) = α', () => {
    const grad = (f: (t: Tensor) => Tensor): number => {
      const x = Tensor.from([0], [1], { dtype: 'float64', requiresGrad: true });
      f(x).backward();
      return x.grad![0]!;
    };
    expect(grad(relu)).toBe(0);
    expect(grad((t) => leakyRelu(t, 0.2))).toBe(0.2);
    expect(grad((t) => elu(t, 0.5))).toBe(0.5);
  });

  it('NaN propagates through ReLU', () => {
    expect(relu(Tensor.from([NaN], [1], f64)).item()).toBeNaN();
  });
});

describe('activation gradients (central differences)', () => {
  const rng = new TorchGenerator(7);
  const cases: [string, (t: Tensor) => Tensor][] = [
    ['relu', relu],
    ['leakyRelu', (t) => leakyRelu(t)],
    ['leakyRelu(0.3)', (t) => leakyRelu(t, 0.3)],
    ['elu', (t) => elu(t)],
    ['elu(0.5)', (t) => elu(t, 0.5)],
    ['selu', selu],
    ['gelu', (t) => gelu(t)],
    ['gelu tanh', (t) => gelu(t, 'tanh')],
    ['silu', silu],
    ['tanh', tanh],
    ['sigmoid', sigmoid],
    ['softplus', (t) => softplus(t)],
    ['softplus(β=2, threshold=3)', (t) => softplus(t, 2, 3)],
    // Piecewise linear: inputs of scale 2 fall on every piece (a kink within the difference step is improbable).
    ['relu6', (t) => relu6(mul(t, 3))],
    ['hardtanh', (t) => hardtanh(t)],
    ['hardtanh(-0.5, 3)', (t) => hardtanh(t, -0.5, 3)],
    ['hardsigmoid', (t) => hardsigmoid(mul(t, 2))],
    ['hardswish', (t) => hardswish(mul(t, 2))],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      expectGradientsCorrect(f, [randn(rng, [4, 5], { requiresGrad: true, scale: 2 })]);
    });
  }
});

describe('float32 LeakyReLU', () => {
  it('multiplies by the slope cast to float32, as torch', () => {
    // For these inputs fround(x·0.01) ≠ fround(x·fround(0.01)), so the cast is observable.
    const x = Tensor.from([-72.49152374267578, -12.741900444030762, -8.397077560424805]);
    for (let i = 0; i < 3; i++) expect(Math.fround(x.data[i]! * 0.01)).not.toBe(Math.fround(x.data[i]! * Math.fround(0.01)));
    const y = leakyRelu(x);
    for (let i = 0; i < 3; i++) expect(y.data[i]).toBe(Math.fround(x.data[i]! * Math.fround(0.01)));
  });
});

describe('float32 ReLU (branch-free kernel on the bit patterns)', () => {
  // Every class of float32 value, with both signs: zeros, subnormals, normals, infinities, NaNs.
  const specials = [0, -0, 1e-45, -1e-45, 1e-40, -1e-40, 1.5, -1.5, 3.4e38, -3.4e38, Infinity, -Infinity, NaN];
  const negativeNaN = (): number => new Float32Array(new Int32Array([0xffc00001 | 0]).buffer)[0]!;

  it('keeps x > 0 and NaN (either sign), gives +0 otherwise, as the definition', () => {
    const values = Float32Array.from([...specials, negativeNaN()]);
    const rng = new TorchGenerator(8);
    const random = Float32Array.from({ length: 1000 }, () => rng.normal());
    for (const x of [values, random]) {
      const y = relu(Tensor.from(x, [x.length])).data;
      x.forEach((v, i) => {
        const expected = Number.isNaN(v) ? NaN : v > 0 ? v : 0;
        expect(Object.is(y[i], expected), `relu(${v}) = ${y[i]}`).toBe(true);
      });
    }
  });

  it('passes the gradient where the output is > 0 and +0 elsewhere, even for non-finite gradients', () => {
    const x = Tensor.from(Float32Array.from([...specials, negativeNaN()]), [specials.length + 1], { requiresGrad: true });
    const y = relu(x);
    const g = Float32Array.from(y.data, (_, i) => [-2.5, NaN, Infinity, -0][i % 4]!);
    y.backward(Tensor.from(g, [g.length]));
    y.data.forEach((out, i) => {
      const expected = out > 0 ? g[i]! : 0;
      expect(Object.is(x.grad![i], expected), `relu′ at ${x.data[i]} with g = ${g[i]}: ${x.grad![i]}`).toBe(true);
    });
  });
});
