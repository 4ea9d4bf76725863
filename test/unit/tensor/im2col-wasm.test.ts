/**
 * The WebAssembly im2col and col2im (im2colWasm.ts) against the JavaScript
 * loops (im2col.ts's im2colJs, col2imJs): the same bits for every entry, over
 * geometries with odd sizes, strides, paddings (wider than the kernel's reach
 * too, so that whole rows fall into it), dilations, 1-D windows and both
 * dtypes; col2im adding into a gradient that already holds values, as the
 * accumulation order decides the float32 bits.
 */
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { col2im, col2imJs, im2col, im2colJs, type WindowGeometry } from '../../../engine/tensor/im2col';
import { col2imWasm, im2colWasm, im2colWasmAvailable } from '../../../engine/tensor/im2colWasm';

/** A geometry from input size, kernel, stride, padding and dilation, with the convolution's output size. */
function geometry(C: number, H: number, W: number, KH: number, KW: number, s: [number, number], p: [number, number], d: [number, number]): WindowGeometry {
  const OH = Math.floor((H + 2 * p[0] - d[0] * (KH - 1) - 1) / s[0]) + 1;
  const OW = Math.floor((W + 2 * p[1] - d[1] * (KW - 1) - 1) / s[1]) + 1;
  return { C, H, W, KH, KW, strideH: s[0], strideW: s[1], padTop: p[0], padLeft: p[1], dilationH: d[0], dilationW: d[1], OH, OW };
}

const GEOMETRIES: [string, WindowGeometry][] = [
  ['MNIST conv2: 32×26×26, 3×3', geometry(32, 26, 26, 3, 3, [1, 1], [0, 0], [1, 1])],
  ['odd sizes, padding 1', geometry(3, 7, 5, 3, 3, [1, 1], [1, 1], [1, 1])],
  ['stride 2, padding 2, 5×5', geometry(4, 13, 11, 5, 5, [2, 2], [2, 2], [1, 1])],
  ['stride (3, 2), dilation (2, 3), padding (1, 3)', geometry(2, 17, 19, 3, 2, [3, 2], [1, 3], [2, 3])],
  ['padding past the kernel reach (rows all zero)', geometry(3, 4, 6, 2, 2, [1, 1], [3, 2], [1, 1])],
  ['1-D window (H = KH = 1), stride 2', geometry(5, 1, 101, 1, 7, [1, 2], [0, 3], [1, 2])],
  ['1×1 kernel, stride 2', geometry(6, 9, 9, 1, 1, [2, 2], [0, 0], [1, 1])],
];

function random(n: number, seed: number, single: boolean): Float32Array | Float64Array {
  const gen = new TorchGenerator(seed);
  const out = single ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = gen.uniform() * 2 - 1;
  return out;
}

function expectSameBits(actual: Float32Array | Float64Array, expected: Float32Array | Float64Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const bytes = (a: Float32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const a = bytes(actual);
  const e = bytes(expected);
  for (let i = 0; i < a.length; i++) {
    const at = Math.floor(i / actual.BYTES_PER_ELEMENT);
    if (a[i] !== e[i]) expect.fail(`${what}: entry ${at} is ${actual[at]}, the JavaScript loop gives ${expected[at]}`);
  }
}

describe('im2col and col2im in WebAssembly = the JavaScript loops, bit for bit', () => {
  it('loads (Node has WebAssembly SIMD)', () => {
    expect(im2colWasmAvailable()).toBe(true);
  });

  for (const single of [true, false]) {
    for (const [label, g] of GEOMETRIES) {
      it(`${label}, ${single ? 'float32' : 'float64'}`, () => {
        const sample = g.C * g.H * g.W;
        const columns = g.C * g.KH * g.KW * g.OH * g.OW;
        // Three samples; the second is the one transformed, so offsets matter.
        const x = random(3 * sample, 1, single);
        const make = (n: number) => (single ? new Float32Array(n) : new Float64Array(n));
        const ours = make(columns).fill(7); // stale values: every entry must be written
        const reference = make(columns);
        expect(im2colWasm(x, sample, g, ours)).toBe(true);
        im2colJs(x, sample, g, reference);
        expectSameBits(ours, reference, 'im2col');

        const cols = random(columns, 2, single);
        const gradOurs = random(3 * sample, 3, single);
        const gradReference = gradOurs.slice();
        expect(col2imWasm(cols, g, gradOurs, sample)).toBe(true);
        col2imJs(cols, g, gradReference, sample);
        expectSameBits(gradOurs, gradReference, 'col2im');

        // The dispatching functions give the same, whichever loop they pick for the size.
        const viaDispatch = make(columns);
        im2col(x, sample, g, viaDispatch);
        expectSameBits(viaDispatch, reference, 'im2col (dispatch)');
        const gradDispatch = gradReference.slice();
        const gradTwice = gradReference.slice();
        col2im(cols, g, gradDispatch, sample);
        col2imJs(cols, g, gradTwice, sample);
        expectSameBits(gradDispatch, gradTwice, 'col2im (dispatch)');
      });
    }
  }

  it('col2im is the adjoint of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ (float64)', () => {
    for (const [label, g] of GEOMETRIES) {
      const x = random(g.C * g.H * g.W, 4, false);
      const c = random(g.C * g.KH * g.KW * g.OH * g.OW, 5, false);
      const cols = new Float64Array(c.length);
      expect(im2colWasm(x, 0, g, cols)).toBe(true);
      const back = new Float64Array(x.length);
      expect(col2imWasm(c, g, back, 0)).toBe(true);
      let left = 0;
      let right = 0;
      for (let i = 0; i < c.length; i++) left += cols[i]! * c[i]!;
      for (let i = 0; i < x.length; i++) right += x[i]! * back[i]!;
      expect(Math.abs(left - right), label).toBeLessThan(1e-9 * (1 + Math.abs(left)));
    }
  });
});
