/**
 * A step's AdamW terms rolled up over a group of tensors (a module's, or a
 * heat map cell's), so that a model of 150 tensors reads as a few dozen
 * modules. The group is treated as one concatenated vector θ = (θ₁, …, θₖ):
 *
 *     ‖θ‖ = √(Σᵢ ‖θᵢ‖²)            (likewise ‖g‖, ‖m‖, ‖m̂‖, ‖Δθ_adam‖, ‖Δθ_decay‖, ‖Δθ‖)
 *     update-to-weight = ‖Δθ‖ / ‖θ‖  (a ratio of the combined norms, not a mean of the tensors' ratios:
 *                                     a tiny LayerNorm bias with a large ratio does not outweigh a large matrix)
 *     decay share = ‖Δθ_decay‖ / (‖Δθ_adam‖ + ‖Δθ_decay‖)   (the per-tensor definition, on the combined norms)
 *     √v̂ mean, lr/(√v̂+ε) mean, effective decay: means over the group's elements (each tensor's mean weighted by
 *                                     its numel), as the per-tensor numbers are means over a tensor's elements.
 *
 * A term that is null for any tensor of the group (m̂ of SGD) is null for the group.
 * Over several steps (a heat map column of binned steps) the same rule holds with the steps' terms
 * concatenated too: ‖Δθ‖ over steps s₁…sₙ is √(Σₛ Σᵢ ‖Δθᵢ,ₛ‖²), so the column's ratio is the root-mean-square
 * update over the root-mean-square weight.
 */
import type { LayerStep, RunStep } from './types';

/** The terms of a group of tensors at one step (or several), see the module comment for each definition. */
export interface RolledUpStep {
  /** How many of the group's tensors the records had. */
  tensors: number;
  gradNorm: number;
  weightNorm: number;
  mNorm: number | null;
  mHatNorm: number | null;
  stepNorm: number;
  decayNorm: number;
  updateNorm: number;
  decayShare: number;
  updateToWeight: number;
  sqrtVHatMean: number | null;
  stepSizeMean: number | null;
  effectiveDecay: number;
}

/** A tensor of the group: its `state_dict` name and element count (the weight of its means). */
export interface GroupTensor {
  name: string;
  numel: number;
}

/** The group's terms at `step` (or over several steps' records); undefined when no record has any of its tensors. */
export function rollUp(records: RunStep | readonly RunStep[], group: readonly GroupTensor[]): RolledUpStep | undefined {
  const steps = Array.isArray(records) ? (records as readonly RunStep[]) : [records as RunStep];
  const sq = { gradNorm: 0, weightNorm: 0, mNorm: 0, mHatNorm: 0, stepNorm: 0, decayNorm: 0, updateNorm: 0 };
  const mean = { sqrtVHat: 0, stepSize: 0, effectiveDecay: 0 };
  let hasM = true;
  let hasMHat = true;
  let hasV = true;
  let hasStepSize = true;
  const found = new Set<string>();
  let elements = 0;
  for (const s of steps) {
    for (const t of group) {
      const l: LayerStep | undefined = s.layers[t.name];
      if (!l) continue;
      found.add(t.name);
      elements += t.numel;
      sq.gradNorm += l.gradNorm ** 2;
      sq.weightNorm += l.weightNorm ** 2;
      sq.stepNorm += l.stepNorm ** 2;
      sq.decayNorm += l.decayNorm ** 2;
      sq.updateNorm += l.updateNorm ** 2;
      if (l.mNorm === null) hasM = false;
      else sq.mNorm += l.mNorm ** 2;
      if (l.mHatNorm === null) hasMHat = false;
      else sq.mHatNorm += l.mHatNorm ** 2;
      if (l.sqrtVHat === null) hasV = false;
      else mean.sqrtVHat += l.sqrtVHat.mean * t.numel;
      if (l.stepSize === null) hasStepSize = false;
      else mean.stepSize += l.stepSize.mean * t.numel;
      mean.effectiveDecay += l.effectiveDecay * t.numel;
    }
  }
  if (found.size === 0) return undefined;
  const stepNorm = Math.sqrt(sq.stepNorm);
  const decayNorm = Math.sqrt(sq.decayNorm);
  const updateNorm = Math.sqrt(sq.updateNorm);
  const weightNorm = Math.sqrt(sq.weightNorm);
  const perElement = (total: number): number => (elements > 0 ? total / elements : 0);
  return {
    tensors: found.size,
    gradNorm: Math.sqrt(sq.gradNorm),
    weightNorm,
    mNorm: hasM ? Math.sqrt(sq.mNorm) : null,
    mHatNorm: hasMHat ? Math.sqrt(sq.mHatNorm) : null,
    stepNorm,
    decayNorm,
    updateNorm,
    // 0/0 (nothing moved): no decay share, as recordStep writes for a single tensor.
    decayShare: stepNorm + decayNorm > 0 ? decayNorm / (stepNorm + decayNorm) : 0,
    // ‖θ‖ = 0 (a zero-initialized group before its first step): the ratio is undefined; ∞ if it moved, 0 if not.
    updateToWeight: weightNorm > 0 ? updateNorm / weightNorm : updateNorm > 0 ? Infinity : 0,
    sqrtVHatMean: hasV ? perElement(mean.sqrtVHat) : null,
    stepSizeMean: hasStepSize ? perElement(mean.stepSize) : null,
    effectiveDecay: perElement(mean.effectiveDecay),
  };
}

/** The module a tensor belongs to: its name without the last dotted part ('' for a tensor of the root). */
export function moduleOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(0, dot);
}

/** The tensors of the module at `path` and below it ('' : all of them), in the given (model) order. */
export function tensorsUnder<T extends { name: string }>(tensors: readonly T[], path: string): T[] {
  return path === '' ? [...tensors] : tensors.filter((t) => t.name.startsWith(`${path}.`));
}

/** A row of a roll-up view: a label and the tensors it combines. */
export interface RollupRow {
  /** A tensor's name, or a module's path ('' for a tensor of the root, shown as the model). */
  name: string;
  tensors: GroupTensor[];
}

/**
 * Rows in model order: one per tensor (`by: 'tensor'`), or one per module that holds tensors directly
 * (`by: 'module'`: `h.0.attn.c_attn` for its weight and bias), in the order of the module's first tensor.
 */
export function rollupRows(parameters: readonly { name: string; shape: readonly number[] }[], by: 'tensor' | 'module'): RollupRow[] {
  const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
  if (by === 'tensor') return parameters.map((p) => ({ name: p.name, tensors: [{ name: p.name, numel: numel(p.shape) }] }));
  const rows = new Map<string, RollupRow>();
  for (const p of parameters) {
    const path = moduleOf(p.name);
    let row = rows.get(path);
    if (!row) rows.set(path, (row = { name: path, tensors: [] }));
    row.tensors.push({ name: p.name, numel: numel(p.shape) });
  }
  return [...rows.values()];
}
