import { describe, expect, it } from 'vitest';
import { adam, adamw, pyFloat, sgd } from '../../../engine/optim';

describe('pyFloat: Python repr of a float', () => {
  it.each([
    [0.001, '0.001'],
    [1e-8, '1e-08'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-5, '-2.5e-05'],
    [1, '1.0'],
    [-1, '-1.0'],
    [123.456, '123.456'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.5e300, '1.5e+300'],
    [0.1 + 0.2, '0.30000000000000004'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [0, '0.0'],
    [-0, '-0.0'],
  ])('%s → %s', (x, want) => expect(pyFloat(x)).toBe(want));
});

describe("torch's argument checks", () => {
  it('AdamW / Adam', () => {
    for (const make of [adamw, adam]) {
      expect(() => make({ lr: -0.1 })).toThrow('Invalid learning rate: -0.1');
      expect(() => make({ lr: NaN })).toThrow('Invalid learning rate: nan');
      expect(() => make({ eps: -1e-8 })).toThrow('Invalid epsilon value: -1e-08');
      expect(() => make({ betas: [1, 0.999] })).toThrow('Invalid beta parameter at index 0: 1.0');
      expect(() => make({ betas: [0.9, 1] })).toThrow('Invalid beta parameter at index 1: 1.0');
      expect(() => make({ betas: [0.9, NaN] })).toThrow('Invalid beta parameter at index 1: nan');
      expect(() => make({ weightDecay: -1 })).toThrow('Invalid weight_decay value: -1.0');
      expect(() => make({ lr: 0, betas: [0, 0], eps: 0, weightDecay: 0 })).not.toThrow();
    }
  });

  it('SGD (NaN passes, as torch compares with <)', () => {
    expect(() => sgd({ lr: -0.1 })).toThrow('Invalid learning rate: -0.1');
    expect(() => sgd({ lr: 0.1, momentum: -1 })).toThrow('Invalid momentum value: -1.0');
    expect(() => sgd({ lr: 0.1, weightDecay: -1 })).toThrow('Invalid weight_decay value: -1.0');
    expect(() => sgd({ lr: 0.1, nesterov: true })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => sgd({ lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => sgd({ lr: NaN })).not.toThrow();
    expect(() => sgd({ lr: 0.1, momentum: 0.9, nesterov: true })).not.toThrow();
  });

  it('a schedule as lr is not checked (its values are unknown until used)', () => {
    expect(() => adamw({ lr: () => -1 })).not.toThrow();
  });
});
