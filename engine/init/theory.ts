/**
 * What an initializer samples from, for a given tensor shape: the family and
 * its parameters, the fans and gain that went into the scale, and the full
 * distribution (moments, support, density, CDF) of a single entry.
 */
import type { Distribution } from '../stats/distribution';

export type TheoryFamily = 'uniform' | 'normal' | 'truncated_normal' | 'constant' | 'orthogonal' | 'sparse' | 'eye';

export interface Theory extends Distribution {
  readonly family: TheoryFamily;
  /** The family's parameters, e.g. { low, high }, { mean, std }, { mean, std, a, b }. */
  readonly params: Readonly<Record<string, number>>;
  /** Fans of the shape when the initializer uses them (null otherwise). */
  readonly fanIn: number | null;
  readonly fanOut: number | null;
  /** The gain multiplying the scale, when the initializer has one. */
  readonly gain: number | null;
}

export interface TheoryScale {
  fanIn?: number | null;
  fanOut?: number | null;
  gain?: number | null;
}

/** Attach the family, parameters and scale information to a distribution. */
export function makeTheory(
  family: TheoryFamily,
  params: Record<string, number>,
  dist: Distribution,
  scale: TheoryScale = {},
): Theory {
  return { ...dist, family, params, fanIn: scale.fanIn ?? null, fanOut: scale.fanOut ?? null, gain: scale.gain ?? null };
}
