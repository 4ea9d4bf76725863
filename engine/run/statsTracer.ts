/**
 * A light trace sink for every step of a run: the same `StepTrace` as the
 * optimizer's `Tracer`, without histograms, computed with the fewest
 * operations per element, because it runs on every step and the goal is that
 * tracing costs at most a fifth of the step.
 *
 * It asks for little (see `need`): of most tensors only the norm, of √v̂ and
 * the step size 1/(√v̂ + ε) their moments, of m̂, v, v̂ and the direction
 * nothing. And it takes sums (trace.ts: TermNeed): the optimizer accumulates
 * n, Σx, Σx², min and max in double in one read-only pass over what it
 * already holds, and never writes a derived term to a buffer (AdamW's traced
 * step is its kernel plus two such passes). Then:
 *
 *     mean = Σx/n,   variance = (Σx² − (Σx)²/n)/(n − 1)  (clamped at 0),   ‖x‖₂ = √Σx²
 *
 * A step allocates almost nothing: the summaries are objects kept from step
 * to step and rewritten in place (a number field of a JavaScript object is a
 * heap cell of its own, and a new summary per tensor per step made most of
 * the garbage of a traced run). So a StatsTracer's trace is valid until its
 * next step: read it (record.ts does) before the next one.
 *
 * The textbook variance loses relative precision ~ 2⁻⁵³·(mean/std)², which
 * only matters for a display when the spread is a millionth of the mean; the
 * careful one-pass Welford form (engine/stats/summary) is used instead when
 * the sums are not trustworthy: a non-finite element (then NaN/±Inf are also
 * counted, as the Tracer does), or Σx² overflowing or underflowing
 * (|x| beyond ~1e154 or all below ~1e-154).
 */
import { StepCollector, type TermNeed, type TermSums, type TermTrace } from '../optim/trace';
import { summarize, type SummaryOptions } from '../stats/summary';
import type { FloatArray } from '../tensor/dtype';

/** Σx² below this (with some x ≠ 0) may have lost digits to underflow. */
const TINY_SUM_OF_SQUARES = 1e-280;

/**
 * What the record needs of each tensor: the distribution (mean, std, min, max) of √v̂ and of
 * 1/(√v̂ + ε); nothing of m̂ (its norm is ‖m‖/(1 − β1^t)), v, v̂ or the direction (√v̂ is
 * NaN/Inf exactly where v is, which is what NaN detection needs of v); of every other only the norm.
 */
const NEEDS: Readonly<Record<string, TermNeed>> = {
  sqrtVHat: 'moments', stepScale: 'moments',
  mHat: 'none', v: 'none', vMax: 'none', vHat: 'none', vMaxHat: 'none', direction: 'none',
};

export class StatsTracer extends StepCollector {
  /**
   * Per parameter and key: the summary rewritten every step (see the class comment) and the key's need,
   * looked up once. The parameter reported last is remembered: the optimizer reports a parameter's keys
   * one after another.
   */
  private readonly slots = new Map<string, Map<string, Slot>>();
  private lastSlotsParam: string | undefined;
  private lastSlots: Map<string, Slot> | undefined;

  tensor(param: string, key: string, values: FloatArray): void {
    const slot = this.slot(param, key);
    if (slot.need === 'none') return;
    this.entry(param).terms[key] = slot.need === 'moments' ? fastSummary(values, slot.summary) : normSummary(values, slot.summary);
  }

  sums(param: string, key: string, sums: TermSums): boolean {
    const slot = this.slot(param, key);
    const summary = slot.need === 'moments' ? momentsFromSums(sums, slot.summary) : normFromSums(sums, slot.summary);
    if (summary === null) return false;
    this.entry(param).terms[key] = summary;
    return true;
  }

  override need(key: string): TermNeed {
    return NEEDS[key] ?? 'norm';
  }

  wants(key: string): boolean {
    return this.need(key) !== 'none';
  }

  private slot(param: string, key: string): Slot {
    let perParam = this.lastSlots;
    if (param !== this.lastSlotsParam || perParam === undefined) {
      perParam = this.slots.get(param);
      if (!perParam) this.slots.set(param, (perParam = new Map()));
      this.lastSlotsParam = param;
      this.lastSlots = perParam;
    }
    let slot = perParam.get(key);
    if (!slot) perParam.set(key, (slot = { summary: blankSummary(), need: this.need(key) }));
    return slot;
  }
}

interface Slot {
  summary: TermTrace;
  need: TermNeed;
}

