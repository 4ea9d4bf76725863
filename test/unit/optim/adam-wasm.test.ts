/**
 * AdamW's per-element kernels compiled to WebAssembly (engine/optim/adamWasm.ts)
 * against the JavaScript loops they replace for all but the smallest tensors:
 * the same bits, element by element, in float32 (fma32 emulation included, at
 * its midpoint cases too) and float64, with and without amsgrad, for sizes on
 * both sides of every SIMD, loop and chunk boundary: each WebAssembly kernel
 * is called directly (for any size) beside its JavaScript loop, then the
 * optimizer's own dispatch is checked on tensors above the size threshold.
 * The traced kernels' sums (in double, summed in another order than the
 * JavaScript loops) are compared to a relative 1e-12, their min and max and
 * every non-finite outcome exactly.
 */
import { describe, expect, it } from 'vitest';
import { adamw, step, Tracer, type CollectingSink, type Params, type StepTrace } from '../../../engine/optim';
import { decayExcept } from '../../../engine/optim/masks';
import { StatsTracer } from '../../../engine/run';
import { findNonFinite } from '../../../engine/run';
import { adamKernel, adamKernelWasm, adamSums, scaleByAdam, type AdamParamState } from '../../../engine/optim/adam';
import { ADAMW_WASM_MIN_LENGTH, adamWasmAvailable, decayAndRatioWasm } from '../../../engine/optim/adamWasm';
import { applyUpdates, decayAndRatioTraced, fuseDecayAndRatio, fuseDecayAndRatioWasm } from '../../../engine/optim/apply';
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

/**
 * Sums from the WebAssembly kernels against the JavaScript loops': a relative 1e-12 (another summation
 * order); min and max (adamSums's slots 3 and 4) and non-finite sums exactly.
 */
