/**
 * One line that says what initialization does to the signal of a model, in
 * words and numbers: "explodes: std ×11.3 per Linear, 4.9e+10 at fc10". The
 * same rules judge measured statistics (signal.ts) and predicted ones
 * (signalTheory.ts, for the scale lint).
 *
 * Two scales are judged, both relative to the input's:
 *   - the total std of the output (over units and examples): exploding above
 *     EXPLODING_RATIO, vanishing below VANISHING_RATIO, growing or shrinking
 *     beyond DRIFT_RATIO either way, stable otherwise;
 *   - the std across examples (the input-dependent part): when only it falls
 *     below VANISHING_RATIO, biases hold the output up but every input gives
 *     nearly the same output — the input signal is lost.
 * The per-Linear factor is the geometric mean (std_out/std_in)^(1/L) over the
 * model's L Linear layers.
 */

/** The output's std below this multiple of the input's: the signal has vanished (float32 keeps ~7 digits). */
export const VANISHING_RATIO = 1e-3;
/** The output's std above this multiple of the input's: the signal explodes. */
export const EXPLODING_RATIO = 1e3;
/**
 * Outside [1/DRIFT_RATIO, DRIFT_RATIO] times the input's std (but not yet
 * vanished or exploded) the signal is drifting: a deeper model of the same
 * kind would vanish or explode.
 */
export const DRIFT_RATIO = 10;
/** A ReLU layer with at least this fraction of units dead on the whole batch is worth a mention. */
export const DEAD_RELU_NOTE = 0.25;
/** A Tanh or Sigmoid layer with at least this fraction of saturated activations is worth a mention. */
export const SATURATION_NOTE = 0.25;

/** What the verdict needs of one layer. */
export interface VerdictLayer {
  name: string;
  kind: string;
  std: number;
  /** Std across examples, averaged over units. */
  signalStd: number;
  /** Fraction of units that are zero on every example (ReLU only). */
  deadFraction?: number;
  /** Fraction of activations in the flat tails (Tanh, Sigmoid only). */
  saturatedFraction?: number;
  /** Count of non-finite activations (measured only). */
  nonFinite?: number;
}

export type VerdictKind = 'stable' | 'shrinking' | 'growing' | 'vanishing' | 'signal-lost' | 'exploding' | 'non-finite';

export interface SignalVerdict {
  kind: VerdictKind;
  /** (std_out/std_in)^(1/L) over the L Linear layers, of the std the verdict is about. */
  factorPerLinear: number;
  text: string;
}

/** 3 significant digits in [1e-3, 1e4), else 2 in exponent form: 0.0364, 11.3, 4.9e+10. */
export function formatStd(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a === 0 ? '0' : a >= 1e-3 && a < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(1);
}

function factorPerLinear(ratio: number, linears: number): number {
  return linears > 0 ? ratio ** (1 / linears) : ratio;
}

/** The nearest Linear before layer i, which owns the units of an activation ("fc2's ReLUs"). */
function ownerName(layers: readonly VerdictLayer[], i: number): string {
  for (let j = i; j >= 0; j--) if (layers[j]!.kind === 'Linear') return layers[j]!.name;
  return layers[i]!.name;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** "43% of fc2's ReLUs are dead", "61% of fc1's Tanh outputs are saturated": the worst of each, if over the note level. */
export function unitNotes(layers: readonly VerdictLayer[]): string[] {
  const notes: string[] = [];
  let dead = -1;
  let saturated = -1;
  layers.forEach((l, i) => {
    if ((l.deadFraction ?? 0) >= DEAD_RELU_NOTE && (dead < 0 || l.deadFraction! > layers[dead]!.deadFraction!)) dead = i;
    if ((l.saturatedFraction ?? 0) >= SATURATION_NOTE && (saturated < 0 || l.saturatedFraction! > layers[saturated]!.saturatedFraction!)) saturated = i;
  });
  if (dead >= 0) notes.push(`${percent(layers[dead]!.deadFraction!)} of ${ownerName(layers, dead)}'s ReLUs are dead`);
  if (saturated >= 0) {
    const l = layers[saturated]!;
    notes.push(`${percent(l.saturatedFraction!)} of ${ownerName(layers, saturated)}'s ${l.kind} outputs are saturated`);
  }
  return notes;
}

/** The verdict on a model whose input has std `inputStd` (its std across examples: `inputSignalStd`). */
export function signalVerdict(inputStd: number, inputSignalStd: number, layers: readonly VerdictLayer[]): SignalVerdict {
  const notes = unitNotes(layers);
  const line = (kind: VerdictKind, factor: number, text: string): SignalVerdict => ({ kind, factorPerLinear: factor, text: [text, ...notes].join('; ') });
  if (layers.length === 0) return line('stable', 1, 'no layers');
  const linears = layers.filter((l) => l.kind === 'Linear').length;
  const last = layers[layers.length - 1]!;
  const broken = layers.findIndex((l) => (l.nonFinite ?? 0) > 0 || !Number.isFinite(l.std));
  if (broken >= 0) return line('non-finite', NaN, `overflows: ${layers[broken]!.name} has non-finite activations`);

  const ratio = last.std / inputStd;
  const factor = factorPerLinear(ratio, linears);
  const at = `${formatStd(last.std)} at the output (${last.name})`;
  if (ratio > EXPLODING_RATIO) return line('exploding', factor, `explodes: std ×${formatStd(factor)} per Linear, ${at}`);
  if (ratio < VANISHING_RATIO) {
    const first = layers.find((l) => l.std < VANISHING_RATIO * inputStd)!;
    return line('vanishing', factor, `vanishes: std ×${formatStd(factor)} per Linear, below ${VANISHING_RATIO}× the input's from ${first.name} on, ${at}`);
  }
  const signalRatio = last.signalStd / inputSignalStd;
  if (signalRatio < VANISHING_RATIO) {
    const signalFactor = factorPerLinear(signalRatio, linears);
    return line('signal-lost', signalFactor,
      `the input signal vanishes: the std across examples shrinks ×${formatStd(signalFactor)} per Linear to ${formatStd(last.signalStd)} at the output (${last.name}), `
      + `while offsets that are the same for every input (biases, the previous activation's mean) hold the total std at ${formatStd(last.std)}`);
  }
  if (ratio < 1 / DRIFT_RATIO) return line('shrinking', factor, `shrinks: std ×${formatStd(factor)} per Linear, ${at}; deeper, it would vanish`);
  if (ratio > DRIFT_RATIO) return line('growing', factor, `grows: std ×${formatStd(factor)} per Linear, ${at}; deeper, it would explode`);
  const stds = layers.map((l) => l.std);
  return line('stable', factor, `stable: std between ${formatStd(Math.min(...stds))} and ${formatStd(Math.max(...stds))} through ${layers.length} layers`);
}
