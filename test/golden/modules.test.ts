/**
 * Golden conformance of the torch.nn module catalogue (engine/modules) against
 * torch 1.13, from test/fixtures/modules.json (regenerate:
 * /usr/bin/python3 scripts/golden/generate.py).
 *
 * For every constructor case `nn.<type>(*args, **kwargs)`:
 *   - Layout, exactly: constructModule gives torch's state_dict keys in
 *     order, with torch's shapes, dtypes and parameter/buffer kinds, and
 *     torch's parameter count; integer buffers (num_batches_tracked) hold
 *     torch's values; fans the engine's theory reports are torch's
 *     `_calculate_fan_in_and_fan_out` of the tensor.
 *   - Theory vs torch's sample (≥ 200 000 values per tensor, drawn by
 *     re-constructing the module under torch.manual_seed(k)): the mean within
 *     Z_SCORE standard errors, the std within Z_SCORE standard errors of a
 *     sample std (about 1% here), torch's min/max inside the theory's support,
 *     and the theory's CDF at each of torch's quantiles within the one-sample
 *     Kolmogorov–Smirnov band. A tensor torch makes deterministically (ones,
 *     zeros, constants) must be the theory's point mass, exactly in float32.
 *   - The engine's own sample (materialize with a seeded TorchGenerator, ≥ ENGINE_VALUES
 *     values) vs torch's: means within Z_SCORE combined standard errors, and
 *     at each of torch's quantiles our empirical CDF within the two-sample KS
 *     band (atoms, e.g. Embedding's zero padding row, are allowed for: torch's
 *     p must lie between our F(q−) and F(q), each widened by the band).
 * Error cases must throw ModuleArgumentError whose message contains torch's.
 *
 * All samples are seeded, so the outcome is deterministic; the thresholds are
 * such that a correct engine would fail a check with probability < 1e-6.
 */
import { describe, expect, it } from 'vitest';
import { calculateFanInAndFanOut } from '../../engine/init';
import { constructModule } from '../../engine/modules/catalogue';
import { describeSteps, materialize, scheduleDraws } from '../../engine/modules/materialize';
import { ModuleArgumentError } from '../../engine/modules/signature';
import { countParameters, numelOf, tensorEntries, type ArgValue, type ModuleNode, type TensorEntry } from '../../engine/modules/tree';
import { TorchGenerator } from '../../engine/random';
import { cdfLeft } from '../../engine/stats/distribution';
import { readFixtureJson, thrown, type SampledFixtureHeader } from './helpers/fixtures';

// ---------------------------------------------------------------------------
// Fixture types
// ---------------------------------------------------------------------------

type JsonArg = number | string | boolean | null | JsonArg[] | { module: CallSpec };

interface CallSpec {
  type: string;
  args: JsonArg[];
  kwargs: Record<string, JsonArg>;
}

interface SampleStats {
  deterministic: boolean;
  reps: number;
  n: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  quantiles: number[];
}

interface StateEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int64';
  kind: 'parameter' | 'buffer';
  /** torch's _calculate_fan_in_and_fan_out, for floating tensors with ≥ 2 dimensions. */
  fans?: [number, number];
  /** Floating tensors, except deep copies (see same_values_as). */
  stats?: SampleStats;
  /** A deep copy (TransformerEncoder/Decoder layers): torch starts it with this entry's values. */
  same_values_as?: string;
  /** Integer buffers: the value of a 0-D one, the values of others. */
  value?: number;
  values?: number[];
}

interface ModuleCase extends CallSpec {
  id: string;
  param_count: number;
  state_dict: StateEntry[];
}

interface ErrorCase extends CallSpec {
  id: string;
  error: { type: string; message: string; message_set_sorted?: boolean };
}

interface ModulesFixture extends SampledFixtureHeader {
  cases: ModuleCase[];
  errors: ErrorCase[];
}

const fixture = readFixtureJson<ModulesFixture>('modules.json');

/**
 * Known, reported disagreements with torch, keyed by case id for the layout
 * and error tests (`<id> :: fans`, `:: theory`, `:: sample` for the others).
 * Each is asserted to still disagree (it.fails), so the list cannot go
 * stale: when the engine is fixed, the entry must be removed.
 */
