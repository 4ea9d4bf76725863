import { describe, expect, it } from 'vitest';
import { formatInitializerCall } from '../../../engine/init/args';
import { xavier_uniform_ } from '../../../engine/init/xavier';
import { kaimingNormalTheory } from '../../../engine/init/kaiming';
import { applyInitializer, findInitializer, getInitializer, INITIALIZER_NAMES, initializerTheory } from '../../../engine/init/registry';
import { TorchGenerator } from '../../../engine/random';
import type { DenseTensor } from '../../../engine/tensor/dtype';
import { ksPValueOf } from './theoryCheck';

function tensor(shape: number[]): DenseTensor {
  return { shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) };
}

/** Arguments that every initializer accepts for a smoke run. */
const SAMPLE_ARGS: Record<string, Record<string, number | string>> = {
  constant_: { val: 0.25 },
  sparse_: { sparsity: 0.2, std: 0.1 },
};

describe('initializer registry', () => {
  it('knows every torch.nn.init name (except dirac_) plus lecun_* and linear_default_', () => {
    expect([...INITIALIZER_NAMES].sort()).toEqual([
      'constant_', 'eye_', 'kaiming_normal_', 'kaiming_uniform_', 'lecun_normal_', 'lecun_uniform_', 'linear_default_',
      'normal_', 'ones_', 'orthogonal_', 'sparse_', 'trunc_normal_', 'uniform_', 'xavier_normal_', 'xavier_uniform_', 'zeros_',
    ]);
  });

  it('accepts names without the trailing underscore', () => {
    expect(findInitializer('xavier_uniform')?.name).toBe('xavier_uniform_');
    expect(findInitializer('xavier_uniform_')?.name).toBe('xavier_uniform_');
    expect(findInitializer('dirac_')).toBeUndefined();
  });

  it('an unknown name lists the known ones', () => {
    expect(() => getInitializer('glorot_uniform')).toThrow(/Unknown initializer "glorot_uniform"\. Known initializers: uniform_, normal_/);
  });

  it.each(INITIALIZER_NAMES.map((name) => [name]))('%s: apply fills a [60, 50] tensor and its theory covers the samples', (name) => {
    const args = SAMPLE_ARGS[name] ?? {};
    const t = tensor([60, 50]);
    applyInitializer(name, t, args, new TorchGenerator(42));
    const theory = initializerTheory(name, t.shape, args);
    expect(t.data.every(Number.isFinite)).toBe(true);
    for (const x of t.data) {
      expect(x).toBeGreaterThanOrEqual(theory.support[0]);
      expect(x).toBeLessThanOrEqual(theory.support[1]);
    }
    expect(ksPValueOf(t.data, theory)).toBeGreaterThan(1e-3);
  });

  it('entries pass torch-named arguments through', () => {
    const a = tensor([30, 20]);
    getInitializer('xavier_uniform').apply(a, { gain: 2 }, new TorchGenerator(1));
    const b = xavier_uniform_(tensor([30, 20]), new TorchGenerator(1), { gain: 2 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(initializerTheory('kaiming_normal_', [30, 20], { mode: 'fan_out', nonlinearity: 'relu' }).std)
      .toBe(kaimingNormalTheory([30, 20], { mode: 'fan_out', nonlinearity: 'relu' }).std);
  });

  it('linear_default_: the weight rule on 2-D, U(±1/√fan_in) on a bias given fan_in', () => {
    expect(initializerTheory('linear_default', [5, 16]).params.high).toBeCloseTo(0.25, 15);
    expect(initializerTheory('linear_default', [5], { fan_in: 16 }).params.high).toBeCloseTo(0.25, 15);
    expect(() => initializerTheory('linear_default', [5])).toThrow('a 1-D bias needs "fan_in"');
  });

  it('validates arguments with clear messages', () => {
    expect(() => initializerTheory('xavier_uniform_', [3, 4], { gian: 1 })).toThrow('xavier_uniform_: unknown argument "gian". Accepted arguments: gain.');
    expect(() => initializerTheory('zeros_', [3, 4], { val: 1 })).toThrow('zeros_: unknown argument "val". Accepted arguments: none.');
    expect(() => initializerTheory('kaiming_normal_', [3, 4], { mode: 3 })).toThrow('kaiming_normal_: argument "mode" must be a string, got number 3.');
    expect(() => initializerTheory('normal_', [3, 4], { std: '0.1' })).toThrow('normal_: argument "std" must be a number, got string "0.1".');
    expect(() => initializerTheory('normal_', [3, 4], { std: Infinity })).toThrow('normal_: argument "std" must be a finite number, got Infinity.');
    expect(() => initializerTheory('sparse_', [3, 4], {})).toThrow('sparse_: missing required argument "sparsity".');
    expect(() => initializerTheory('constant', [3, 4], {})).toThrow('constant_: missing required argument "val".');
  });

  it("lets torch's own errors through", () => {
    expect(() => initializerTheory('kaiming_uniform_', [3, 4], { mode: 'fan_avg' })).toThrow("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
    expect(() => initializerTheory('xavier_normal', [5])).toThrow('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  });

  it('marks the initializers that need fans', () => {
    const needing = INITIALIZER_NAMES.filter((n) => getInitializer(n).needsFans).sort();
    expect(needing).toEqual(['kaiming_normal_', 'kaiming_uniform_', 'lecun_normal_', 'lecun_uniform_', 'orthogonal_', 'sparse_', 'xavier_normal_', 'xavier_uniform_']);
  });

  it('formats a call as torch would be written', () => {
    expect(formatInitializerCall('kaiming_normal_', { mode: 'fan_out', a: 0.1 })).toBe("kaiming_normal_(mode='fan_out', a=0.1)");
  });
});
