/**
 * AdamW's per-element kernels compiled to WebAssembly (engine/optim/adamWasm.ts)
 * against the JavaScript loops they replace for large tensors: the same bits,
 * element by element, in float32 (fma32 emulation included, at its midpoint
 * cases too) and float64, with and without amsgrad, for sizes on both sides of
 * every SIMD and loop boundary: each WebAssembly kernel is called directly
 * (for any size) beside its JavaScript loop, then the optimizer's own
 * dispatch is checked on a tensor above the size threshold.
 */
import { describe, expect, it } from 'vitest';
import { adamw, step, Tracer, type CollectingSink, type Params } from '../../../engine/optim';
import { StatsTracer } from '../../../engine/run';
import { adamKernel, adamKernelWasm, scaleByAdam, type AdamParamState } from '../../../engine/optim/adam';
import { ADAMW_WASM_MIN_LENGTH, adamWasmAvailable } from '../../../engine/optim/adamWasm';
import { applyUpdates, fuseDecayAndRatio, fuseDecayAndRatioWasm } from '../../../engine/optim/apply';
import { arithmeticOf, fma32, fround } from '../../../engine/optim/float32';
import { powInt } from '../../../engine/optim/pow';
import type { Term } from '../../../engine/optim/transform';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values over many binades, both signs, with zeros, subnormals and the odd ±∞ / NaN. */
function values(rand: () => number, n: number, Type: Ctor, specials: boolean, positive = false): Float32Array | Float64Array {
  const out = new Type(n);
  const tiny = Type === Float32Array ? 2 ** -140 : 2 ** -1060;
  for (let i = 0; i < n; i++) {
    const u = rand();
    const sign = positive || rand() < 0.5 ? 1 : -1;
    if (specials && u < 0.01) out[i] = [0, -0, tiny, Infinity, -Infinity, NaN][Math.floor(rand() * 6)]!;
    else out[i] = sign * (1 + rand()) * 2 ** Math.floor(rand() * 40 - 30);
  }
  return out;
}

function state(m: Float32Array | Float64Array, v: Float32Array | Float64Array, vMax: Float32Array | Float64Array | null): AdamParamState {
  return { step: 1, m: m.slice(), v: v.slice(), vMax: vMax ? vMax.slice() : null, denom: new (m.constructor as Ctor)(m.length) };
}

