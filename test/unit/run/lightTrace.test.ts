/**
 * The light per-step trace (StatsTracer: sums instead of values) and the
 * snapshot trace (SnapshotTracer) against the full Tracer: the same steps,
 * bit for bit, and the same run records, for every optimizer a run can use,
 * over several steps, in float32 and float64; and the careful path when a
 * sum cannot be trusted.
 */
import { describe, expect, it } from 'vitest';
import { adam, adamw, decayExcept, sgd, step, Tracer, type CollectingSink, type GradientTransformation, type Params } from '../../../engine/optim';
import { decaySemantics, findNonFinite, recordStep, SnapshotTracer, snapshotOf, StatsTracer, type DecaySemantics } from '../../../engine/run';
import { momentsFromSums, normFromSums } from '../../../engine/run/statsTracer';
import { TorchGenerator } from '../../../engine/random';
import type { FloatArray } from '../../../engine/tensor/dtype';
import type { LayerStep } from '../../../engine/run/types';

type Dtype = 'float32' | 'float64';

const SIZES: Record<string, number> = { 'fc1.weight': 60, 'fc1.bias': 6, 'fc2.weight': 7, 'fc2.bias': 1 };

function tensors(rng: TorchGenerator, dtype: Dtype, scale: number): Record<string, FloatArray> {
  const out: Record<string, FloatArray> = {};
  for (const [name, n] of Object.entries(SIZES)) {
    const x = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = (rng.uniform() - 0.5) * scale;
    out[name] = x;
  }
  return out;
}

const spec = (type: 'AdamW' | 'Adam' | 'SGD', lr: number, args: Record<string, number | boolean>, noDecay: string[] = []) => ({ type, lr, args, noDecay }) as unknown as Parameters<typeof decaySemantics>[0];

const OPTIMIZERS: { name: string; make: () => GradientTransformation<unknown[]>; decay: DecaySemantics }[] = [
  { name: 'AdamW', make: () => adamw({ lr: 1e-2, weightDecay: 0.1 }), decay: decaySemantics(spec('AdamW', 1e-2, { weight_decay: 0.1 })) },
  { name: 'AdamW amsgrad', make: () => adamw({ lr: 1e-2, weightDecay: 0.1, amsgrad: true }), decay: decaySemantics(spec('AdamW', 1e-2, { weight_decay: 0.1, amsgrad: true })) },
  { name: 'AdamW, no decay for biases', make: () => adamw({ lr: 1e-2, weightDecay: 0.1, mask: decayExcept(['*.bias']) }), decay: decaySemantics(spec('AdamW', 1e-2, { weight_decay: 0.1 }, ['*.bias'])) },
  { name: 'AdamW paper form', make: () => adamw({ lr: 1e-2, weightDecay: 0.1, decay: 'paper', multiplier: (t) => 1 / (1 + t) }), decay: decaySemantics(spec('AdamW', 1e-2, { weight_decay: 0.1 })) },
  { name: 'Adam + L2', make: () => adam({ lr: 1e-2, weightDecay: 0.1 }), decay: decaySemantics(spec('Adam', 1e-2, { weight_decay: 0.1 })) },
  { name: 'SGD with momentum', make: () => sgd({ lr: 1e-2, momentum: 0.9, weightDecay: 0.1 }), decay: decaySemantics(spec('SGD', 1e-2, { weight_decay: 0.1, momentum: 0.9 })) },
];

/** `steps` steps from the same start with the same gradients, traced by `sink` (or not). */
function run(make: () => GradientTransformation<unknown[]>, dtype: Dtype, steps: number, sink?: () => CollectingSink) {
  const rng = new TorchGenerator(7);
  const params: Params = tensors(rng, dtype, 2);
  const grads = Array.from({ length: steps }, () => tensors(rng, dtype, 0.2));
  const tx = make();
  let state = tx.init(params);
  const traces = [];
  for (let t = 0; t < steps; t++) {
    const r = step(tx, params, grads[t]!, state, sink?.());
    state = r.state;
    traces.push(r.trace);
  }
  return { params, state, traces };
}

function bits(x: unknown): string {
  return JSON.stringify(x, (_, v) => (v instanceof Float32Array || v instanceof Float64Array ? Array.from(v, (e) => Object.is(e, -0) ? '-0' : e) : v));
}

