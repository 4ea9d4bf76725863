import { describe, expect, it } from 'vitest';
import { ARTICLE_VARIANTS, compareInitializations, compareVariants, variantSpec } from '../../../engine/inspect/compare';
import { measureSignal } from '../../../engine/inspect/signal';
import { parseModelText } from '../../../engine/model';
import { requireChain, type ChainModelSpec } from '../../../engine/model/spec';
import { parameterShapes } from '../../../engine/model/moduleTree';

const spec = (text: string): ChainModelSpec => {
  const { spec, diagnostics } = parseModelText(text, 'json', 'm');
  if (!spec) throw new Error(JSON.stringify(diagnostics));
  return requireChain(spec, 'test');
};

// The article's SimpleModel, with fc2 given its own initializer (which "torch default" must override).
const simple = spec(`{"name": "SimpleModel", "input": 10, "layers": [
  {"name": "fc1", "type": "Linear", "out_features": 100}, {"type": "ReLU"},
  {"name": "fc2", "type": "Linear", "out_features": 10, "init": {"weight": {"fn": "normal_", "std": 0.5}}},
  {"name": "fc3", "type": "Linear", "out_features": 1}], "loss": "MSELoss"}`);

/** A deep ReLU MLP of width 64: where the article's normal(0, 0.01) visibly vanishes. */
const deep = spec(`{"name": "deep", "input": 64, "layers": [${Array.from({ length: 6 }, (_, i) => `{"name": "fc${i + 1}", "type": "Linear", "out_features": 64}, {"type": "ReLU"}`).join(', ')}, {"name": "out", "type": "Linear", "out_features": 1}]}`);

describe('compare variants', () => {
  it('defaults to the model as written, then the article set with LeCun under its real name', () => {
    const labels = compareVariants(simple).map((v) => v.label);
    expect(labels[0]).toBe('as in the model file');
    expect(labels.slice(1)).toEqual(ARTICLE_VARIANTS.map((v) => v.label));
    expect(labels).toContain('LeCun normal (article\'s "Xavier")');
  });

  it('a model that names no initializer is torch default already: listed once', () => {
    const plain = spec('{"input": 4, "layers": [{"type": "Linear", "out_features": 3}, {"type": "ReLU"}, {"type": "Linear", "out_features": 1}]}');
    expect(compareVariants(plain).map((v) => v.label)).toEqual(ARTICLE_VARIANTS.map((v) => v.label));
  });

  it('a model file compare section replaces the defaults', () => {
    const s = spec('{"input": 4, "layers": [{"type": "Linear", "out_features": 2}], "compare": {"zeros": {"*.weight": "zeros_"}, "default": {}}}');
    expect(compareVariants(s).map((v) => v.label)).toEqual(['zeros', 'default']);
  });

  it('a variant overrides layer-level init too; the as-written variant keeps it', () => {
    const torchDefault = variantSpec(simple, ARTICLE_VARIANTS[0]!);
    const fc2 = torchDefault.layers[2]!;
    expect(fc2.type === 'Linear' && fc2.init).toBeFalsy();
    expect(variantSpec(simple, { label: 'x', initPatterns: [], asWritten: true })).toBe(simple);
  });
});

