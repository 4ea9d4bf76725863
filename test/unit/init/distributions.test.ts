/**
 * Every random initializer, at a fixed seed, against its theoretical
 * distribution: KS must accept the theory and reject the same theory with
 * std × 1.1 (and ÷ 1.1); sample mean and std within 5 standard errors; values
 * inside the support. The theoretical scales are also checked against the
 * formulas written out here.
 */
import { describe, expect, it } from 'vitest';
import { kaiming_normal_, kaiming_uniform_, kaimingNormalTheory, kaimingUniformTheory } from '../../../engine/init/kaiming';
import { lecunNormal_, lecunNormalTheory, lecunUniform_, lecunUniformTheory } from '../../../engine/init/lecun';
import { normal_, normalTheory, uniform_, uniformTheory } from '../../../engine/init/uniformNormal';
import { trunc_normal_, truncNormalTheory } from '../../../engine/init/truncNormal';
import { xavier_normal_, xavier_uniform_, xavierNormalTheory, xavierUniformTheory } from '../../../engine/init/xavier';
import { TorchGenerator } from '../../../engine/random';
import type { DenseTensor } from '../../../engine/tensor/dtype';
import { maxAbs, expectSamplesMatchTheory, ksPValueOf } from './theoryCheck';

const SHAPE = [300, 200]; // 60 000 samples: std × 1.1 is detected with a wide margin

function tensor(shape: number[], dtype: 'float32' | 'float64' = 'float64'): DenseTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: dtype === 'float32' ? new Float32Array(n) : new Float64Array(n) };
}

describe('uniform_ and normal_', () => {
  it('uniform_ defaults to U(0, 1)', () => {
    const t = uniform_(tensor(SHAPE), new TorchGenerator(1));
    const theory = uniformTheory();
    expect(theory.params).toEqual({ low: 0, high: 1 });
    expectSamplesMatchTheory(t.data, theory);
  });

  it('uniform_(a=-0.3, b=0.7)', () => {
    const t = uniform_(tensor(SHAPE), new TorchGenerator(2), { a: -0.3, b: 0.7 });
    const theory = uniformTheory({ a: -0.3, b: 0.7 });
    expect(theory.mean).toBeCloseTo(0.2, 15);
    expect(theory.std).toBeCloseTo(1 / Math.sqrt(12), 15);
    expectSamplesMatchTheory(t.data, theory);
  });

  it('normal_ defaults to N(0, 1) and takes mean/std', () => {
    expectSamplesMatchTheory(normal_(tensor(SHAPE), new TorchGenerator(3)).data, normalTheory());
    const t = normal_(tensor(SHAPE), new TorchGenerator(4), { mean: 0.5, std: 0.02 });
    expectSamplesMatchTheory(t.data, normalTheory({ mean: 0.5, std: 0.02 }));
  });

  it("raises torch's errors for a reversed range and a negative std", () => {
    expect(() => uniform_(tensor([2, 2]), new TorchGenerator(1), { a: 1, b: 0 })).toThrow('uniform_ expects to return a [from, to) range, but found from=1 > to=0');
    expect(() => normal_(tensor([2, 2]), new TorchGenerator(1), { std: -1 })).toThrow('normal expects std >= 0.0, but found std -1');
  });
});

