import { describe, expect, it } from 'vitest';
import { calculateGain, NONLINEARITIES } from '../../../engine/init/gain';
import { ValueError } from '../../../engine/init/errors';

describe('calculateGain', () => {
  it.each(['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid'])(
    '%s has gain 1',
    (name) => expect(calculateGain(name)).toBe(1),
  );

  it('tanh 5/3, relu √2, selu 3/4', () => {
    expect(calculateGain('tanh')).toBe(5 / 3);
    expect(calculateGain('relu')).toBe(Math.SQRT2);
    expect(calculateGain('selu')).toBe(0.75);
  });

  it('leaky_relu: √(2/(1 + slope²)) with default slope 0.01', () => {
    expect(calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / 1.0001), 15);
    expect(calculateGain('leaky_relu', 0)).toBe(Math.SQRT2);
    expect(calculateGain('leaky_relu', 1)).toBe(1);
    expect(calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    // a = √5 (nn.Linear's default) gives 1/√3.
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(1 / Math.sqrt(3), 15);
  });

  it('ignores the parameter for other nonlinearities, as torch does', () => {
    expect(calculateGain('relu', 'anything')).toBe(Math.SQRT2);
    expect(calculateGain('tanh', true)).toBe(5 / 3);
  });

  it("raises torch's ValueError for a non-number slope", () => {
    expect(() => calculateGain('leaky_relu', '0.2')).toThrow('negative_slope 0.2 not a valid number');
    expect(() => calculateGain('leaky_relu', true)).toThrow('negative_slope True not a valid number');
    expect(() => calculateGain('leaky_relu', false)).toThrow('negative_slope False not a valid number');
    expect(() => calculateGain('leaky_relu', true)).toThrow(ValueError);
  });

  it("raises torch's ValueError for unknown nonlinearities", () => {
    for (const name of ['softmax', 'gelu', 'ReLU', '']) {
      expect(() => calculateGain(name)).toThrow(new ValueError(`Unsupported nonlinearity ${name}`));
    }
  });

  it('lists every accepted name', () => {
    expect(NONLINEARITIES).toHaveLength(12);
    for (const name of NONLINEARITIES) expect(Number.isFinite(calculateGain(name))).toBe(true);
  });
});
