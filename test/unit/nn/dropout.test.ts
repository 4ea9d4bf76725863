import { describe, expect, it } from 'vitest';
import { Dropout } from '../../../engine/nn/dropout';
import { TorchGenerator } from '../../../engine/random';
import { Tensor } from '../../../engine/tensor/tensor';

describe('Dropout module', () => {
  it('drops in training mode and is the identity after eval()', () => {
    const layer = new Dropout(0.5, new TorchGenerator(1));
    const x = Tensor.ones([1000], { dtype: 'float64' });
    const trained = layer.forward(x).toArray();
    expect(trained.some((v) => v === 0)).toBe(true);
    expect(trained.filter((v) => v !== 0).every((v) => v === 2)).toBe(true);
    layer.eval();
    expect(layer.training).toBe(false);
    expect(layer.forward(x)).toBe(x);
  });

  it('defaults to p = 0.5, has no parameters and validates p', () => {
    const layer = new Dropout();
    expect(layer.p).toBe(0.5);
    expect(layer.kind).toBe('Dropout');
    expect(layer.namedParameters()).toEqual([]);
    expect(() => new Dropout(2)).toThrow(RangeError);
  });

  it('draws from the TorchGenerator it was given (same seed, same masks)', () => {
    const x = Tensor.ones([64]);
    const a = new Dropout(0.3, new TorchGenerator(9)).forward(x).toArray();
    const b = new Dropout(0.3, new TorchGenerator(9)).forward(x).toArray();
    expect(a).toEqual(b);
  });
});
