/**
 * Scales and tick positions for the SVG charts. Log scales put ticks on
 * decades (thinned so that at most ~6 are labelled), linear scales on
 * 1-2-5 steps: the ticks people read without thinking.
 */

export interface Scale {
  (value: number): number;
  ticks: number[];
  /** The domain actually drawn (widened to whole ticks). */
  domain: [number, number];
}

/** A linear map of [lo, hi] onto [from, to], with ticks on 1-2-5 steps. */
export function linearScale(lo: number, hi: number, from: number, to: number, maxTicks = 6): Scale {
  if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
  const step = niceStep((hi - lo) / maxTicks);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  const scale = ((v: number) => from + ((v - lo) / (hi - lo)) * (to - from)) as Scale;
  scale.ticks = ticks;
  scale.domain = [lo, hi];
  return scale;
}

/**
 * A log10 map of [lo, hi] (both > 0) onto [from, to], widened to whole
 * decades; values ≤ 0 are drawn at the bottom.
 */
export function logScale(lo: number, hi: number, from: number, to: number, maxTicks = 6): Scale {
  const a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (b <= a) b = a + 1;
  const every = Math.max(1, Math.ceil((b - a) / maxTicks));
  const ticks: number[] = [];
  for (let e = a; e <= b; e += every) ticks.push(10 ** e);
  const scale = ((v: number) => {
    const x = v > 0 ? Math.log10(v) : a;
    return from + ((Math.min(Math.max(x, a), b) - a) / (b - a)) * (to - from);
  }) as Scale;
  scale.ticks = ticks;
  scale.domain = [10 ** a, 10 ** b];
  return scale;
}

/** The 1-2-5 step nearest above `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const f = raw / magnitude;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

/** Positive, finite values only: what a log axis can show. */
export function positiveRange(values: Iterable<number>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A tick label: 1e-3, 0.01, 0.1, 1, 10, 100, 1e+3. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-2 && a < 1e3) return String(Number(v.toPrecision(3)));
  return v.toExponential(0);
}