/**
 * The sink of a snapshot step: the StatsTracer's numbers, plus the full
 * summary with a histogram of each tensor a snapshot draws (θ, m̂ or SGD's
 * momentum, √v̂, Δθ; see record.ts), each over its own [min, max]. Only
 * those four are histogrammed, so a snapshot step costs a few passes more
 * than an ordinary one, not a summary of every term.
 */
export class SnapshotTracer extends StatsTracer {
  private readonly options: SummaryOptions;

  constructor(bins: number) {
    super();
    this.options = { histogram: { bins } };
  }

  override tensor(param: string, key: string, values: FloatArray): void {
    if (SNAPSHOT_TENSORS.has(key)) this.entry(param).terms[key] = summarize(values, this.options);
    else super.tensor(param, key, values);
  }

  override need(key: string): TermNeed {
    return SNAPSHOT_TENSORS.has(key) ? 'values' : super.need(key);
  }
}

const SNAPSHOT_TENSORS = new Set(['param', 'mHat', 'momentum', 'sqrtVHat', 'update']);

export function fastSummary(x: FloatArray, into: TermTrace = blankSummary()): TermTrace {
  const n = x.length;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return momentsFromSums({ count: n, sum, sumSq, min, max }, into) ?? summarize(x);
}

/** The summary from one pass's sums, written into `into`, or null when they are not trustworthy (see the module comment). */
export function momentsFromSums(s: TermSums, into: TermTrace = blankSummary()): TermTrace | null {
  const { count: n, sum, sumSq, min, max } = s;
  const trustworthy = Number.isFinite(sumSq) && (sumSq > TINY_SUM_OF_SQUARES || (max === 0 && min === 0) || n === 0);
  if (!trustworthy) return null;
  const mean = n > 0 ? sum / n : NaN;
  const variance = n > 1 ? Math.max(0, (sumSq - (sum * sum) / n) / (n - 1)) : NaN;
  into.count = n;
  into.nonFinite = into.nan = into.posInf = into.negInf = 0;
  into.mean = n > 0 ? Math.min(max, Math.max(min, mean)) : NaN;
  into.std = Math.sqrt(variance);
  into.variance = variance;
  into.min = n > 0 ? min : NaN;
  into.max = n > 0 ? max : NaN;
  into.l2Norm = Math.sqrt(sumSq);
  return into;
}

/**
 * Only ‖x‖₂ = √Σx² (mean, std, min and max are NaN), in one pass of one
 * multiply-add per element; the careful summary when Σx² is not trustworthy
 * (a NaN/Inf element, which it then counts, or overflow/underflow).
 */
export function normSummary(x: FloatArray, into: TermTrace = blankSummary()): TermTrace {
  const n = x.length;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    sumSq += v * v;
  }
  const fromSums = normFromSums({ count: n, sum: NaN, sumSq, min: NaN, max: NaN }, into);
  if (fromSums) return fromSums;
  if (sumSq === 0) {
    // All zeros, or values so small that their squares underflow to 0: only the careful norm tells.
    let any = false;
    for (let i = 0; i < n && !any; i++) any = x[i] !== 0;
    if (!any) return normOnly(n, 0, into);
  }
  return summarize(x);
}

/**
 * ‖x‖₂ from Σx², written into `into`, or null when it is not trustworthy:
 * non-finite, or small enough to have lost digits to underflow — including
 * 0 for n > 0, which Σx² cannot tell apart from all-tiny values (min and max
 * can: both 0).
 */
export function normFromSums(s: TermSums, into: TermTrace = blankSummary()): TermTrace | null {
  const { count: n, sumSq } = s;
  if (!Number.isFinite(sumSq) || (sumSq < TINY_SUM_OF_SQUARES && n > 0 && !(s.min === 0 && s.max === 0))) return null;
  return normOnly(n, Math.sqrt(sumSq), into);
}

function normOnly(n: number, l2Norm: number, into: TermTrace): TermTrace {
  into.count = n;
  into.nonFinite = into.nan = into.posInf = into.negInf = 0;
  into.mean = into.std = into.variance = into.min = into.max = NaN;
  into.l2Norm = l2Norm;
  return into;
}

/** A summary to be filled in; every one has the same fields in the same order (one object shape). */
function blankSummary(): TermTrace {
  return { count: 0, nonFinite: 0, nan: 0, posInf: 0, negInf: 0, mean: NaN, std: NaN, variance: NaN, min: NaN, max: NaN, l2Norm: NaN };
}
