/**
 * Engine vs. PyTorch, through the run format: the article's SimpleModel
 * (simple_mse.nn.json: 10-100-10-1, MSE, AdamW lr 1e-3, wd 1e-2) trained for
 * 60 full-batch float32 steps by torch with the Python probe attached
 * (test/fixtures/probe/simple_mse, written by scripts/probe/gen_consistency.py
 * from the same simple.init.safetensors and x.npy/y_mse.npy) and by the
 * engine's TrainingRun. The probe's run is read with the engine's own reader
 * (parseRun), so this also proves the Python writer speaks the format.
 *
 * Tolerances. The two trainings cannot be bit-identical in float32 (torch's
 * and the engine's GEMMs sum in different orders), and each stored number
 * has 7 significant digits. Per statistic and layer, over all steps:
 *
 *   max_t |probe_t − engine_t| / max_t |engine_t|  ≤ 1e-5      (normwise, ~100 float32 ulps)
 *
 * with two stated exceptions:
 *  - stepSize (lr/(√v̂ + ε)): 5e-4. Its max and std are set by the elements
 *    with the smallest √v̂, i.e. the smallest gradients, which are sums with
 *    heavy cancellation whose leading digits depend on the summation order;
 *    1/√v̂ magnifies that.
 *  - the ratios updateToWeight = ‖Δθ‖/‖θ‖ and decayShare: per step, 1e-5
 *    plus the relative differences of their operands (fc3.bias crosses zero,
 *    where ‖θ‖ is a few ulps of its earlier size and the ratio ill-conditioned).
 * Snapshot histograms: the same steps; lo/hi within 1e-5 of the range's
 * magnitude (the update's: 4e-5, below); at most two elements in a different
 * bin (Σ|Δcounts| ≤ 4).
 *
 * The update histogram's range is set by its extreme entries,
 * lr·m̂/(√v̂ + ε) + lr·λ·θ, where m̂/√v̂ is a ratio of gradient moments and
 * so as sensitive as the gradient itself to the order of its 32-term sums.
 * Measured against the float64 run of the same training (the engine's
 * float64 run agrees with torch's to 1e-10, test/golden/mlp.test.ts),
 * float32 rounding moves that range by up to 2.1e-5 of its magnitude in
 * torch's own run and by as much in the engine's (both sum in float32, in
 * different orders); the two errors are independent, so two correct float32
 * runs may differ by twice that: 4e-5. (Measured engine − torch: ≤ 1.5e-5.)
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseModelFile, requireChain } from '../../engine/model';
import { loadModelResources } from '../../engine/model/resources';
import { parseRun, type RunData } from '../../engine/run/format';
import { TrainingRun } from '../../engine/run/session';
import type { LayerStep, RunStep } from '../../engine/run/types';
import { parameterShapes } from '../../engine/model/moduleTree';

const STEPS = 60;
const NORMWISE = 1e-5;
const STEP_SIZE_NORMWISE = 5e-4;
const HIST_RANGE = 1e-5;
const UPDATE_HIST_RANGE = 4e-5;
const HIST_COUNTS = 4;

async function probeRun(): Promise<RunData> {
  const dir = path.resolve('test/fixtures/probe/simple_mse');
  return parseRun(await readFile(path.join(dir, 'run.json'), 'utf8'), await readFile(path.join(dir, 'steps.jsonl'), 'utf8'));
}

async function engineRun(): Promise<TrainingRun> {
  const file = path.resolve('test/fixtures/mlp/simple_mse.nn.json');
  const { spec, tree } = parseModelFile(file, await readFile(file, 'utf8'));
  const resources = await loadModelResources(spec!, tree, (rel) => readFile(path.join(path.dirname(file), rel)), 'float32');
  const run = new TrainingRun(requireChain(spec!, 'training'), { steps: STEPS, dataset: resources.dataset, checkpoint: resources.checkpoint! });
  while (!run.done) run.advance();
  return run;
}

/** Per statistic key: the largest difference and the largest engine magnitude over the run. */
class Normwise {
  readonly seen = new Map<string, { diff: number; scale: number }>();
  add(key: string, probe: number | null, engine: number | null): void {
    if (probe === null || engine === null) {
      expect(probe, `${key}: one side is null`).toBe(engine);
      return;
    }
    if (Number.isNaN(engine)) {
      expect(probe, `${key}: NaN in the engine`).toBeNaN(); // e.g. the std of a one-element tensor
      return;
    }
    const s = this.seen.get(key) ?? { diff: 0, scale: 0 };
    s.diff = Math.max(s.diff, Math.abs(probe - engine));
    s.scale = Math.max(s.scale, Math.abs(engine));
    this.seen.set(key, s);
  }
  ratios(): Map<string, number> {
    return new Map([...this.seen].map(([k, { diff, scale }]) => [k, scale > 0 ? diff / scale : diff]));
  }
}

const relative = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));
const MOMENTS = ['mean', 'std', 'min', 'max'] as const;
const SCALARS = ['gradNorm', 'weightNorm', 'mNorm', 'mHatNorm', 'stepNorm', 'decayNorm', 'updateNorm', 'effectiveDecay'] as const;

