import { describe, expect, it } from 'vitest';
import { allocate, allocateUnset, BufferArena, scratch64 } from '../../../engine/tensor/arena';

describe('BufferArena', () => {
  it('outside a run, allocate gives a new zeroed array every time', () => {
    const a = allocate('float32', 8);
    const b = allocate('float32', 8);
    expect(a).not.toBe(b);
    expect(a).toBeInstanceOf(Float32Array);
    expect(Array.from(b)).toEqual(new Array(8).fill(0));
  });

  it("hands the previous run's buffers out again, in order, zeroed, by dtype and length", () => {
    const arena = new BufferArena();
    const first = arena.run(() => [allocate('float32', 4), allocate('float32', 4), allocate('float64', 4), scratch64(3)]);
    for (const b of first) b.fill(9);
    const second = arena.run(() => [allocate('float32', 4), allocate('float32', 4), allocate('float64', 4), scratch64(3), allocate('float32', 4)]);
    expect(second.slice(0, 4)).toEqual(first); // same contents (zeros)…
    for (let i = 0; i < 4; i++) expect(second[i]).toBe(first[i]); // …because the same arrays
    expect(second[2]).toBeInstanceOf(Float64Array);
    for (const b of second) expect(Array.from(b).every((v) => v === 0)).toBe(true);
    // A third float32[4] the first run did not have is new, and is kept for the next run.
    expect(first).not.toContain(second[4]);
    expect(arena.retainedBytes).toBe(3 * 16 + 32 + 24);
    const third = arena.run(() => [allocate('float32', 4), allocate('float32', 4), allocate('float32', 4)]);
    expect(third).toEqual([second[0], second[1], second[4]].map((b) => new Float32Array(b.length)));
    expect(third[2]).toBe(second[4]);
    expect(arena.retainedBytes).toBe(3 * 16 + 32 + 24);
  });

  it("allocateUnset hands the previous run's buffer out as it was left; allocate zeroes it", () => {
    const arena = new BufferArena();
    const [a, b] = arena.run(() => [allocateUnset('float32', 3), allocate('float64', 2)]);
    expect(Array.from(a!)).toEqual([0, 0, 0]); // a new array is zeroed anyway
    a!.set([1, 2, 3]);
    b!.set([4, 5]);
    const [a2, b2] = arena.run(() => [allocateUnset('float32', 3), allocate('float64', 2)]);
    expect(a2).toBe(a);
    expect(Array.from(a2!)).toEqual([1, 2, 3]);
    expect(b2).toBe(b);
    expect(Array.from(b2!)).toEqual([0, 0]);
    expect(allocateUnset('float32', 3)).not.toBe(a); // outside a run: a new array
  });

  it('is active only inside run, also when run throws, and refuses to be re-entered', () => {
    const arena = new BufferArena();
    const inside = arena.run(() => allocate('float32', 2));
    expect(() => arena.run(() => {
      throw new Error('the step failed');
    })).toThrow('the step failed');
    expect(allocate('float32', 2)).not.toBe(inside);
    expect(() => arena.run(() => arena.run(() => 0))).toThrow(/re-entrant/);
    expect(allocate('float32', 2)).not.toBe(inside);
  });

  it('two arenas nest: the inner run serves its own buffers and the outer one is active again after it', () => {
    const outer = new BufferArena();
    const inner = new BufferArena();
    const [a, b, c] = outer.run(() => {
      const a = allocate('float32', 3);
      const b = inner.run(() => allocate('float32', 3));
      return [a, b, allocate('float32', 3)];
    });
    expect(new Set([a, b, c]).size).toBe(3);
    expect(outer.retainedBytes).toBe(24);
    expect(inner.retainedBytes).toBe(12);
  });
});