describe('trunc_normal_', () => {
  it('defaults: N(0, 1) truncated to [-2, 2]', () => {
    const t = trunc_normal_(tensor(SHAPE), new TorchGenerator(5));
    const theory = truncNormalTheory();
    expect(theory.support).toEqual([-2, 2]);
    // Var of N(0,1) truncated to [-β, β]: 1 − 2βφ(β)/(2Φ(β) − 1).
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const mass = 0.9544997361036416; // Φ(2) − Φ(−2)
    expect(theory.std).toBeCloseTo(Math.sqrt(1 - (4 * phi2) / mass), 12);
    expectSamplesMatchTheory(t.data, theory);
  });

  it('asymmetric interval: mean 1, std 2 on [0, 5]', () => {
    const options = { mean: 1, std: 2, a: 0, b: 5 };
    expectSamplesMatchTheory(trunc_normal_(tensor(SHAPE), new TorchGenerator(6), options).data, truncNormalTheory(options));
  });

  it('an interval far in the upper tail (5σ to 6σ) is still sampled exactly', () => {
    const options = { mean: 0, std: 1, a: 5, b: 6 };
    const t = trunc_normal_(tensor(SHAPE), new TorchGenerator(7), options);
    expectSamplesMatchTheory(t.data, truncNormalTheory(options));
  });

  it('beyond ~38σ the mass underflows: the theory is a point mass at the nearer bound, torch’s values sit at the farther one', () => {
    // torch: uniform_(2l − 1, 2u − 1) with l = u = 1 (or 0) in double gives ±1, erfinv(±1) = ±inf, clamp_ → the far bound
    // (torch 1.13 prints [51, 51, 51, 51] and [−51, −51, −51, −51] for these calls, with its 2-std warning).
    const upper = trunc_normal_(tensor([4]), new TorchGenerator(9), { a: 50, b: 51 });
    expect(Array.from(upper.data)).toEqual([51, 51, 51, 51]);
    expect(truncNormalTheory({ a: 50, b: 51 }).atoms).toEqual([{ x: 50, p: 1 }]);
    const lower = trunc_normal_(tensor([4]), new TorchGenerator(9), { a: -51, b: -50 });
    expect(Array.from(lower.data)).toEqual([-51, -51, -51, -51]);
    expect(truncNormalTheory({ a: -51, b: -50 }).atoms).toEqual([{ x: -50, p: 1 }]);
  });

  it("reports torch's uniform_ range error for a > b (with erf(α/√2), erf(β/√2) as torch computes them)", () => {
    expect(() => trunc_normal_(tensor([3]), new TorchGenerator(1), { a: 2, b: -2 })).toThrow('uniform_ expects to return a [from, to) range, but found from=0.9545 > to=-0.9545');
    expect(() => truncNormalTheory({ std: -1 })).toThrow('uniform_ expects to return a [from, to) range, but found from=0.9545 > to=-0.9545');
  });

  it('an interval far in the lower tail (−6σ to −5σ)', () => {
    const options = { mean: 0, std: 1, a: -6, b: -5 };
    expectSamplesMatchTheory(trunc_normal_(tensor(SHAPE), new TorchGenerator(8), options).data, truncNormalTheory(options));
  });
});

describe('xavier (Glorot & Bengio 2010)', () => {
  it('xavier_uniform_ on [100, 10] has bound √(6/110), exactly', () => {
    const bound = Math.sqrt(6 / 110);
    const theory = xavierUniformTheory([100, 10]);
    expect(theory.params.high).toBeCloseTo(bound, 15);
    expect(theory.params.low).toBeCloseTo(-bound, 15);
    expect([theory.fanIn, theory.fanOut, theory.gain]).toEqual([10, 100, 1]);
    const t = xavier_uniform_(tensor([100, 10]), new TorchGenerator(9));
    const largest = maxAbs(t.data);
    expect(largest).toBeLessThanOrEqual(bound);
    expect(largest).toBeGreaterThan(0.99 * bound); // 1000 draws reach the edge
  });

  it('xavier_uniform_ with gain: bound = gain·√(6/(fan_in+fan_out)), distribution matches', () => {
    const theory = xavierUniformTheory(SHAPE, { gain: 5 / 3 });
    expect(theory.params.high).toBeCloseTo((5 / 3) * Math.sqrt(6 / 500), 15);
    expectSamplesMatchTheory(xavier_uniform_(tensor(SHAPE), new TorchGenerator(10), { gain: 5 / 3 }).data, theory);
  });

  it('xavier_normal_: std = gain·√(2/(fan_in+fan_out))', () => {
    const theory = xavierNormalTheory(SHAPE, { gain: Math.SQRT2 });
    expect(theory.std).toBeCloseTo(Math.SQRT2 * Math.sqrt(2 / 500), 15);
    expectSamplesMatchTheory(xavier_normal_(tensor(SHAPE), new TorchGenerator(11), { gain: Math.SQRT2 }).data, theory);
  });

  it('uses the receptive field for 4-D shapes', () => {
    const theory = xavierNormalTheory([8, 3, 3, 3]);
    expect(theory.std).toBeCloseTo(Math.sqrt(2 / (27 + 72)), 15);
  });

  it('float32 tensors stay within the float32-rounded bound', () => {
    const bound = Math.sqrt(6 / 110);
    const t = xavier_uniform_(tensor([100, 10], 'float32'), new TorchGenerator(12));
    for (const x of t.data) expect(Math.abs(x)).toBeLessThanOrEqual(Math.fround(bound));
  });
});

