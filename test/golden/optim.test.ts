/**
 * The optimizers against torch 1.13.1 (CPU, foreach=False): fixtures written
 * by scripts/golden/gen_optim.py. float32 must be bit-exact, float64 within
 * 1e-12 relative (and is bit-exact too). Each case runs 12 steps on five parameters (a [100, 10]
 * matrix, a [100] vector and sizes 37, 5, 1 that exercise the scalar tail of
 * torch's SIMD kernels) with the fixture's seeded gradients.
 */
import { describe, expect, it } from 'vitest';
import type { FloatArray } from '../../engine/tensor/dtype';
import {
  adam,
  adamw,
  cosineDecay,
  exponentialDecay,
  noDecayBiasAndNorm,
  paramGroups,
  sgd,
  step,
  stepDecay,
  Tracer,
  warmupCosine,
  type GradientTransformation,
  type Schedule,
} from '../../engine/optim';
import { readFixtureJson } from './helpers/fixtures';

interface Encoded {
  dtype: 'float32' | 'float64';
  shape: number[];
  b64: string;
}

interface Kwargs {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
}

interface Case {
  id: string;
  optimizer: 'Adam' | 'AdamW' | 'SGD';
  dtype: 'float32' | 'float64';
  kwargs: Kwargs;
  groups?: (Kwargs & { params: string[] })[];
  scheduler?: string;
  /** lrs[t][g]: the lr torch used for group g at step t. */
  lrs: number[][];
  final: Record<string, Encoded>;
}

interface Inputs {
  torch_version: string;
  steps: number;
  params: Record<string, Encoded>;
  grads: Record<string, Encoded>[];
}

interface CaseFile {
  torch_version: string;
  steps: number;
  cases: Case[];
}

function decode(e: Encoded): FloatArray {
  const bytes = Buffer.from(e.b64, 'base64');
  const copy = new Uint8Array(bytes); // aligned
  return e.dtype === 'float32' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
}

function widen(x: FloatArray, dtype: Case['dtype']): FloatArray {
  return dtype === 'float32' ? Float32Array.from(x) : Float64Array.from(x);
}

const inputs = readFixtureJson<Inputs>('optim/inputs.json');
const adamFile = readFixtureJson<CaseFile>('optim/adam.json');
const sgdFile = readFixtureJson<CaseFile>('optim/sgd.json');

/** Our optimizer for a fixture case; the lr comes from the recorded lrs so schedulers are exact. */
function optimizerFor(c: Case): GradientTransformation<any> {
  const make = (k: Kwargs, group: number): GradientTransformation<any> => {
    const lr: number | Schedule = c.scheduler ? (t) => c.lrs[t]![group]! : k.lr ?? 1e-3;
    if (c.optimizer === 'SGD') {
      return sgd({ lr, momentum: k.momentum, dampening: k.dampening, weightDecay: k.weight_decay, nesterov: k.nesterov, maximize: k.maximize });
    }
    const options = { lr, betas: k.betas, eps: k.eps, weightDecay: k.weight_decay, amsgrad: k.amsgrad, maximize: k.maximize };
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    return c.optimizer === 'AdamW' ? adamw(defined) : adam(defined);
  };
  if (!c.groups) return make(c.kwargs, 0);
  const groups = c.groups.map((g, i) => ({ params: g.params, kwargs: { ...c.kwargs, ...g }, index: i }));
  return paramGroups((g: { kwargs: Kwargs; index: number }) => make(g.kwargs, g.index), groups, { kwargs: c.kwargs, index: 0 });
}

function run(c: Case, tracer?: Tracer, make?: (k: Kwargs) => GradientTransformation<any>): Record<string, FloatArray> {
  const params: Record<string, FloatArray> = {};
  for (const [name, e] of Object.entries(inputs.params)) params[name] = widen(decode(e), c.dtype);
  const tx = make ? make(c.kwargs) : optimizerFor(c);
  let state = tx.init(params);
  for (const g of inputs.grads) {
    const grads = Object.fromEntries(Object.entries(g).map(([name, e]) => [name, widen(decode(e), c.dtype)]));
    ({ state } = step(tx, params, grads, state, tracer));
  }
  return params;
}

/** Number of elements whose float32 bits differ. */
function bitMismatches(a: FloatArray, b: FloatArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

function maxRelativeError(got: FloatArray, want: FloatArray): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const scale = Math.max(Math.abs(want[i]!), 1e-300);
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
  }
  return worst;
}

function expectMatches(c: Case, params: Record<string, FloatArray>): void {
  for (const [name, e] of Object.entries(c.final)) {
    const want = decode(e);
    const got = params[name]!;
    expect(got.length).toBe(want.length);
    if (c.dtype === 'float64') expect(maxRelativeError(got, want), `${c.id} ${name}`).toBeLessThanOrEqual(1e-12);
    // float64 too is bit-exact, as fused multiply-adds are emulated in both dtypes.
    expect(bitMismatches(got, want), `${c.id} ${name}: elements not bit-exact`).toBe(0);
  }
}

