/**
 * The first NaN or infinity of a step, found in the trace's counts of
 * non-finite values, and its likely cause in words:
 *
 *     update is Inf in `fc3.weight` at step 41: √v̂ + ε underflowed to 0 (ε = 0)
 *
 * Only the values the optimizer really holds are searched: θ before the step,
 * g, the moment buffers, and the update actually applied (θ_after − θ_before),
 * in the order the step computes them, each over the tensors in order, so the
 * report names where the value first went bad rather than where it spread to.
 * The terms the trace derives in double (m̂, √v̂, 1/(√v̂ + ε), each update
 * term) are the evidence for the cause.
 */
import type { ParamTrace, StepTrace, TermTrace } from '../optim/trace';
import type { DecaySemantics } from './decay';
import type { NonFiniteReport } from './types';

const PIPELINE = ['param', 'grad', 'm', 'v', 'vMax', 'momentum', 'update'] as const;

const TERM_NAMES: Record<string, string> = {
  param: 'θ', grad: 'the gradient', m: 'm', v: 'v', vMax: 'v_max', momentum: 'the momentum buffer', mHat: 'm̂', vHat: 'v̂',
  vMaxHat: 'v̂_max', sqrtVHat: '√v̂', stepScale: '1/(√v̂ + ε)', direction: 'm̂/(√v̂ + ε)', 'update.adam': 'the Adam update',
  'update.direction': 'the SGD update', 'update.decay': 'the decay update', update: 'update',
};

export function findNonFinite(step: number, trace: StepTrace, decay: Pick<DecaySemantics, 'eps'>): NonFiniteReport | null {
  if (!anyNonFinite(trace)) return null; // the common case, in one look at each summary
  for (const term of PIPELINE) {
    for (const [param, p] of Object.entries(trace)) {
      // Without v in the trace (the light per-step trace), √v̂ stands for it: v̂ = v/(1 − β2^t) is finite
      // in double for every finite float32 v, so √v̂ is NaN/Inf exactly where v is.
      const t = p.terms[term] ?? (term === 'v' || term === 'vMax' ? p.terms['sqrtVHat'] : undefined);
      if (!t || t.nonFinite === 0) continue;
      const kind = t.nan > 0 ? 'NaN' : t.posInf > 0 ? 'Inf' : '-Inf';
      const what = term === 'update' ? 'update' : TERM_NAMES[term] ?? term;
      return { step, param, term, kind, message: `${what} is ${kind} in \`${param}\` at step ${step}: ${cause(term, kind, p, decay.eps)}` };
    }
  }
  return null;
}

function anyNonFinite(trace: StepTrace): boolean {
  for (const param in trace) {
    const terms = trace[param]!.terms;
    for (const key in terms) if (terms[key]!.nonFinite > 0) return true;
  }
  return false;
}

/** The first NaN/Inf met before the optimizer ran (the loss, or a gradient), as a report. */
export function nonFiniteBeforeStep(step: number, term: 'loss' | 'grad', param: string | undefined, value: number | undefined): NonFiniteReport {
  const kind = value === undefined || Number.isNaN(value) ? 'NaN' : value > 0 ? 'Inf' : '-Inf';
  const where = param ? ` in \`${param}\`` : '';
  const message = term === 'loss'
    ? `loss is ${kind} at step ${step}: the forward pass overflowed (weights or activations too large; learning rate too high?)`
    : `the gradient is not finite${where} at step ${step}: the backward pass overflowed (learning rate too high, or exploding activations)`;
  return { step, param: param ?? '', term, kind, message };
}

function cause(term: string, kind: string, p: ParamTrace, eps: number): string {
  const t = p.terms;
  const denominatorVanished = (): boolean => {
    const root = t['sqrtVHat'];
    return root !== undefined && root.min + eps === 0 || (root !== undefined && Math.fround(root.min + eps) === 0);
  };
  switch (term) {
    case 'param':
      return 'θ was already non-finite before this step (from the initial values or a checkpoint)';
    case 'grad':
      return 'the backward pass overflowed (learning rate too high, or exploding activations)';
    case 'm':
    case 'momentum':
      return 'the moving average of the gradient overflowed: the gradients are near the float range';
    case 'v':
    case 'vMax':
      return '(1 − β2)·g² overflowed: the gradient is too large to square in float32';
    case 'mHat':
    case 'vHat':
    case 'vMaxHat':
    case 'sqrtVHat':
      return 'the bias-corrected moment overflowed (it divides by 1 − β^t, which is small at the first steps)';
    case 'stepScale':
      return `√v̂ + ε underflowed to 0 (ε = ${eps}): a tensor whose gradient is 0 or tiny`;
    case 'direction':
    case 'update.adam':
    case 'update':
      if (denominatorVanished()) return `√v̂ + ε underflowed to 0 (ε = ${eps})`;
      if (kind === 'NaN' && term !== 'update') return 'm̂/(√v̂ + ε) is 0/0 or ∞/∞';
      if (term === 'update' && finite(t['update.adam']) && finite(t['update.decay']) && finite(t['update.direction'])) {
        return 'each term is finite but θ + Δθ overflowed the parameter\'s float range (θ or the step grew too large)';
      }
      return 'the Adam step m̂/(√v̂ + ε) overflowed: √v̂ + ε is tiny next to m̂ (a larger ε bounds it)';
    case 'update.direction':
      return 'lr·g overflowed (learning rate too high, or exploding gradients)';
    case 'update.decay':
      return 'lr·λ·θ overflowed: θ is near the float range';
    default:
      return 'a value left the float range';
  }
}

function finite(t: TermTrace | undefined): boolean {
  return t === undefined || t.nonFinite === 0;
}
