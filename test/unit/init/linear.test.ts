import { describe, expect, it } from 'vitest';
import { linearBiasTheory, linearResetParameters, linearWeightTheory } from '../../../engine/init/linear';
import { TorchGenerator } from '../../../engine/random';
import type { DenseTensor } from '../../../engine/tensor/dtype';
import { maxAbs, expectSamplesMatchTheory } from './theoryCheck';

function tensor(shape: number[], dtype: 'float32' | 'float64' = 'float64'): DenseTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: dtype === 'float32' ? new Float32Array(n) : new Float64Array(n) };
}

describe("linearResetParameters (nn.Linear's default)", () => {
  it.each([[10, 100], [100, 10], [64, 3], [1, 10]])('in=%d out=%d: weight and bias within 1/√fan_in', (inF, outF) => {
    const weight = tensor([outF, inF], 'float32');
    const bias = tensor([outF], 'float32');
    linearResetParameters(weight, bias, new TorchGenerator(inF * 1000 + outF));
    const bound = Math.fround(1 / Math.sqrt(inF));
    for (const x of weight.data) expect(Math.abs(x)).toBeLessThanOrEqual(bound);
    for (const x of bias.data) expect(Math.abs(x)).toBeLessThanOrEqual(bound);
    expect(linearWeightTheory([outF, inF]).params.high).toBeCloseTo(1 / Math.sqrt(inF), 15);
    expect(linearBiasTheory(inF).params.high).toBeCloseTo(1 / Math.sqrt(inF), 15);
  });

  it('weight and bias samples follow U(±1/√fan_in)', () => {
    const weight = tensor([200, 300]);
    const bias = tensor([60000]);
    // A 60000-wide bias is only a large sample for the test; fan_in comes from the weight.
    linearResetParameters(weight, bias, new TorchGenerator(7));
    expectSamplesMatchTheory(weight.data, linearWeightTheory([200, 300]));
    expectSamplesMatchTheory(bias.data, linearBiasTheory(300));
  });

  it('the weight bound is not 1/√fan_out', () => {
    const weight = tensor([1000, 10]);
    linearResetParameters(weight, null, new TorchGenerator(8));
    const largest = maxAbs(weight.data);
    expect(largest).toBeGreaterThan(0.3); // 1/√10 ≈ 0.316, while 1/√1000 ≈ 0.032
  });

  it('draws the weight first, then the bias (as reset_parameters does)', () => {
    const w1 = tensor([3, 4]);
    const b1 = tensor([3]);
    linearResetParameters(w1, b1, new TorchGenerator(9));
    const w2 = tensor([3, 4]);
    linearResetParameters(w2, null, new TorchGenerator(9));
    expect(Array.from(w2.data)).toEqual(Array.from(w1.data));
  });
});
