/**
 * From the optimizer's trace of one step (engine/optim/trace.ts) to the run's
 * per-step record (types.ts) and, at snapshot steps, its histograms.
 *
 * Trace keys used: grad, param, m | momentum, mHat, sqrtVHat, stepScale,
 * update.adam | update.direction, update.decay, update; scalars lr (or alpha,
 * eta for the paper form of AdamW), biasCorrection1 = 1 − β1^t,
 * biasCorrection2 = 1 − β2^t.
 */
import type { StepTrace, TermTrace } from '../optim/trace';
import { definedStd } from '../stats/summary';
import { effectiveDecay, type DecaySemantics } from './decay';
import type { Histogram, LayerStep, Moments, RunStep, Snapshot, SnapshotTerm } from './types';

export interface StepContext {
  step: number;
  epoch: number;
  loss: number;
  valLoss: number | null;
  gradNorm: number;
  decay: DecaySemantics;
}

export function recordStep(trace: StepTrace, c: StepContext): RunStep {
  const layers: Record<string, LayerStep> = {};
  let lr = NaN;
  let bc1: number | null = null;
  let bc2: number | null = null;
  for (const [name, p] of Object.entries(trace)) {
    const s = p.scalars;
    // torch form: lr; paper form: the step is α·η_t and the decay η_t·λ.
    const stepLr = s['lr'] ?? (s['alpha'] ?? 1) * (s['eta'] ?? NaN);
    const decayLr = s['lr'] ?? s['eta'] ?? NaN;
    lr = stepLr;
    if (s['biasCorrection1'] !== undefined) bc1 = 1 / s['biasCorrection1'];
    if (s['biasCorrection2'] !== undefined) bc2 = 1 / s['biasCorrection2'];
    const t = p.terms;
    const stepSize = t['stepScale'] ? scaled(moments(t['stepScale']), stepLr) : null;
    const stepNorm = (t['update.adam'] ?? t['update.direction'])?.l2Norm ?? 0;
    layers[name] = {
      gradNorm: t['grad']?.l2Norm ?? NaN,
      weightNorm: t['param']?.l2Norm ?? NaN,
      mNorm: (t['m'] ?? t['momentum'])?.l2Norm ?? null,
      // ‖m̂‖ = ‖m‖/(1 − β1^t) exactly, so the light per-step trace does not compute m̂.
      mHatNorm: t['mHat']?.l2Norm ?? (t['m'] && s['biasCorrection1'] ? t['m'].l2Norm / s['biasCorrection1'] : null),
      sqrtVHat: t['sqrtVHat'] ? moments(t['sqrtVHat']) : null,
      stepSize,
      stepNorm,
      decayNorm: t['update.decay']?.l2Norm ?? 0,
      decayShare: p.decayShare,
      updateNorm: t['update']?.l2Norm ?? 0,
      updateToWeight: p.updateToWeight,
      effectiveDecay: effectiveDecay(c.decay, name, decayLr, stepSize?.mean ?? null),
    };
  }
  return { step: c.step, epoch: c.epoch, loss: c.loss, valLoss: c.valLoss, gradNorm: c.gradNorm, lr, biasCorrection1: bc1, biasCorrection2: bc2, layers };
}

const SNAPSHOT_KEYS: Record<SnapshotTerm, readonly string[]> = {
  weight: ['param'],
  mHat: ['mHat', 'momentum'],
  sqrtVHat: ['sqrtVHat'],
  update: ['update'],
};

/** The histograms of a step traced with a histogram-making Tracer. */
export function snapshotOf(step: number, trace: StepTrace): Snapshot {
  const layers: Snapshot['layers'] = {};
  for (const [name, p] of Object.entries(trace)) {
    const out: Snapshot['layers'][string] = {};
    for (const [term, keys] of Object.entries(SNAPSHOT_KEYS) as [SnapshotTerm, readonly string[]][]) {
      const h = keys.map((k) => p.terms[k]?.histogram).find((x) => x !== undefined);
      if (h) out[term] = histogramOf(h.edges, h.counts);
    }
    layers[name] = out;
  }
  return { step, layers };
}

function histogramOf(edges: Float64Array, counts: Float64Array): Histogram {
  return { lo: edges[0]!, hi: edges[edges.length - 1]!, counts: Array.from(counts) };
}

function moments(t: TermTrace): Moments {
  return { mean: t.mean, std: definedStd(t.count, t.std), min: t.min, max: t.max };
}

/** The moments of k·X for k > 0. */
function scaled(m: Moments, k: number): Moments {
  return { mean: m.mean * k, std: m.std === null ? null : m.std * k, min: m.min * k, max: m.max * k };
}
