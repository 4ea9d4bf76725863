/** A recorded run built by hand for the training panel's tests: a small GPT-like model of 13 tensors. */
import type { LayerStep, RunStep } from '../../../engine/run/types';
import type { RunView, ViewState } from '../../../webview/training/render';

export const GPT_PARAMETERS: { name: string; shape: number[] }[] = [
  { name: 'wte.weight', shape: [50, 8] },
  ...[0, 1].flatMap((b) => [
    { name: `h.${b}.ln.weight`, shape: [8] },
    { name: `h.${b}.attn.c_attn.weight`, shape: [24, 8] },
    { name: `h.${b}.attn.c_attn.bias`, shape: [24] },
    { name: `h.${b}.mlp.c_fc.weight`, shape: [32, 8] },
    { name: `h.${b}.mlp.c_proj.weight`, shape: [8, 32] },
  ]),
  { name: 'ln_f.weight', shape: [8] },
  { name: 'ln_f.bias', shape: [8] },
];

/** Tensor i at step s: ‖θ‖ = i + 1, ‖Δθ‖ = 1e-3·(i + 1)·s (so ‖Δθ‖/‖θ‖ = 1e-3·s), half of it decay for even i. */
export function layerAt(i: number, s: number): LayerStep {
  const w = i + 1;
  const u = 1e-3 * w * s;
  const decay = i % 2 === 0 ? u / 2 : 0;
  return {
    gradNorm: 0.1 * w, weightNorm: w, mNorm: 0.01 * w, mHatNorm: 0.1 * w, sqrtVHat: { mean: 0.01, std: 0.001, min: 0, max: 0.02 }, stepSize: { mean: 0.1, std: 0.01, min: 0, max: 1 },
    stepNorm: u - decay, decayNorm: decay, decayShare: decay / u, updateNorm: u, updateToWeight: u / w, effectiveDecay: 1e-5,
  };
}

export function stepAt(s: number, parameters = GPT_PARAMETERS): RunStep {
  return {
    step: s, epoch: 0, loss: 4 - 0.01 * s, valLoss: null, gradNorm: 1, lr: 1e-3, biasCorrection1: 1, biasCorrection2: 1,
    layers: Object.fromEntries(parameters.map((p, i) => [p.name, layerAt(i, s)])),
  };
}

export function gptRun(steps: number[], parameters = GPT_PARAMETERS): RunView {
  const meta = {
    id: 'run-1', name: 'GPT', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', status: 'completed', plannedSteps: steps.at(-1) ?? 0, stepsDone: steps.at(-1) ?? 0,
    model: { name: 'GPT', parameters },
    optimizer: { type: 'AdamW', lr: 1e-3, args: { weight_decay: 0.1 }, noDecay: [] }, batchSize: 4, seed: 0, dataset: 'synthetic',
  };
  return { summary: { meta, uri: 'file:///runs/run-1' } as unknown as RunView['summary'], steps: steps.map((s) => stepAt(s, parameters)), snapshots: [], losses: [], details: new Map() };
}

export function viewOf(run: RunView, extra: Partial<ViewState> = {}): ViewState {
  return { model: { uri: 'file:///gpt.py', name: 'GPT' }, runs: new Map([[run.summary.meta.id, run]]), live: new Set(), selected: run.summary.meta.id, layer: undefined, step: undefined, follow: true, error: undefined, loaded: true, ...extra };
}