/** The index of the first element where a and b differ (Object.is: NaN equals NaN, −0 is not +0), or −1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameState(wasm: AdamParamState, js: AdamParamState): void {
  expect(firstDifference(wasm.m, js.m)).toBe(-1);
  expect(firstDifference(wasm.v, js.v)).toBe(-1);
  expect(firstDifference(wasm.denom, js.denom)).toBe(-1);
  if (js.vMax) expect(firstDifference(wasm.vMax!, js.vMax)).toBe(-1);
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 100, 1000, 4099, 16384, 65539]; // the last two: one and several chunks (adamWasm.ts)

describe('AdamW kernels in WebAssembly', () => {
  it('are available in Node, and only for tensors larger than the article model\'s (≤ 1,000 elements)', () => {
    expect(adamWasmAvailable()).toBe(true);
    expect(ADAMW_WASM_MIN_LENGTH).toBeGreaterThan(1000);
  });

  for (const Type of [Float32Array, Float64Array] as const) {
    for (const amsgrad of [false, true]) {
      it(`Adam moments: same bits as JavaScript, ${Type.name}${amsgrad ? ', amsgrad' : ''}, sizes 1 … ${SIZES.at(-1)}`, () => {
        const rand = random(Type === Float32Array ? 17 : 64);
        for (const n of SIZES) {
          const m = values(rand, n, Type, true);
          const v = values(rand, n, Type, true, true);
          const vMax = amsgrad ? values(rand, n, Type, true, true) : null;
          // Several steps, so that the moments carry the kernel's own results forward.
          const wasm = state(m, v, vMax);
          const js = state(m, v, vMax);
          for (let step = 1; step <= 3; step++) {
            const g = values(rand, n, Type, true);
            const bc2Sqrt = Math.sqrt(1 - 0.999 ** step);
            expect(adamKernelWasm(g, wasm, 0.9, 0.999, 1e-8, bc2Sqrt)).toBe(true);
            adamKernel(g, js, 0.9, 0.999, 1e-8, bc2Sqrt);
            expectSameState(wasm, js);
          }
        }
      });
    }
  }

  it('Adam moments: same bits at float32 fused multiply-add midpoints (exact ties and inexact ones, normal and subnormal)', () => {
    // m ← fma32(1 − β1, g, fl(m·β1)) = fma32(a, g, c) with a = 1 − β1 and c = fl(m·β1) = m·β1 exactly (β1 is
    // a power of two). g ≈ ±ulp(c)/2 ÷ a puts the double sum on or next to a float32 midpoint — the case
    // where rounding the double sum to float32 would be wrong (float32.ts):
    //   β1 = −2^-18:            a = 1 + 2^-18, g = ulp/2·(1 − 2^-18): a·g = ulp/2·(1 − 2^-36), just below the
    //                           midpoint, closer than a double ulp at c's magnitude;
    //   β1 = 0.5:               a = 0.5, g = ±ulp(c): a·g = ±ulp/2 exactly, true ties, broken to even;
    //   β1 = 1 − 2^-30 − 2^-48: fl32(β1) = 1, a = 2^-30·(1 + 2^-18): the first case near the smallest normal
    //                           float32 and among the subnormals, where the float32 grid is fixed.
    // Now and then g is a neighbour of that value, a float32 ulp or a few away.
    const rand = random(5);
    const n = 4099; // SIMD blocks of four and a scalar tail
    const ulpOf = (c: number) => {
      const bits = new Float32Array([Math.abs(c)]);
      new Uint32Array(bits.buffer)[0]! += 1;
      return bits[0]! - Math.abs(c);
    };
    const cases = [
      { b1: -(2 ** -18), near: 1 - 2 ** -18, exponents: [-30, 30], inexact: true },
      { b1: 0.5, near: 2, exponents: [-30, 30], inexact: false },
      { b1: 1 - 2 ** -30 - 2 ** -48, near: 2 ** 30 * (1 - 2 ** -18), exponents: [-149, -110], inexact: true },
    ];
    for (const { b1, near, exponents: [lo, hi], inexact } of cases) {
      const beta1 = fround(b1);
      const m = new Float32Array(n);
      const g = new Float32Array(n);
      const c = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        c[i] = fround((rand() < 0.5 ? 1 : -1) * (1 + Math.floor(rand() * 2 ** 23) * 2 ** -23) * 2 ** Math.floor(lo! + rand() * (hi! - lo!)));
        if (c[i] === 0) c[i] = 2 ** -149;
        m[i] = c[i]! / beta1;
        const j = rand() < 0.7 ? 0 : Math.floor(rand() * 9) - 4;
        g[i] = fround((rand() < 0.5 ? 1 : -1) * (ulpOf(c[i]!) / 2) * near * (1 + j * 2 ** -23));
      }
      expect(Array.from(m, (mi) => fround(mi * beta1))).toEqual(Array.from(c));
      const v = values(rand, n, Float32Array, false, true);
      const wasm = state(m, v, null);
      const js = state(m, v, null);
      expect(adamKernelWasm(g, wasm, b1, 0.999, 1e-8, Math.sqrt(0.001))).toBe(true);
      adamKernel(g, js, b1, 0.999, 1e-8, Math.sqrt(0.001));
      expectSameState(wasm, js);
      const a = fround(1 - b1);
      expect(firstDifference(js.m, Array.from(g, (gi, i) => fma32(a, gi, c[i]!)))).toBe(-1);
      // The crafted inputs do reach the midpoint correction: rounding the double sum is wrong for some.
      let corrected = 0;
      for (let i = 0; i < n; i++) if (fma32(a, g[i]!, c[i]!) !== fround(a * g[i]! + c[i]!)) corrected++;
      if (inexact) expect(corrected).toBeGreaterThan(10);
      else expect(corrected).toBe(0);
    }
  });

  it('Adam moments in float64: same bits over the whole exponent range (fma64\'s overflow guard, ±∞, NaN)', () => {
    // Values from 2^-1022 to 2^1023: (1 − β2)·g² overflows, and |(1 − β1)·g| > 2^995 takes fma64's plain sum
    // (TwoProduct's splitting of g would overflow).
    const rand = random(8);
    const n = 4099;
    const wide = (positive: boolean) => Float64Array.from({ length: n }, () => {
      const u = rand();
      if (u < 0.02) return [0, -0, Infinity, -Infinity, NaN][Math.floor(rand() * 5)]!;
      return (positive || rand() < 0.5 ? 1 : -1) * (1 + rand()) * 2 ** Math.floor(rand() * 2046 - 1022);
    });
    for (const amsgrad of [false, true]) {
      const m = wide(false);
      const v = wide(true);
      const wasm = state(m, v, amsgrad ? wide(true) : null);
      const js = state(wasm.m, wasm.v, wasm.vMax);
      const g = wide(false);
      expect(adamKernelWasm(g, wasm, 0.9, 0.999, 1e-8, 0.25)).toBe(true);
      adamKernel(g, js, 0.9, 0.999, 1e-8, 0.25);
      expectSameState(wasm, js);
      const guarded = Array.from(g).filter((gi) => Math.abs((1 - 0.9) * gi) > 2 ** 995 && Number.isFinite(gi)).length;
      expect(guarded).toBeGreaterThan(10);
    }
  });

  for (const Type of [Float32Array, Float64Array] as const) {
    it(`AdamW θ update: same bits as JavaScript, ${Type.name}, sizes 1 … ${SIZES.at(-1)}`, () => {
      const rand = random(Type === Float32Array ? 3 : 4);
      for (const n of SIZES) {
        const theta = values(rand, n, Type, true);
        const numer = values(rand, n, Type, true);
        const denom = values(rand, n, Type, true, true);
        for (const [lr, wd] of [[1e-3, 1e-2], [0.1, 0.5], [3e-4, 0]]) {
          const terms: Term[] = [
            { kind: 'decay', label: 'decay', scale: -lr! * wd!, divisor: 1 },
            { kind: 'ratio', label: 'adam', numer, denom, scale: -lr!, divisor: 1 - 0.9 ** 3 },
          ];
          const wasm = theta.slice();
          const js = theta.slice();
          expect(fuseDecayAndRatioWasm(wasm, terms, arithmeticOf(wasm))).toBe(true);
          expect(fuseDecayAndRatio(js, terms, arithmeticOf(js))).toBe(true);
          expect(firstDifference(wasm, js)).toBe(-1);
          expect(firstDifference(wasm, theta)).not.toBe(-1); // the update did change θ
        }
      }
    });
  }

  it('leave mixed dtypes to JavaScript', () => {
    const n = 64;
    const rand = random(9);
    const m = values(rand, n, Float32Array, false);
    const v = values(rand, n, Float32Array, false, true);
    const g64 = values(rand, n, Float64Array, false);
    const untouched = state(m, v, null);
    expect(adamKernelWasm(g64, untouched, 0.9, 0.999, 1e-8, 0.5)).toBe(false);
    expectSameState(untouched, state(m, v, null));
    const theta = values(rand, n, Float32Array, false);
    const after = theta.slice();
    const terms: Term[] = [
      { kind: 'decay', label: 'decay', scale: -1e-5, divisor: 1 },
      { kind: 'ratio', label: 'adam', numer: g64, denom: values(rand, n, Float64Array, false, true), scale: -1e-3, divisor: 0.1 },
    ];
    expect(fuseDecayAndRatioWasm(after, terms, arithmeticOf(after))).toBe(false);
    expect(firstDifference(after, theta)).toBe(-1);
  });

  for (const Type of [Float32Array, Float64Array] as const) {
    it(`an AdamW step on a tensor above the threshold (${Type.name}) equals the JavaScript kernels' step`, () => {
      const rand = random(21);
      const n = ADAMW_WASM_MIN_LENGTH + 1;
      const theta = values(rand, n, Type, false);
      const adam = scaleByAdam({ amsgrad: true });
      const params = { w: theta.slice() };
      let st = adam.init(params);
      const js = state(new Type(n), new Type(n), new Type(n));
      const jsTheta = theta.slice();
      for (let step = 1; step <= 3; step++) {
        const g = values(rand, n, Type, false);
        const { updates, state: next } = adam.update({ w: g }, st, params);
        st = next;
        const [ratio] = updates.w as Term[];
        applyUpdates(params, { w: [{ kind: 'decay', label: 'decay', scale: -1e-3 * 1e-2, divisor: 1 }, { ...ratio!, scale: -1e-3 }] });
        // The same step with the JavaScript loops.
        adamKernel(g, js, 0.9, 0.999, 1e-8, Math.sqrt(1 - powInt(0.999, step)));
        fuseDecayAndRatio(jsTheta, [
          { kind: 'decay', label: 'decay', scale: -1e-3 * 1e-2, divisor: 1 },
          { kind: 'ratio', label: 'adam', numer: js.m, denom: js.denom, scale: -1e-3, divisor: 1 - powInt(0.9, step) },
        ], arithmeticOf(jsTheta));
        expectSameState(st.w!, js);
        expect(firstDifference(params.w, jsTheta)).toBe(-1);
      }
    });
  }
});

describe('a traced AdamW step on a tensor above the threshold', () => {
  // Untraced, θ takes the WebAssembly loop; traced (light or full), apply.ts's own fused JavaScript loop
  // (applyAdamWTraced) or the term-by-term path. Adam's moments take WebAssembly either way.
  const BIG = ADAMW_WASM_MIN_LENGTH + 7;
  function run(Type: Ctor, amsgrad: boolean, sink?: () => CollectingSink) {
    const rand = random(11);
    const params: Params = { 'fc.weight': values(rand, BIG, Type, false), 'fc.bias': values(rand, 9, Type, false) };
    const tx = adamw({ lr: 1e-2, weightDecay: 0.1, amsgrad });
    let state = tx.init(params);
    for (let t = 0; t < 4; t++) {
      const grads = { 'fc.weight': values(rand, BIG, Type, true), 'fc.bias': values(rand, 9, Type, true) };
      state = step(tx, params, grads, state, sink?.()).state;
    }
    return { params, state };
  }
  const bits = (x: unknown): string => JSON.stringify(x, (_, v) => (v instanceof Float32Array || v instanceof Float64Array ? Array.from(v, (e) => (Object.is(e, -0) ? '-0' : e)) : v));
  for (const Type of [Float32Array, Float64Array] as const) {
    for (const amsgrad of [false, true]) {
      it(`gives the same bits traced and untraced, ${Type.name}${amsgrad ? ', amsgrad' : ''}`, () => {
        const untraced = run(Type, amsgrad);
        const stats = new StatsTracer();
        const light = run(Type, amsgrad, () => stats);
        const full = run(Type, amsgrad, () => new Tracer({ histogram: { bins: 8 } }));
        expect(bits(light.params)).toBe(bits(untraced.params));
        expect(bits(light.state)).toBe(bits(untraced.state));
        expect(bits(full.params)).toBe(bits(untraced.params));
        expect(bits(full.state)).toBe(bits(untraced.state));
      });
    }
  }
});
