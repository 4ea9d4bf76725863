import { afterEach, describe, expect, it } from 'vitest';
import { disableRelaxedSimd, relaxedSimd, RELAXED_SIMD_PROBE } from '../../../engine/numeric/relaxedSimd';
import { fma32 } from '../../../engine/numeric/fma';

describe('relaxed SIMD probe', () => {
  afterEach(() => disableRelaxedSimd(false));

  it('validates once the host has turned the feature on (as the CLI and the worker do)', () => {
    expect(WebAssembly.validate(RELAXED_SIMD_PROBE)).toBe(true);
    expect(relaxedSimd().available).toBe(true);
  });

  it('agrees with what the probe inputs give with and without one rounding', () => {
    const a = 1 + 2 ** -12;
    // The probe's claim for float32 rests on these two values being different.
    expect(fma32(a, a, -1)).toBe(2 ** -11 + 2 ** -24);
    expect(Math.fround(Math.fround(a * a) - 1)).toBe(2 ** -11);
    const { fusedMadd32, fusedMadd64 } = relaxedSimd();
    // x86-64 with FMA3 (every CPU of the last decade) and arm64 fuse; the result must at least be consistent.
    if (process.arch === 'x64' || process.arch === 'arm64') {
      expect(fusedMadd32).toBe(true);
      expect(fusedMadd64).toBe(true);
    }
  });

  it('reports nothing while turned off', () => {
    disableRelaxedSimd();
    expect(relaxedSimd()).toEqual({ available: false, fusedMadd32: false, fusedMadd64: false });
    disableRelaxedSimd(false);
    expect(relaxedSimd().available).toBe(true);
  });
});
