import { describe, expect, it } from 'vitest';
import {
  adamw,
  decayExcept,
  decayOnly,
  isNormModuleName,
  noDecayBiasAndNorm,
  paramGroups,
  sgd,
  step,
  type AdamWOptions,
  type GroupsState,
} from '../../../engine/optim';

const names = [
  'fc1.weight',
  'fc1.bias',
  'encoder.layers.0.norm1.weight',
  'encoder.layers.0.norm1.bias',
  'ln_f.weight',
  'transformer.h.0.ln_1.weight',
  'bn1.weight',
  'net.2.weight',
  'embed.weight',
  'layer_norm.weight',
  'LayerNorm.weight',
];

describe('masks', () => {
  it('noDecayBiasAndNorm excludes biases and normalization weights', () => {
    const decayed = names.filter(noDecayBiasAndNorm());
    expect(decayed).toEqual(['fc1.weight', 'net.2.weight', 'embed.weight']);
  });

  it('an unnamed norm layer is excluded when listed in normModules', () => {
    expect(noDecayBiasAndNorm({ normModules: ['net.2'] })('net.2.weight')).toBe(false);
    expect(noDecayBiasAndNorm({ normModules: ['net.2'] })('net.0.weight')).toBe(true);
  });

  it('norm module names', () => {
    expect(['ln', 'ln_f', 'ln_1', 'bn', 'bn2', 'norm', 'post_attention_layernorm', 'a.b.RMSNorm'].every(isNormModuleName)).toBe(true);
    expect(['fc1', 'linear', 'lnx2y', 'embedding', 'bnb_proj', ''].some(isNormModuleName)).toBe(false);
  });

  it('glob masks', () => {
    expect(names.filter(decayOnly(['fc1.*']))).toEqual(['fc1.weight', 'fc1.bias']);
    expect(names.filter(decayExcept(['*.bias', '*norm*.weight', 'ln*', '*.ln_1.*', 'bn1.*', 'LayerNorm.*']))).toEqual(['fc1.weight', 'net.2.weight', 'embed.weight']);
  });
});

describe('paramGroups', () => {
  const params = () => ({ 'a.weight': Float64Array.of(1, 2), 'a.bias': Float64Array.of(1), 'b.weight': Float64Array.of(3) });
  const grads = { 'a.weight': Float64Array.of(0.5, -0.5), 'a.bias': Float64Array.of(1), 'b.weight': Float64Array.of(-2) };

  it('each group uses its own hyper-parameters (same as separate optimizers)', () => {
    const tx = paramGroups<AdamWOptions>(adamw, [{ params: ['*.bias'], weightDecay: 0, lr: 0.1 }, { params: ['a.*'] }, { params: ['*'], lr: 0.5 }], { lr: 0.01, weightDecay: 0.1 });
    const p = params();
    let state = tx.init(p);
    for (let i = 0; i < 3; i++) ({ state } = step(tx, p, grads, state));

    const expectAlone = (name: string, options: AdamWOptions) => {
      const q = { [name]: params()[name as 'a.bias']! };
      const alone = adamw(options);
      let s = alone.init(q);
      for (let i = 0; i < 3; i++) ({ state: s } = step(alone, q, { [name]: grads[name as 'a.bias'] }, s));
      expect(Array.from(p[name as 'a.bias'])).toEqual(Array.from(q[name]!));
    };
    expectAlone('a.bias', { lr: 0.1, weightDecay: 0 });
    expectAlone('a.weight', { lr: 0.01, weightDecay: 0.1 });
    expectAlone('b.weight', { lr: 0.5, weightDecay: 0.1 });
    expect((state as GroupsState).groupOf).toEqual({ 'a.weight': 1, 'a.bias': 0, 'b.weight': 2 });
  });

  it('a parameter in no group is an error', () => {
    const tx = paramGroups(sgd, [{ params: ['a.*'] }], { lr: 0.1 });
    expect(() => tx.init(params())).toThrow("parameter 'b.weight' is in no parameter group");
  });

  it('a gradient for a parameter init never saw is an error', () => {
    const tx = paramGroups(sgd, [{ params: ['*'] }], { lr: 0.1 });
    const state = tx.init({ x: Float64Array.of(1) });
    expect(() => tx.update({ y: Float64Array.of(1) }, state, { x: Float64Array.of(1), y: Float64Array.of(1) })).toThrow(/not given to init/);
  });

  it('group options are validated like torch', () => {
    expect(() => paramGroups<AdamWOptions>(adamw, [{ params: ['*'], lr: -1 }], {})).toThrow('Invalid learning rate: -1.0');
  });
});
