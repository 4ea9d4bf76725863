/**
 * What a training run records: one `RunStep` of scalars per optimizer step,
 * and `Snapshot`s of full distributions (fixed-bin histograms) at a few
 * log-spaced steps. These are plain JSON-able objects: they cross the worker
 * boundary, are written line by line to a run's `steps.jsonl` (see
 * docs/run-format.md), and are what the training panel draws.
 *
 * Notation, per parameter tensor θ at step t (torch.optim.AdamW):
 *
 *     g        gradient                       m̂ = m/(1 − β1^t)     v̂ = v/(1 − β2^t)
 *     Δθ_adam  = −lr·m̂/(√v̂ + ε)                Δθ_decay = −lr·λ·θ   (decoupled decay)
 *     Δθ       = θ_after − θ_before (what was actually applied)
 *
 * Numbers that do not exist for an optimizer (m̂ for SGD, the decay update for
 * Adam+L2) are `null`.
 */

/** Mean, standard deviation, min and max of a tensor's finite values. */
export interface Moments {
  mean: number;
  /**
   * Sample (n − 1) standard deviation; null when the tensor has one finite
   * value, where it is undefined (torch gives NaN, which reads as a bug).
   */
  std: number | null;
  min: number;
  max: number;
}

export interface LayerStep {
  /** ‖g‖₂ of this tensor. */
  gradNorm: number;
  /** ‖θ‖₂ before the step. */
  weightNorm: number;
  /** ‖m‖₂ and ‖m̂‖₂ (Adam); ‖momentum buffer‖₂ for SGD with momentum goes to mNorm. */
  mNorm: number | null;
  mHatNorm: number | null;
  /** Distribution of √v̂ over the tensor's elements. */
  sqrtVHat: Moments | null;
  /** Distribution of the effective per-element step size lr/(√v̂ + ε). */
  stepSize: Moments | null;
  /** ‖Δθ_adam‖ (Adam, AdamW) or ‖−lr·d‖ (SGD). */
  stepNorm: number;
  /** ‖Δθ_decay‖: the decoupled decay update (0 when this tensor is not decayed or the decay is coupled). */
  decayNorm: number;
  /** ‖Δθ_decay‖ / (‖Δθ_adam‖ + ‖Δθ_decay‖) ∈ [0, 1]. */
  decayShare: number;
  /** ‖Δθ‖. */
  updateNorm: number;
  /** ‖Δθ‖ / ‖θ‖ (the usual healthy range is around 1e-3). */
  updateToWeight: number;
  /**
   * The relative shrink per step that the weight decay causes, per element:
   * lr·λ for decoupled decay (AdamW: the same for every weight), and
   * λ·mean(lr/(√v̂ + ε)) for Adam's coupled L2 (rescaled by the adaptive
   * denominator), λ·lr for SGD's L2; 0 when this tensor is not decayed.
   */
  effectiveDecay: number;
}

export interface RunStep {
  /** 1-based optimizer step. */
  step: number;
  epoch: number;
  /** Training loss of this step's minibatch. */
  loss: number;
  /** Loss on the held-out examples, when measured at this step. */
  valLoss: number | null;
  /** ‖g‖₂ over all parameters. */
  gradNorm: number;
  /** The learning rate used (lr_t, or α·η_t in the paper's AdamW form). */
  lr: number;
  /** Bias-correction factors 1/(1 − β1^t) and 1/(1 − β2^t); null for SGD. */
  biasCorrection1: number | null;
  biasCorrection2: number | null;
  /** Per parameter tensor, by state_dict name. */
  layers: Record<string, LayerStep>;
}

/** A histogram with `counts.length` equal bins on [lo, hi] (torch.histc's rules; lo = hi is widened by ±1). */
export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}

/** The distributions drawn per tensor in a snapshot. */
export const SNAPSHOT_TERMS = ['weight', 'mHat', 'sqrtVHat', 'update'] as const;
export type SnapshotTerm = (typeof SNAPSHOT_TERMS)[number];

export interface Snapshot {
  step: number;
  /** Per tensor: a histogram per term (terms the optimizer does not have are absent). */
  layers: Record<string, Partial<Record<SnapshotTerm, Histogram>>>;
}

/** Where a value first became NaN or infinite, and why (in words). */
export interface NonFiniteReport {
  step: number;
  param: string;
  /** Trace key of the term, e.g. 'update', 'v', 'grad'. */
  term: string;
  kind: 'NaN' | 'Inf' | '-Inf';
  message: string;
}

/** The loss of one step, all a run keeps of the steps whose full record it thinned out (run format version 2). */
export interface LossPoint {
  step: number;
  loss: number;
  valLoss: number | null;
}