describe('light tracing changes nothing in the step', () => {
  for (const { name, make } of OPTIMIZERS) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${name}, ${dtype}: parameters and optimizer state are bit-identical traced and untraced`, () => {
        const untraced = run(make, dtype, 6);
        const stats = new StatsTracer();
        const light = run(make, dtype, 6, () => stats);
        const snapshot = run(make, dtype, 6, () => new SnapshotTracer(8));
        const full = run(make, dtype, 6, () => new Tracer({ histogram: { bins: 8 } }));
        expect(bits(light.params)).toBe(bits(untraced.params));
        expect(bits(light.state)).toBe(bits(untraced.state));
        expect(bits(snapshot.params)).toBe(bits(untraced.params));
        expect(bits(full.params)).toBe(bits(untraced.params));
      });
    }
  }
});

describe('the light trace gives the record the full Tracer gives', () => {
  const close = (a: number | null, b: number | null, what: string): void => {
    if (a === null || b === null || !Number.isFinite(b)) return void expect(a, what).toEqual(b);
    expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(b), 1e-300));
  };
  for (const { name, make, decay } of OPTIMIZERS) {
    it(`${name}: every number of every layer at every step`, () => {
      const light = run(make, 'float64', 5, () => new StatsTracer());
      const full = run(make, 'float64', 5, () => new Tracer());
      light.traces.forEach((trace, i) => {
        const context = { step: i + 1, epoch: 0, loss: 1, valLoss: null, gradNorm: 1, decay };
        const a = recordStep(trace!, context);
        const b = recordStep(full.traces[i]!, context);
        for (const [layer, l] of Object.entries(b.layers)) {
          const m = a.layers[layer]!;
          for (const key of Object.keys(l) as (keyof LayerStep)[]) {
            const x = m[key];
            const y = l[key];
            if (y !== null && typeof y === 'object') for (const k of Object.keys(y) as (keyof typeof y)[]) close((x as typeof y)[k], y[k], `${layer}.${key}.${k} at step ${i + 1}`);
            else close(x as number | null, y as number | null, `${layer}.${key} at step ${i + 1}`);
          }
        }
      });
    });
  }

  it('a snapshot step has the histograms of θ, m̂, √v̂ and Δθ, and the same record', () => {
    const { decay, make } = OPTIMIZERS[0]!;
    const snap = run(make, 'float32', 3, () => new SnapshotTracer(16));
    const light = run(make, 'float32', 3, () => new StatsTracer());
    const s = snapshotOf(3, snap.traces[2]!);
    for (const layer of Object.keys(SIZES)) {
      for (const term of ['weight', 'mHat', 'sqrtVHat', 'update'] as const) {
        const h = s.layers[layer]![term]!;
        expect(h.counts).toHaveLength(16);
        expect(h.counts.reduce((x, y) => x + y, 0)).toBe(SIZES[layer]);
      }
    }
    const context = { step: 3, epoch: 0, loss: 1, valLoss: null, gradNorm: 1, decay };
    const a = recordStep(snap.traces[2]!, context).layers['fc1.weight']!;
    const b = recordStep(light.traces[2]!, context).layers['fc1.weight']!;
    expect(a.updateNorm).toBeCloseTo(b.updateNorm, 12);
    expect(a.sqrtVHat!.mean).toBeCloseTo(b.sqrtVHat!.mean, 12);
    expect(a.stepSize!.max).toBeCloseTo(b.stepSize!.max, 3);
  });
});

describe('untrustworthy sums fall back to the values', () => {
  it('a NaN in θ is counted and named, as with the full Tracer', () => {
    const params = { 'fc.weight': Float32Array.of(1, NaN, 2), 'fc.bias': Float32Array.of(0.5) };
    const grads = { 'fc.weight': Float32Array.of(0.1, 0.2, 0.3), 'fc.bias': Float32Array.of(0.1) };
    const tx = adamw({ lr: 1e-3 });
    const { trace } = step(tx, params, grads, tx.init(params), new StatsTracer());
    expect(trace!['fc.weight']!.terms['param']!.nan).toBe(1);
    expect(findNonFinite(1, trace!, { eps: 1e-8 })?.message).toMatch(/θ is NaN in `fc.weight` at step 1/);
  });

  it('an update of exactly zero (lr 0) has norm 0, told apart from values too small to square', () => {
    const params = { w: Float64Array.of(1, 2) };
    const tx = adamw({ lr: 0, weightDecay: 0.1 });
    const { trace } = step(tx, params, { w: Float64Array.of(0.1, 0.2) }, tx.init(params), new StatsTracer());
    expect(trace!['w']!.terms['update']!.l2Norm).toBe(0);
    const tiny = { w: Float64Array.of(1e-170, 1e-170) };
    const sgdTx = sgd({ lr: 1 });
    const r = step(sgdTx, tiny, { w: Float64Array.of(-1e-170, -1e-170) }, sgdTx.init(tiny), new StatsTracer());
    expect(r.trace!['w']!.terms['update']!.l2Norm).toBeCloseTo(Math.SQRT2 * 1e-170, 180);
  });

  it('sums: the norm needs Σx² above underflow, or min = max = 0; the moments need finite sums', () => {
    expect(normFromSums({ count: 2, sum: NaN, sumSq: 25, min: NaN, max: NaN })!.l2Norm).toBe(5);
    expect(normFromSums({ count: 2, sum: NaN, sumSq: 0, min: NaN, max: NaN })).toBeNull();
    expect(normFromSums({ count: 2, sum: 0, sumSq: 0, min: 0, max: 0 })!.l2Norm).toBe(0);
    expect(normFromSums({ count: 2, sum: NaN, sumSq: Infinity, min: NaN, max: NaN })).toBeNull();
    const m = momentsFromSums({ count: 4, sum: 10, sumSq: 30, min: 1, max: 4 })!; // 1, 2, 3, 4
    expect(m.mean).toBe(2.5);
    expect(m.variance).toBeCloseTo(5 / 3, 14);
    expect(m.l2Norm).toBeCloseTo(Math.sqrt(30), 14);
    expect(momentsFromSums({ count: 2, sum: NaN, sumSq: NaN, min: 1, max: 2 })).toBeNull();
  });
});