describe('compareInitializations', () => {
  const report = compareInitializations(deep, { bins: 30, seeds: [0, 1], examples: 64 });
  const byLabel = (label: string) => report.variants.find((v) => v.label === label)!;

  it('reports every variant and layer, with seed spreads that bracket their geometric mean', () => {
    expect(report.variants.length).toBe(compareVariants(deep).length);
    expect(report.seeds).toEqual([0, 1]);
    for (const v of report.variants) {
      expect(v.layers.length).toBe(deep.layers.length);
      for (const l of v.layers) {
        expect(l.std.min).toBeLessThanOrEqual(l.std.mean * (1 + 1e-12));
        expect(l.std.mean).toBeLessThanOrEqual(l.std.max * (1 + 1e-12));
      }
    }
  });

  it('the geometric mean is that of the single-seed measurements', () => {
    const kaiming = byLabel('kaiming_normal_(relu)');
    const variant = variantSpec(deep, ARTICLE_VARIANTS.find((v) => v.label === 'kaiming_normal_(relu)')!);
    const a = measureSignal(variant, { seed: 0, examples: 64 }).layers.at(-1)!.std;
    const b = measureSignal(variant, { seed: 1, examples: 64 }).layers.at(-1)!.std;
    expect(kaiming.layers.at(-1)!.std.mean).toBeCloseTo(Math.sqrt(a * b), 12);
    expect(kaiming.layers.at(-1)!.std.min).toBe(Math.min(a, b));
  });

  it('the article normal(0, 0.01) vanishes through depth; Kaiming stays stable', () => {
    // Per ReLU layer of width 64 the std scales by 0.01·√(64/2) ≈ 0.057: 7 Linear layers take it below 1e-3× the input.
    expect(byLabel('normal(0, 0.01) (article)').verdict.kind).toBe('vanishing');
    expect(byLabel('kaiming_normal_(relu)').verdict.kind).toBe('stable');
    expect(byLabel('normal(0, 1) (article\'s "variance 1")').verdict.kind).toBe('exploding');
  });

  it('histograms share edges per parameter and hold every drawn value of every seed', () => {
    const sizes = new Map(parameterShapes(deep).map((p) => [p.name, p.shape.reduce((a, b) => a * b, 1)]));
    for (const v of report.variants) {
      for (const p of v.parameters) {
        const edges = report.edges[p.name]!;
        expect(edges.length).toBe(31);
        const n = sizes.get(p.name)!;
        expect(p.counts.reduce((a, b) => a + b, 0)).toBe(2 * n);
      }
    }
    // the widest variant spans the shared range: normal(0, 1)'s |max| is the half-width
    const unit = byLabel('normal(0, 1) (article\'s "variance 1")').parameters.find((p) => p.name === 'fc2.weight')!;
    expect(unit.counts[0]! + unit.counts.at(-1)!).toBeGreaterThan(0);
  });

  it('pooled sample std matches the theory for the article uniform(−0.01, 0.01): 0.01/√3', () => {
    const p = byLabel('uniform(−0.01, 0.01) (article)').parameters.find((q) => q.name === 'fc2.weight')!;
    expect(p.theoryStd).toBeCloseTo(0.01 / Math.sqrt(3), 12);
    expect(Math.abs(p.sampleStd / p.theoryStd! - 1)).toBeLessThan(0.03); // 8,192 values: relative s.e. of the std ≈ 0.7%
  });

  it('refuses an empty comparison', () => {
    expect(() => compareInitializations(deep, { bins: 10, variants: [] })).toThrow(/no variants/);
    expect(() => compareInitializations(deep, { bins: 10, seeds: [] })).toThrow(/no seeds/);
  });
});

describe('signal examples for the model size', () => {
  it('uses 256 examples up to ~1M weights, then fewer, never below 32', async () => {
    const { defaultSignalExamples, DEFAULT_SIGNAL_EXAMPLES, MIN_SIGNAL_EXAMPLES, SIGNAL_BUDGET } = await import('../../../engine/inspect/signal');
    expect(defaultSignalExamples(2121)).toBe(DEFAULT_SIGNAL_EXAMPLES);
    expect(defaultSignalExamples(SIGNAL_BUDGET / 100)).toBe(100);
    expect(defaultSignalExamples(10_020_874)).toBe(MIN_SIGNAL_EXAMPLES);
    expect(measureSignal(simple).examples).toBe(256);
  });
});

describe('signal of checkpoint weights', () => {
  it('measures the loaded values, not a fresh draw', () => {
    // fc1 all zeros: its output is its bias alone, the same for every example, so the std across examples is 0.
    const zeros = new Map([['fc1.weight', { data: new Float32Array(100 * 10) }]]);
    const drawn = measureSignal(simple);
    const loaded = measureSignal(simple, { checkpoint: zeros });
    expect(drawn.layers[0]!.signalStd).toBeGreaterThan(0.1);
    expect(loaded.layers[0]!.signalStd).toBe(0);
  });
});