describe('golden: torch.optim against torch 1.13', () => {
  it('fixtures come from torch 1.13 and have ≥ 10 steps', () => {
    for (const f of [inputs, adamFile, sgdFile]) expect(f.torch_version).toMatch(/^1\.13/);
    expect(inputs.grads.length).toBe(inputs.steps);
    expect(inputs.steps).toBeGreaterThanOrEqual(10);
    expect(adamFile.cases.length).toBeGreaterThanOrEqual(15);
    expect(sgdFile.cases.length).toBeGreaterThanOrEqual(7);
  });

  describe('AdamW and Adam', () => {
    for (const c of adamFile.cases) it(c.id, () => expectMatches(c, run(c)));
  });

  describe('SGD', () => {
    for (const c of sgdFile.cases) it(c.id, () => expectMatches(c, run(c)));
  });

  it('the parameters really moved (a no-op optimizer would fail)', () => {
    const c = adamFile.cases.find((x) => x.id === 'adamw-defaults')!;
    const before = decode(inputs.params['fc1.weight']!);
    expect(bitMismatches(before, decode(c.final['fc1.weight']!))).toBeGreaterThan(900);
  });

  it('noDecayBiasAndNorm mask = torch param groups with weight_decay 0 for biases and norms', () => {
    const c = adamFile.cases.find((x) => x.id === 'adamw-no-decay-group')!;
    expect(c.groups![1]!.params.every((n) => !noDecayBiasAndNorm()(n))).toBe(true);
    const masked: Case = { ...c, groups: undefined };
    const withMask = (k: Kwargs) => adamw({ lr: k.lr, weightDecay: k.weight_decay, mask: noDecayBiasAndNorm() });
    const params = run(masked, undefined, withMask);
    expectMatches(c, params);
  });

  it('tracing does not change a single bit', () => {
    for (const id of ['adamw-amsgrad', 'sgd-nesterov']) {
      const c = [...adamFile.cases, ...sgdFile.cases].find((x) => x.id === id)!;
      const tracer = new Tracer({ histogram: { bins: 16 } });
      expectMatches(c, run(c, tracer));
    }
  });
});

describe('golden: schedules against torch.optim.lr_scheduler', () => {
  const lrsOf = (id: string) => [...adamFile.cases, ...sgdFile.cases].find((c) => c.id === id)!.lrs.map((g) => g[0]!);
  const close = (schedule: Schedule, lrs: number[]) => {
    lrs.forEach((lr, t) => expect(Math.abs(schedule(t) - lr), `step ${t}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(lr), 1e-300)));
  };

  it('CosineAnnealingLR(T_max=10, eta_min=1e-4) = cosineDecay', () => close(cosineDecay(1e-2, 10, 1e-4), lrsOf('adamw-cosine').slice(0, 11)));
  it('StepLR(step_size=3, gamma=0.5) = stepDecay', () => close(stepDecay(1e-2, 3, 0.5), lrsOf('adamw-step')));
  it('ExponentialLR(gamma=0.8) = exponentialDecay', () => close(exponentialDecay(1e-2, 0.8), lrsOf('adamw-exponential')));
  it('LambdaLR(linear warmup 4, cosine 8) = warmupCosine', () => close(warmupCosine(1e-2, 4, 12), lrsOf('adamw-warmup-cosine')));
});

describe('golden: argument validation messages', () => {
  interface ErrorCase {
    optimizer: 'Adam' | 'AdamW' | 'SGD';
    kwargs: Kwargs & { lr?: number };
    type: string;
    message: string;
  }
  const errors = readFixtureJson<{ cases: ErrorCase[] }>('optim/errors.json').cases;

  it('has cases for every optimizer', () => {
    expect(new Set(errors.map((e) => e.optimizer))).toEqual(new Set(['Adam', 'AdamW', 'SGD']));
  });

  for (const e of errors) {
    it(`${e.optimizer}(${JSON.stringify(e.kwargs)}) → ${e.message}`, () => {
      const k = e.kwargs;
      const make = () => {
        if (e.optimizer === 'SGD') return sgd({ lr: k.lr!, momentum: k.momentum, dampening: k.dampening, weightDecay: k.weight_decay, nesterov: k.nesterov });
        const o = Object.fromEntries(Object.entries({ lr: k.lr, betas: k.betas, eps: k.eps, weightDecay: k.weight_decay }).filter(([, v]) => v !== undefined));
        return e.optimizer === 'Adam' ? adam(o) : adamw(o);
      };
      expect(e.type).toBe('ValueError');
      expect(make).toThrow(e.message);
      expect(make).toThrow(new RegExp(`^${e.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    });
  }
});