describe('kaiming (He et al. 2015)', () => {
  it('kaiming_uniform_ default (leaky_relu, a=0, fan_in): bound √(6/fan_in)', () => {
    const theory = kaimingUniformTheory(SHAPE);
    expect(theory.params.high).toBeCloseTo(Math.sqrt(6 / 200), 15);
    expectSamplesMatchTheory(kaiming_uniform_(tensor(SHAPE), new TorchGenerator(13)).data, theory);
  });

  it('kaiming_uniform_(a=√5) gives U(±1/√fan_in)', () => {
    expect(kaimingUniformTheory([64, 128], { a: Math.sqrt(5) }).params.high).toBeCloseTo(1 / Math.sqrt(128), 15);
  });

  it('kaiming_normal_(mode=fan_out, relu): std √2/√fan_out', () => {
    const options = { mode: 'fan_out', nonlinearity: 'relu' };
    const theory = kaimingNormalTheory(SHAPE, options);
    expect(theory.std).toBeCloseTo(Math.SQRT2 / Math.sqrt(300), 15);
    expect(theory.gain).toBe(Math.SQRT2);
    expectSamplesMatchTheory(kaiming_normal_(tensor(SHAPE), new TorchGenerator(14), options).data, theory);
  });

  it('kaiming_normal_ tanh on a 4-D shape', () => {
    const theory = kaimingNormalTheory([8, 3, 3, 3], { nonlinearity: 'tanh' });
    expect(theory.std).toBeCloseTo(5 / 3 / Math.sqrt(27), 15);
  });

  it("raises torch's errors, mode first", () => {
    expect(() => kaiming_uniform_(tensor([5]), new TorchGenerator(1), { mode: 'fan_avg' })).toThrow("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
    expect(() => kaiming_normal_(tensor([5]), new TorchGenerator(1))).toThrow('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
    expect(() => kaiming_normal_(tensor([3, 4]), new TorchGenerator(1), { nonlinearity: 'gelu' })).toThrow('Unsupported nonlinearity gelu');
  });

  it('is a no-op on zero-element tensors (torch only warns)', () => {
    const t = tensor([0, 3]);
    expect(() => kaiming_uniform_(t, new TorchGenerator(1), { mode: 'bogus' })).not.toThrow();
  });
});

describe('LeCun (LeCun et al. 1998)', () => {
  it('lecunNormal_: N(0, 1/fan_in)', () => {
    const theory = lecunNormalTheory(SHAPE);
    expect(theory.std).toBeCloseTo(1 / Math.sqrt(200), 15);
    expectSamplesMatchTheory(lecunNormal_(tensor(SHAPE), new TorchGenerator(15)).data, theory);
  });

  it('lecunUniform_: U(±√(3/fan_in))', () => {
    const theory = lecunUniformTheory(SHAPE);
    expect(theory.params.high).toBeCloseTo(Math.sqrt(3 / 200), 15);
    expect(theory.std).toBeCloseTo(1 / Math.sqrt(200), 15);
    expectSamplesMatchTheory(lecunUniform_(tensor(SHAPE), new TorchGenerator(16)).data, theory);
  });

  it('is not Xavier: the two differ unless fan_in = fan_out', () => {
    expect(lecunNormalTheory([100, 10]).std).not.toBeCloseTo(xavierNormalTheory([100, 10]).std, 3);
  });
});

describe('the KS check has power', () => {
  it('rejects uniform samples against the normal theory of the same variance', () => {
    const t = xavier_uniform_(tensor(SHAPE), new TorchGenerator(17));
    expect(ksPValueOf(t.data, xavierNormalTheory(SHAPE))).toBeLessThan(1e-3);
  });
});
