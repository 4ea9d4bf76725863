import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/rng';

/** The bulk fills are a faster way to draw what the one-at-a-time methods draw: same values, same state after. */
describe('Rng bulk fills', () => {
  for (const length of [0, 1, 2, 7, 1000, 1001]) {
    it(`fillNormal of ${length} values equals ${length} normal() calls, with the spare carried in and out`, () => {
      for (const spareBefore of [false, true]) {
        const a = new Rng(42);
        const b = new Rng(42);
        if (spareBefore) {
          a.normal();
          b.normal();
        }
        const bulk = new Float64Array(length);
        a.fillNormal(bulk, 0.5, 0.02);
        const one = Float64Array.from({ length }, () => 0.5 + 0.02 * b.normal());
        expect(bulk).toEqual(one);
        // The next draws agree too: the spare and the state were left as normal() leaves them.
        expect([a.normal(), a.normal(), a.uniform()]).toEqual([b.normal(), b.normal(), b.uniform()]);
      }
    });

    it(`fillUniform of ${length} values equals ${length} uniform() calls`, () => {
      const a = new Rng(9);
      const b = new Rng(9);
      const bulk = new Float32Array(length);
      a.fillUniform(bulk, -0.1, 0.2);
      const one = Float32Array.from({ length }, () => -0.1 + 0.2 * b.uniform());
      expect(bulk).toEqual(one);
      expect(a.nextUint32()).toBe(b.nextUint32());
    });
  }
});
