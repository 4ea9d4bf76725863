import { describe, expect, it } from 'vitest';
import { binsFor, inspectInitialization, inspectParameter } from '../../../engine/inspect/inspectInit';
import type { Theory } from '../../../engine/init/theory';
import { normalTheory, uniformTheory } from '../../../engine/init/uniformNormal';
import { TorchGenerator } from '../../../engine/random';
import { initialTensors } from '../../../engine/model/initialize';
import { ksStatisticSorted } from '../../../engine/stats/ks';
import { summarize } from '../../../engine/stats/summary';
import { parseModelText } from '../../../engine/model';

const spec = (text: string) => {
  const { spec, diagnostics } = parseModelText(text, 'json', 'm');
  if (!spec) throw new Error(JSON.stringify(diagnostics));
  return spec;
};

describe('initialization inspection', () => {
  const simple = spec('{"name": "SimpleModel", "input": 10, "layers": [{"name": "fc1", "type": "Linear", "out_features": 100}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 10}, {"name": "fc3", "type": "Linear", "out_features": 1}]}');

  it('reports every parameter in state_dict order with torch default theories', () => {
    const r = inspectInitialization(simple, { bins: 40 });
    expect(r.parameters.map((p) => p.name)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    expect(r.parameterCount).toBe(2121);
    const w = r.parameters[0]!;
    // nn.Linear(10, 100): kaiming_uniform_(a=√5) = U(±1/√10), std = bound/√3
    expect(w.theory!.support[1]).toBeCloseTo(1 / Math.sqrt(10), 14);
    expect(w.theory!.std).toBeCloseTo(1 / Math.sqrt(30), 14);
    expect(w.sample.min).toBeGreaterThanOrEqual(-1 / Math.sqrt(10));
    expect(w.sample.max).toBeLessThanOrEqual(1 / Math.sqrt(10));
    expect(r.parameters[2]!.theory!.support[1]).toBeCloseTo(0.1, 14); // fc2: 1/√100
  });

  it("a one-element tensor's sample std is null: the (n − 1) std of one value is undefined", () => {
    const r = inspectInitialization(simple, { bins: 40 });
    const bias = r.parameters.find((p) => p.name === 'fc3.bias')!;
    expect(bias.sample.count).toBe(1);
    expect(bias.sample.std).toBeNull();
    expect(r.parameters.find((p) => p.name === 'fc2.bias')!.sample.std).toBeGreaterThan(0);
  });

  it('histogram counts sum to the tensor size, and the theory expects the same total', () => {
    for (const p of inspectInitialization(simple, { bins: 40 }).parameters) {
      const n = p.shape.reduce((a, b) => a * b, 1);
      expect(p.histogram.counts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(p.histogram.expected!.reduce((a, b) => a + b, 0)).toBeCloseTo(n, 6);
      expect(p.histogram.edges.length).toBe(p.histogram.counts.length + 1);
    }
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const a = inspectInitialization(simple, { bins: 20 }).parameters[0]!.sample;
    const b = inspectInitialization(simple, { bins: 20 }).parameters[0]!.sample;
    const c = inspectInitialization({ ...simple, seed: 1 }, { bins: 20 }).parameters[0]!.sample;
    expect(a).toEqual(b);
    expect(c.mean).not.toBe(a.mean);
  });

  it('a file initializer replaces the default and its theory', () => {
    const s = spec('{"input": 10, "layers": [{"type": "Linear", "out_features": 100, "init": {"weight": {"fn": "normal_", "std": 0.01}, "bias": "zeros_"}}]}');
    const [w, b] = inspectInitialization(s, { bins: 40 }).parameters;
    expect(w!.initializer).toBe('normal_(std=0.01)');
    expect(w!.origin).toBe('model file');
    expect(w!.theory!.family).toBe('normal');
    expect(w!.sample.std).toBeGreaterThan(0.009);
    expect(w!.sample.std).toBeLessThan(0.011);
    expect(w!.ks).toBeLessThan(0.06); // 1,000 samples: the 1% critical value is 1.63/√1000 ≈ 0.052
    expect(b!.sample.max).toBe(0);
    expect(b!.ks).toBeNull(); // a point mass: KS is not meaningful
  });

  it('uses the square-root rule for bins, capped by the setting', () => {
    expect(binsFor(1000, 40)).toBe(32);
    expect(binsFor(100, 40)).toBe(10);
    expect(binsFor(1, 40)).toBe(5);
    expect(binsFor(1_000_000, 40)).toBe(40);
    expect(binsFor(1000, 3)).toBe(3);
  });
});

describe('inspectParameter on a large tensor: the one pass for histogram and KS gives the separate passes\' numbers', () => {
  const rng = new TorchGenerator(5);
  const cases: [string, Float32Array, Theory][] = [
    ['normal_(std=0.02)', Float32Array.from({ length: 1 << 17 }, () => 0.02 * rng.normal()), normalTheory({ std: 0.02 })],
    ['uniform_(−0.05, 0.05), bins over the support', Float32Array.from({ length: 100_000 }, () => rng.uniformRange(-0.05, 0.05)), uniformTheory({ a: -0.05, b: 0.05 })],
  ];
  for (const [name, data, theory] of cases) {
    it(name, () => {
      const p = inspectParameter({ name: 'w', shape: [data.length], data, initializer: name, origin: 'model file', theory }, 40);
      const range = theory.support[1] < Infinity ? { range: theory.support } : {};
      const stats = summarize(data, { histogram: { bins: binsFor(data.length, 40), ...range } });
      expect(p.histogram.counts).toEqual(Array.from(stats.histogram!.counts));
      expect(p.histogram.edges).toEqual(Array.from(stats.histogram!.edges));
      expect(p.sample).toEqual({ count: stats.count, mean: stats.mean, std: stats.std, min: stats.min, max: stats.max });
      expect(p.ks).toBe(ksStatisticSorted(data, theory.cdf));
    });
  }
});

describe('initialTensors with one reused buffer', () => {
  it('gives every tensor the values of a fresh array, also an uninitialized one after a drawn one', () => {
    const model = spec(JSON.stringify({
      name: 'M', class: 'M',
      layers: [
        { name: 'big', type: 'Linear', in_features: 64, out_features: 64 },
        { name: 'small', type: 'Linear', in_features: 8, out_features: 4 },
        { name: 'blk', type: 'Module', class: 'B', parameters: { empty: { shape: [32] } } },
      ],
      parameters: { scaled: { shape: [300], init: [{ fn: 'normal_', std: 0.5 }, { scale: 0.5 }] } },
    }));
    // Each tensor read before the next is drawn (the buffer's contract).
    const read = (options: { reuseBuffer?: boolean }) => {
      const out: { name: string; data: number[] }[] = [];
      for (const [, p] of initialTensors(model, new TorchGenerator(model.seed), 'float32', options)) out.push({ name: p.name, data: Array.from(p.data) });
      return out;
    };
    const fresh = read({});
    const reused = read({ reuseBuffer: true });
    expect(reused).toEqual(fresh);
    expect(fresh.find((t) => t.name === 'blk.empty')!.data).toEqual(new Array(32).fill(0));
    // The buffer grows to the largest tensor so far; the smaller tensors after it are views of its memory.
    const memory = new Map([...initialTensors(model, new TorchGenerator(model.seed), 'float32', { reuseBuffer: true })].map(([, p]) => [p.name, p.data.buffer]));
    expect(new Set(memory.values()).size).toBe(2); // scaled (300), then big.weight (4096)
    for (const name of ['big.bias', 'small.weight', 'small.bias', 'blk.empty']) expect(memory.get(name)).toBe(memory.get('big.weight'));
  });
});