/** Cases where the engine knowingly differs from torch (each with why); none today. */
const KNOWN_DIVERGENCES: Record<string, string> = {};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Means and stds: |difference| ≤ Z_SCORE standard errors (two-sided p ≈ 6e-7). */
const Z_SCORE = 5;
/** KS bands: P(D > λ·scale) ≈ 2·exp(−2λ²) = 3e-8 for λ = 3. */
const KS_LAMBDA = 3;
/** Values the engine draws per random tensor (whole tensors, so at least this many). */
const ENGINE_VALUES = 10_000;

function toArg(v: JsonArg): ArgValue {
  if (Array.isArray(v)) return v.map(toArg);
  if (v !== null && typeof v === 'object') return { module: build(v.module) };
  return v;
}

/** `nn.<type>(*args, **kwargs)` through the engine's catalogue. */
function build(spec: CallSpec): ModuleNode {
  const keywords: Record<string, ArgValue> = {};
  for (const [k, v] of Object.entries(spec.kwargs)) keywords[k] = toArg(v);
  return constructModule(spec.type, spec.args.map(toArg), keywords);
}

/** The engine's state_dict entries (non-persistent buffers left out, as torch does). */
function stateEntries(node: ModuleNode): TensorEntry[] {
  return tensorEntries(node).filter((e) => e.decl.kind === 'parameter' || e.decl.persistent);
}