function expectSameSums(wasm: Float64Array, js: Float64Array, what: string): void {
  js.forEach((expected, i) => {
    const actual = wasm[i]!;
    if (!Number.isFinite(expected) || (js.length === 8 && (i === 3 || i === 4))) expect(Object.is(actual, expected), `${what}, sum ${i}: ${actual} vs ${expected}`).toBe(true);
    else expect(Math.abs(actual - expected), `${what}, sum ${i}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
  });
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 100, 1000, 4099, 16384, 65539]; // the last two: one and several chunks (adamWasm.ts)

describe('AdamW kernels in WebAssembly', () => {
  it('are available in Node, and take the article model\'s tensors of 100 and 1,000 elements (not those of 10 and 1)', () => {
    // The threshold is where a call's fixed cost (copying operands in and out, ~10 ns a copy, and the call)
    // stops outweighing the per-element gain (scripts/bench-adamw-kernels.mjs): a few dozen elements. The
    // article model's larger tensors must take the kernels, or its training step keeps the slow JavaScript
    // emulation of torch's float32 FMA.
    expect(adamWasmAvailable()).toBe(true);
    expect(ADAMW_WASM_MIN_LENGTH).toBeGreaterThan(10);
    expect(ADAMW_WASM_MIN_LENGTH).toBeLessThanOrEqual(100);
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
        // The Adam term alone (a tensor in a no-decay group): the ratio update θ + (c·n)/q, torch's addcdiv_.
        const ratioOnly: Term[] = [{ kind: 'ratio', label: 'adam', numer, denom, scale: -1e-3, divisor: 1 - 0.9 ** 3 }];
        const A = arithmeticOf(theta);
        const c = A.round(-1e-3 / (1 - 0.9 ** 3));
        const expected = theta.map((t, i) => A.round(t + A.round(A.round(c * numer[i]!) / denom[i]!)));
        for (const fuse of [fuseDecayAndRatioWasm, fuseDecayAndRatio]) {
          const after = theta.slice();
          expect(fuse(after, ratioOnly, A)).toBe(true);
          expect(firstDifference(after, expected)).toBe(-1);
        }
      }
    });
  }

  for (const Type of [Float32Array, Float64Array] as const) {
    for (const amsgrad of [false, true]) {
      it(`Adam moments with a trace's sums: same bits, and adamSums's sums, ${Type.name}${amsgrad ? ', amsgrad' : ''}, sizes 1 … ${SIZES.at(-1)}`, () => {
        const rand = random(Type === Float32Array ? 23 : 29);
        const epsilon = arithmeticOf(new Type(1)).round(1e-8);
        let nonFinite = 0;
        for (const n of SIZES) {
          for (const specials of [false, true]) {
            const wasm = state(values(rand, n, Type, specials), values(rand, n, Type, specials, true), amsgrad ? values(rand, n, Type, specials, true) : null);
            const js = state(wasm.m, wasm.v, wasm.vMax);
            const g = values(rand, n, Type, specials);
            const fromWasm = new Float64Array(8).fill(-1); // overwritten, not added to
            expect(adamKernelWasm(g, wasm, 0.9, 0.999, 1e-8, Math.sqrt(1 - 0.999 ** 2), fromWasm)).toBe(true);
            adamKernel(g, js, 0.9, 0.999, 1e-8, Math.sqrt(1 - 0.999 ** 2));
            expectSameState(wasm, js);
            const fromJs = adamSums(js.m, js.denom, epsilon, new Float64Array(8));
            expectSameSums(fromWasm, fromJs, `n = ${n}`);
            if (!fromJs.every(Number.isFinite)) nonFinite++;
          }
        }
        expect(nonFinite).toBeGreaterThan(3); // NaN and ±∞ among the sums were compared too
      });
    }

    it(`AdamW θ update with a trace's squares: same bits, and the JavaScript loop's Σθ² and ΣΔθ², ${Type.name}, sizes 1 … ${SIZES.at(-1)}`, () => {
      const rand = random(Type === Float32Array ? 31 : 37);
      const A = arithmeticOf(new Type(1));
      for (const n of SIZES) {
        for (const specials of [false, true]) {
          const theta = values(rand, n, Type, specials);
          const numer = values(rand, n, Type, specials);
          const denom = values(rand, n, Type, specials, true);
          const keep = A.round(1 - 1e-3 * 0.1);
          const c = A.round(-1e-3 / 0.19);
          const wasm = theta.slice();
          const js = theta.slice();
          const fromWasm = Float64Array.of(-1, -1);
          const fromJs = new Float64Array(2);
          const before = new Float64Array(n);
          expect(decayAndRatioWasm(wasm, numer, denom, keep, c, fromWasm)).toBe(true);
          decayAndRatioTraced(js, numer, denom, keep, c, A, before, fromJs);
          expect(firstDifference(wasm, js)).toBe(-1);
          expect(firstDifference(before, theta)).toBe(-1);
          expectSameSums(fromWasm, fromJs, `n = ${n}`);
          // Untraced, the same bits again.
          const plain = theta.slice();
          expect(decayAndRatioWasm(plain, numer, denom, keep, c)).toBe(true);
          expect(firstDifference(plain, js)).toBe(-1);
        }
      }
    });

    it(`give the same bits for many distinct tensor lengths (more than the views kept per length), ${Type.name}`, () => {
      const rand = random(41);
      for (let round = 0; round < 2; round++) {
        for (let n = 1; n <= 80; n++) {
          const wasm = state(values(rand, n, Type, false), values(rand, n, Type, false, true), null);
          const js = state(wasm.m, wasm.v, null);
          const g = values(rand, n, Type, false);
          expect(adamKernelWasm(g, wasm, 0.9, 0.999, 1e-8, 0.5)).toBe(true);
          adamKernel(g, js, 0.9, 0.999, 1e-8, 0.5);
          expectSameState(wasm, js);
          const terms: Term[] = [
            { kind: 'decay', label: 'decay', scale: -1e-4, divisor: 1 },
            { kind: 'ratio', label: 'adam', numer: js.m, denom: js.denom, scale: -1e-3, divisor: 0.1 },
          ];
          const theta = values(rand, n, Type, false);
          const after = theta.slice();
          expect(fuseDecayAndRatioWasm(after, terms, arithmeticOf(after))).toBe(true);
          fuseDecayAndRatio(theta, terms, arithmeticOf(theta));
          expect(firstDifference(after, theta)).toBe(-1);
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

describe('a traced AdamW step on tensors above the threshold', () => {
  // Untraced, θ takes the WebAssembly loop; traced by sums (StatsTracer), the WebAssembly kernels that also
  // sum; fully traced, the term-by-term path. Below the threshold (the bias) JavaScript throughout. Sizes:
  // just above the threshold, the article's largest, and several chunks.
  const SIZES_TRACED = { 'fc.weight': ADAMW_WASM_MIN_LENGTH + 7, 'fc2.weight': 1000, 'fc3.weight': 2 * 16384 + 3, 'fc.bias': 9 };
  const tensors = (rand: () => number, Type: Ctor, specials: boolean): Params =>
    Object.fromEntries(Object.entries(SIZES_TRACED).map(([name, n]) => [name, values(rand, n, Type, specials)]));
  function run(Type: Ctor, amsgrad: boolean, sink?: () => CollectingSink) {
    const rand = random(11);
    const params = tensors(rand, Type, false);
    const tx = adamw({ lr: 1e-2, weightDecay: 0.1, amsgrad });
    let state = tx.init(params);
    for (let t = 0; t < 4; t++) state = step(tx, params, tensors(rand, Type, true), state, sink?.()).state;
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

describe('a traced AdamW step with a no-decay group (biases: the Adam term alone)', () => {
  const SIZES_NO_DECAY = { 'fc.weight': 300, 'fc.bias': 100, 'out.bias': 9 };
  for (const Type of [Float32Array, Float64Array] as const) {
    it(`gives the same bits traced and untraced, and the light trace's norms are the full Tracer's, ${Type.name}`, () => {
      const run = (sink?: () => CollectingSink) => {
        const rand = random(12);
        const params: Params = Object.fromEntries(Object.entries(SIZES_NO_DECAY).map(([name, n]) => [name, values(rand, n, Type, false)]));
        const tx = adamw({ lr: 1e-2, weightDecay: 0.1, mask: decayExcept(['*.bias']) });
        let state = tx.init(params);
        const traces = [];
        for (let t = 0; t < 3; t++) {
          const r = step(tx, params, Object.fromEntries(Object.entries(SIZES_NO_DECAY).map(([name, n]) => [name, values(rand, n, Type, false)])), state, sink?.());
          state = r.state;
          if (r.trace) traces.push(JSON.parse(JSON.stringify(r.trace)) as StepTrace);
        }
        return { params, traces };
      };
      const untraced = run();
      const stats = new StatsTracer();
      const light = run(() => stats);
      const full = run(() => new Tracer());
      expect(firstDifference(light.params['fc.bias']!, untraced.params['fc.bias']!)).toBe(-1);
      for (const name of Object.keys(SIZES_NO_DECAY)) {
        expect(firstDifference(light.params[name]!, untraced.params[name]!)).toBe(-1);
        expect(firstDifference(full.params[name]!, untraced.params[name]!)).toBe(-1);
      }
      for (let t = 0; t < 3; t++) {
        for (const name of Object.keys(SIZES_NO_DECAY)) {
          const lightTerms = light.traces[t]![name]!.terms;
          const fullTerms = full.traces[t]![name]!.terms;
          expect('update.decay' in lightTerms).toBe(name === 'fc.weight');
          for (const key of ['param', 'update', 'update.adam', ...(name === 'fc.weight' ? ['update.decay'] : [])]) {
            expect(lightTerms[key]!.l2Norm / fullTerms[key]!.l2Norm - 1, `${name} ${key} at step ${t + 1}`).toBeCloseTo(0, 12);
          }
        }
      }
    });
  }
});

describe('untrustworthy sums on the WebAssembly path fall back to the values', () => {
  // A NaN gradient in a tensor that takes the WebAssembly kernels: the traced kernels' sums are NaN, the
  // light trace's sink rejects them (reportAdamSums, reportNorm), and the values are reported instead: the
  // same NaN counts and the same diagnosis as the full Tracer's.
  for (const Type of [Float32Array, Float64Array] as const) {
    it(`a NaN gradient element in a ${ADAMW_WASM_MIN_LENGTH * 3}-element ${Type.name} tensor is counted and named as by the full Tracer`, () => {
      const n = ADAMW_WASM_MIN_LENGTH * 3;
      const traceOf = (sink: CollectingSink) => {
        const rand = random(13);
        const params = { 'fc.weight': values(rand, n, Type, false), 'fc.bias': values(rand, 3, Type, false) };
        const grads = { 'fc.weight': values(rand, n, Type, false), 'fc.bias': values(rand, 3, Type, false) };
        grads['fc.weight'][5] = NaN;
        const tx = adamw({ lr: 1e-3 });
        return step(tx, params, grads, tx.init(params), sink).trace!;
      };
      const light = traceOf(new StatsTracer());
      const full = traceOf(new Tracer());
      const terms = light['fc.weight']!.terms;
      for (const [key, term] of Object.entries(terms)) expect(term.nan, key).toBe(full['fc.weight']!.terms[key]!.nan);
      for (const key of ['m', 'sqrtVHat', 'stepScale', 'update.adam', 'update']) expect(terms[key]?.nan, key).toBe(1);
      expect(terms['param']!.nan).toBe(0);
      expect(light['fc.bias']!.terms['update']!.nan).toBe(0);
      const report = findNonFinite(1, light, { eps: 1e-8 });
      expect(report).not.toBeNull();
      expect(report).toEqual(findNonFinite(1, full, { eps: 1e-8 }));
    });
  }
});