describe('probe (torch) vs engine: the article SimpleModel, 60 AdamW steps', () => {
  it('records the same run metadata and step numbers', async () => {
    const probe = await probeRun();
    const engine = await engineRun();
    expect(probe.warnings).toEqual([]);
    expect(probe.meta.producer).toMatch(/^weightscope-torch /);
    expect(probe.meta.status).toBe('completed');
    expect(probe.meta.stepsDone).toBe(STEPS);
    expect(probe.meta.model.parameters).toEqual(parameterShapes(engine.spec));
    expect(probe.meta.optimizer).toMatchObject({ type: 'AdamW', lr: 1e-3, args: { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2 } });
    expect(probe.steps.map((s) => s.step)).toEqual(engine.recorder.steps.map((s) => s.step));
    expect(probe.snapshots.map((s) => s.step)).toEqual(engine.recorder.snapshots.map((s) => s.step));
  });

  it('agrees on every step and layer statistic within float32 tolerance', async () => {
    const probe = await probeRun();
    const engine = await engineRun();
    const nw = new Normwise();
    let compared = 0;
    for (const p of probe.steps) {
      const e = engine.recorder.stepAt(p.step)!;
      expect(p.epoch).toBe(e.epoch);
      expect(p.valLoss).toBe(e.valLoss);
      for (const k of ['loss', 'gradNorm', 'lr', 'biasCorrection1', 'biasCorrection2'] as const) nw.add(k, p[k], e[k]);
      expect(Object.keys(p.layers).sort()).toEqual(Object.keys(e.layers).sort());
      for (const [name, pl] of Object.entries(p.layers)) {
        const el = e.layers[name]!;
        for (const k of SCALARS) nw.add(`${k}@${name}`, pl[k], el[k]);
        for (const k of ['sqrtVHat', 'stepSize'] as const) for (const m of MOMENTS) nw.add(`${k}.${m}@${name}`, pl[k]![m], el[k]![m]);
        compared += checkRatios(p, name, pl, el);
      }
    }
    expect(compared).toBe(STEPS * 6 * 2);
    const ratios = nw.ratios();
    // 5 step scalars, and per layer the scalars and 2 × 4 moments, less the std of fc3.bias's one element (NaN on both sides).
    expect(ratios.size).toBe(5 + 6 * (SCALARS.length + 8) - 2);
    for (const [key, r] of ratios) {
      expect(r, `${key} normwise difference`).toBeLessThanOrEqual(key.startsWith('stepSize.') ? STEP_SIZE_NORMWISE : NORMWISE);
    }
  });

  it('draws the same snapshot histograms', async () => {
    const probe = await probeRun();
    const engine = await engineRun();
    let histograms = 0;
    for (const s of probe.snapshots) {
      const es = engine.recorder.snapshots.find((x) => x.step === s.step)!;
      for (const [name, terms] of Object.entries(s.layers)) {
        expect(Object.keys(terms).sort(), `${name} at ${s.step}`).toEqual(Object.keys(es.layers[name]!).sort());
        for (const [term, h] of Object.entries(terms)) {
          const eh = es.layers[name]![term as keyof typeof terms]!;
          const label = `${name} ${term} at step ${s.step}`;
          const magnitude = Math.max(Math.abs(eh.lo), Math.abs(eh.hi));
          const range = (term === 'update' ? UPDATE_HIST_RANGE : HIST_RANGE) * magnitude;
          expect(Math.abs(h.lo - eh.lo), `${label} lo`).toBeLessThanOrEqual(range);
          expect(Math.abs(h.hi - eh.hi), `${label} hi`).toBeLessThanOrEqual(range);
          expect(h.counts.length).toBe(eh.counts.length);
          expect(h.counts.reduce((a, b) => a + b, 0), `${label} total`).toBe(eh.counts.reduce((a, b) => a + b, 0));
          const moved = h.counts.reduce((sum, c, i) => sum + Math.abs(c - eh.counts[i]!), 0);
          expect(moved, `${label} counts`).toBeLessThanOrEqual(HIST_COUNTS);
          histograms++;
        }
      }
    }
    expect(histograms).toBe(engine.recorder.snapshots.length * 6 * 4);
  });
});

/** updateToWeight and decayShare per step, with the tolerance propagated from their operands. */
function checkRatios(p: RunStep, name: string, pl: LayerStep, el: LayerStep): number {
  const operands = relative(pl.updateNorm, el.updateNorm) + relative(pl.weightNorm, el.weightNorm);
  expect(relative(pl.updateToWeight, el.updateToWeight), `updateToWeight@${name} step ${p.step}`).toBeLessThanOrEqual(NORMWISE + operands);
  const shareOperands = relative(pl.decayNorm, el.decayNorm) + relative(pl.stepNorm, el.stepNorm);
  expect(relative(pl.decayShare, el.decayShare), `decayShare@${name} step ${p.step}`).toBeLessThanOrEqual(NORMWISE + shareOperands);
  return 2;
}