/** A stable 32-bit seed from a string (FNV-1a), so adding a case changes no other case's draws. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}


/** Number of sorted values < x (strict) or ≤ x. */
function countBelow(sorted: Float64Array, x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (inclusive ? sorted[mid]! <= x : sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** torch's statistics for an entry (a deep copy's are its original's). */
function statsFor(c: ModuleCase, entry: StateEntry): SampleStats | undefined {
  if (entry.stats) return entry.stats;
  if (entry.same_values_as) return c.state_dict.find((e) => e.name === entry.same_values_as)?.stats;
  return undefined;
}

function fail(message: string): never {
  expect.fail(message);
  throw new Error(message); // unreachable: expect.fail throws
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe('modules.json fixture', () => {
  it('was produced by torch with versions recorded', () => {
    expect(fixture.format).toBe('weightscope-golden-modules/1');
    expect(fixture.torch_version).toMatch(/^\d+\.\d+/);
    expect(fixture.numpy_version).toMatch(/^\d+\.\d+/);
    expect(fixture.std_ddof).toBe(1);
    expect(fixture.quantile_probs).toHaveLength(9);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(50);
    expect(fixture.errors.length).toBeGreaterThanOrEqual(10);
  });
});

/** `it`, or `it.fails` for a known divergence. */
function runner(key: string) {
  return key in KNOWN_DIVERGENCES ? it.fails : it;
}

describe('constructModule gives torch\'s state_dict and parameter count', () => {
  for (const c of fixture.cases) {
    runner(c.id)(c.id, () => {
      const node = build(c);
      const ours = stateEntries(node);
      const layout = (e: { name: string; shape: number[]; dtype: string; kind: string }) => `${e.name} [${e.shape.join(', ')}] ${e.dtype} ${e.kind}`;
      expect(ours.map((e) => layout({ ...e.decl, name: e.name }))).toEqual(c.state_dict.map(layout));
      expect(countParameters(node)).toBe(c.param_count);
      ours.forEach((e, i) => {
        const t = c.state_dict[i]!;
        if (t.dtype === 'float32') return;
        // Integer buffers: the engine's values (its steps run on a float array) are torch's.
        const expected = t.values ?? [t.value!];
        expect(Array.from(materialize(e.decl, scheduleDraws([e], new TorchGenerator(0))).data), `${t.name} values`).toEqual(expected);
      });
    });
  }
});

describe('fans are torch\'s _calculate_fan_in_and_fan_out', () => {
  for (const c of fixture.cases.filter((k) => k.state_dict.some((e) => e.fans))) {
    runner(`${c.id} :: fans`)(c.id, () => {
      const ours = new Map(stateEntries(build(c)).map((e) => [e.name, e]));
      for (const t of c.state_dict) {
        if (!t.fans) continue;
        const e = ours.get(t.name) ?? fail(`${t.name} missing`);
        const fans = calculateFanInAndFanOut(e.decl.shape);
        expect([fans.fanIn, fans.fanOut], `${t.name} fans of shape [${e.decl.shape}]`).toEqual(t.fans);
        // Where the initializer's scale comes from fans, they are the tensor's (torch's convention, e.g.
        // ConvTranspose's fan_in = out_channels/groups · ∏kernel_size).
        const theory = describeSteps(e.decl).theory;
        if (theory?.fanIn != null) expect(theory.fanIn, `${t.name} theory fan_in`).toBe(t.fans[0]);
        if (theory?.fanOut != null) expect(theory.fanOut, `${t.name} theory fan_out`).toBe(t.fans[1]);
      }
    });
  }
});

describe('theory (describeSteps) matches torch\'s initial values', () => {
  for (const c of fixture.cases.filter((k) => k.state_dict.some((e) => e.dtype === 'float32'))) {
    runner(`${c.id} :: theory`)(c.id, () => {
      const ours = new Map(stateEntries(build(c)).map((e) => [e.name, e]));
      for (const t of c.state_dict) {
        if (t.dtype !== 'float32') continue;
        const s = statsFor(c, t) ?? fail(`${t.name}: no torch statistics in the fixture`);
        const e = ours.get(t.name) ?? fail(`${t.name} missing`);
        const { theory, initializer } = describeSteps(e.decl);
        const what = `${t.name} (${initializer})`;
        if (!theory) fail(`${what}: no theory, torch's values have mean ${s.mean}, std ${s.std}`);
        if (s.deterministic) {
          // torch fills it the same way every time; here always with one value.
          expect(s.min, `${what}: torch's tensor is constant`).toBe(s.max);
          expect(theory.std, `${what}: theory std`).toBe(0);
          expect(Math.fround(theory.mean), `${what}: theory value vs torch's`).toBe(s.mean);
          continue;
        }
        const sigma = theory.std;
        const seMean = sigma / Math.sqrt(s.n);
        if (!(Math.abs(theory.mean - s.mean) <= Z_SCORE * seMean)) {
          fail(`${what}: theory mean ${theory.mean} vs torch ${s.mean} (|diff| ${Math.abs(theory.mean - s.mean)} > ${Z_SCORE * seMean})`);
        }
        // Standard error of a sample std: σ·√((κ − 1)/(4n)).
        const kurtosis = Number.isFinite(theory.kurtosis) ? theory.kurtosis : 3;
        const seStd = sigma * Math.sqrt((kurtosis - 1) / (4 * s.n));
        if (!(Math.abs(sigma - s.std) <= Z_SCORE * seStd)) {
          fail(`${what}: theory std ${sigma} vs torch ${s.std} (ratio ${(sigma / s.std).toFixed(5)}, tolerance ±${((Z_SCORE * seStd) / sigma).toExponential(2)})`);
        }
        const [lo, hi] = theory.support;
        if (!(s.min >= Math.fround(lo) && s.max <= Math.fround(hi))) {
          fail(`${what}: torch's values span [${s.min}, ${s.max}], outside the theory's support [${lo}, ${hi}]`);
        }
        const band = KS_LAMBDA / Math.sqrt(s.n) + 1 / s.n;
        fixture.quantile_probs.forEach((p, i) => {
          const q = s.quantiles[i]!;
          const below = cdfLeft(theory, q);
          const upTo = theory.cdf(q);
          if (!(below - band <= p && p <= upTo + band)) {
            fail(`${what}: theory CDF at torch's q${p} = ${q} is ${upTo}${below !== upTo ? ` (left limit ${below})` : ''}, band ±${band.toExponential(2)}`);
          }
        });
      }
    });
  }
});

describe('materialize draws what torch draws', () => {
  for (const c of fixture.cases.filter((k) => k.state_dict.some((e) => e.dtype === 'float32'))) {
    runner(`${c.id} :: sample`)(c.id, () => {
      const ours = new Map(stateEntries(build(c)).map((e) => [e.name, e]));
      for (const t of c.state_dict) {
        if (t.dtype !== 'float32') continue;
        const s = statsFor(c, t)!;
        const e = ours.get(t.name) ?? fail(`${t.name} missing`);
        const rng = new TorchGenerator(seedOf(`${c.id} :: ${t.name}`));
        if (s.deterministic) {
          const v = materialize(e.decl, scheduleDraws([e], rng));
          for (const x of v.data) if (x !== s.mean) fail(`${t.name} (${v.initializer}): engine value ${x}, torch's ${s.mean}`);
          continue;
        }
        const size = numelOf(e.decl.shape);
        const reps = Math.ceil(ENGINE_VALUES / size);
        const all = new Float64Array(size * reps);
        let label = '';
        for (let r = 0; r < reps; r++) {
          const v = materialize(e.decl, scheduleDraws([e], rng));
          all.set(v.data, r * size);
          label = v.initializer;
        }
        const what = `${t.name} (${label})`;
        const m = all.length;
        let sum = 0;
        for (const x of all) sum += x;
        const mean = sum / m;
        const sigma = s.std;
        const seMean = sigma * Math.sqrt(1 / m + 1 / s.n);
        if (!(Math.abs(mean - s.mean) <= Z_SCORE * seMean)) fail(`${what}: engine mean ${mean} vs torch ${s.mean} (> ${Z_SCORE * seMean})`);
        let ss = 0;
        for (const x of all) ss += (x - mean) ** 2;
        const std = Math.sqrt(ss / (m - 1));
        // Standard error of the difference of two sample stds; the kurtosis is the theory's (3 if it has none).
        const kurtosis = describeSteps(e.decl).theory?.kurtosis ?? 3;
        const seStd = sigma * Math.sqrt(((Number.isFinite(kurtosis) ? kurtosis : 3) - 1) / 4 * (1 / m + 1 / s.n));
        if (!(Math.abs(std - s.std) <= Z_SCORE * seStd)) fail(`${what}: engine std ${std} vs torch ${s.std} (> ${Z_SCORE * seStd})`);
        all.sort();
        const [lo, hi] = describeSteps(e.decl).theory?.support ?? [-Infinity, Infinity];
        if (!(all[0]! >= Math.fround(lo) && all[m - 1]! <= Math.fround(hi))) fail(`${what}: engine values span [${all[0]}, ${all[m - 1]}], outside the support [${lo}, ${hi}]`);
        const band = KS_LAMBDA * Math.sqrt(1 / m + 1 / s.n) + 1 / s.n;
        fixture.quantile_probs.forEach((p, i) => {
          const q = s.quantiles[i]!;
          const below = countBelow(all, q, false) / m;
          const upTo = countBelow(all, q, true) / m;
          if (!(below - band <= p && p <= upTo + band)) {
            fail(`${what}: engine CDF at torch's q${p} = ${q} is ${upTo}${below !== upTo ? ` (left limit ${below})` : ''}, band ±${band.toExponential(2)} (${m} values)`);
          }
        });
      }
    });
  }
});

describe('constructor errors are torch\'s', () => {
  for (const c of fixture.errors) {
    runner(c.id)(`${c.id}: ${c.error.type}: ${c.error.message}`, () => {
      const err = thrown(() => build(c));
      expect(err, `${err.name}: ${err.message}`).toBeInstanceOf(ModuleArgumentError);
      if (c.error.message_set_sorted) {
        // torch formats a Python set here, whose order varies; the fixture sorted it.
        // The engine's text must have the words around it and every item of it.
        const match = /^(.*)\{(.*)\}(.*)$/.exec(c.error.message)!;
        for (const piece of [match[1]!, ...match[2]!.split(', '), match[3]!]) if (piece) expect(err.message).toContain(piece);
      } else {
        expect(err.message).toContain(c.error.message);
      }
    });
  }
});
