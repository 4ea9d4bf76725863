import { expect } from 'vitest';

/**
 * The normwise relative error max|a − b| / max|b|, in double (the absolute
 * error when b is all zeros): how far a whole tensor is from torch's, on the
 * scale of its largest entry, so that tiny entries near zero do not dominate.
 */
export function normwise(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale > 0 ? diff / scale : diff;
}
