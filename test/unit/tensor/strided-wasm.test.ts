/**
 * Strided copies, scatters and column sums in WebAssembly (stridedWasm.ts)
 * against plain definitions of what views.ts's, indexing.ts's and matmul.ts's
 * JavaScript loops compute: the same bits for every value a float can hold
 * (±0, ±∞, NaN, subnormals, the extremes), in float32 and float64, for the
 * geometries a transformer makes (head splits, key transposes, qkv splits)
 * and odd ones (runs with and without a SIMD tail, broadcast strides,
 * size-1 and mergeable dimensions, an offset base); and the ops that use them
 * (permute, transpose, split, narrow, linear's bias gradient) above and below
 * the length where the kernels take over.
 */
import { describe, expect, it } from 'vitest';
import { add, mul } from '../../../engine/tensor/binary';
import { split } from '../../../engine/tensor/concat';
import type { FloatArray } from '../../../engine/tensor/dtype';
import { narrow } from '../../../engine/tensor/indexing';
import { linear } from '../../../engine/tensor/matmul';
import { sum } from '../../../engine/tensor/reduce';
import { columnSumsWasm, stridedCopyWasm, stridedScatterWasm } from '../../../engine/tensor/stridedWasm';
import { Tensor } from '../../../engine/tensor/tensor';
import { contiguousStrides, permute, transpose } from '../../../engine/tensor/views';

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 5e-324, -5e-324, 3.4e38, -3.4e38, 1.7e308, -1.7e308, 1, -1, 0.5, -0.5, 1e-310];

function values(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (i % 3 === 0 ? SPECIAL[(i / 3 + seed) % SPECIAL.length]! : Math.sin(i * 12.9898 + seed) * 10 ** ((i % 11) - 5)));
}

/**
 * The bits, so that −0 and +0 are told apart; every NaN is one value (the sign and payload of a NaN an
 * addition makes are not specified, in JavaScript or WebAssembly).
 */
function bits(a: FloatArray): (number | string)[] {
  const raw = a instanceof Float32Array ? Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)) : Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), Number);
  return raw.map((b, i) => (Number.isNaN(a[i]) ? 'NaN' : b));
}

/** Position on the strided side of contiguous element p. */
function position(p: number, base: number, shape: readonly number[], strides: readonly number[]): number {
  let at = base;
  for (let d = shape.length - 1; d >= 0; d--) {
    at += (p % shape[d]!) * strides[d]!;
    p = Math.floor(p / shape[d]!);
  }
  return at;
}

interface Geometry {
  label: string;
  sourceLength: number;
  base: number;
  shape: number[];
  strides: number[];
}

/** A permutation of a contiguous tensor, as permute's gather. */
function permutation(label: string, shape: number[], perm: number[]): Geometry {
  const strides = contiguousStrides(shape);
  return { label, sourceLength: shape.reduce((a, b) => a * b, 1), base: 0, shape: perm.map((p) => shape[p]!), strides: perm.map((p) => strides[p]!) };
}

const GEOMETRIES: Geometry[] = [
  permutation('head split [B, T, H, D] → [B, H, T, D]', [4, 16, 4, 32], [0, 2, 1, 3]),
  permutation('key transpose [B, H, T, D] → [B, H, D, T]', [2, 4, 16, 32], [0, 1, 3, 2]),
  permutation('odd runs [3, 5, 7, 9] → [2, 0, 3, 1]', [3, 5, 7, 9], [2, 0, 3, 1]),
  permutation('a tail-only run [13, 3, 41] → [0, 2, 1]', [13, 3, 41], [0, 2, 1]),
  { label: 'qkv split, third piece', sourceLength: 4 * 16 * 96, base: 64, shape: [4, 16, 32], strides: [16 * 96, 96, 1] },
  { label: 'qkv split, odd piece', sourceLength: 5 * 7 * 99, base: 33, shape: [5, 7, 33], strides: [7 * 99, 99, 1] },
  { label: 'size-1 and mergeable dimensions', sourceLength: 6 * 50 * 11, base: 0, shape: [1, 6, 1, 50, 11], strides: [0, 550, 0, 11, 1] },
  { label: 'a slice with a step', sourceLength: 40 * 90, base: 5, shape: [40, 29], strides: [90, 3] },
  { label: 'one long run', sourceLength: 5000, base: 17, shape: [4001], strides: [1] },
];

/** A broadcast (expand's gather: stride 0 repeats); no scatter goes with it. */
const BROADCAST: Geometry = { label: 'expand [1, 37] → [60, 37], then [60, 1] → [60, 37]', sourceLength: 60 * 37, base: 0, shape: [60, 37, 2], strides: [0, 1, 0] };

describe('strided copies in WebAssembly', () => {
  for (const Array_ of [Float32Array, Float64Array]) {
    const dtype = Array_ === Float32Array ? 'float32' : 'float64';

    it(`gather: the elements at base + Σ index·stride, bit for bit (${dtype})`, () => {
      for (const g of [...GEOMETRIES, BROADCAST]) {
        const data = Array_.from(values(g.sourceLength, g.shape.length));
        const n = g.shape.reduce((a, b) => a * b, 1);
        const out = new Array_(n).fill(7);
        expect(stridedCopyWasm(data, g.base, g.shape, g.strides, out), g.label).toBe(true);
        const want = new Array_(n);
        for (let p = 0; p < n; p++) want[p] = data[position(p, g.base, g.shape, g.strides)]!;
        expect(bits(out), g.label).toEqual(bits(want));
      }
    });

    it(`scatter and scatter-add: written or added at the same positions, the rest untouched, bit for bit (${dtype})`, () => {
      for (const g of GEOMETRIES) {
        const n = g.shape.reduce((a, b) => a * b, 1);
        const v = Array_.from(values(n, 5));
        for (const add of [false, true]) {
          const target = Array_.from(values(g.sourceLength, 11));
          const want = target.slice();
          for (let p = 0; p < n; p++) {
            const at = position(p, g.base, g.shape, g.strides);
            want[at] = add ? want[at]! + v[p]! : v[p]!;
          }
          expect(stridedScatterWasm(v, target, g.base, g.shape, g.strides, add), g.label).toBe(true);
          expect(bits(target), `${g.label}, ${add ? 'add' : 'set'}`).toEqual(bits(want));
        }
      }
    });

    it(`column sums: each column's float64 sum, rows in order (${dtype}; widths around the 16- and 2-column blocks)`, () => {
      for (const [rows, cols] of [[1, 1], [3, 5], [64, 16], [37, 33], [1024, 130], [9, 512]] as const) {
        const g = Array_.from(values(rows * cols, cols).map((v) => (Number.isFinite(v) ? v : 0.25)));
        // A column of ±∞ and NaN too, where the sum's order decides nothing but the value must propagate.
        if (cols > 2) for (let r = 0; r < rows; r++) g[r * cols + 2] = SPECIAL[r % SPECIAL.length]!;
        const acc = new Float64Array(cols).fill(7);
        expect(columnSumsWasm(g, rows, cols, acc)).toBe(true);
        const want = new Float64Array(cols);
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += g[r * cols + j]!;
          want[j] = s;
        }
        expect(bits(acc), `${rows}×${cols}`).toEqual(bits(want));
      }
    });
  }

  it('declines mixed dtypes and mismatched sizes, writing nothing', () => {
    const out = new Float32Array(64).fill(7);
    expect(stridedCopyWasm(new Float64Array(64), 0, [64], [1], out)).toBe(false);
    expect(stridedScatterWasm(new Float64Array(64), out, 0, [64], [1], true)).toBe(false);
    expect(Array.from(out).every((v) => v === 7)).toBe(true);
    const acc = new Float64Array(4).fill(7);
    expect(columnSumsWasm(new Float32Array(10), 3, 4, acc)).toBe(false);
    expect(Array.from(acc).every((v) => v === 7)).toBe(true);
  });
});

describe('the ops on the kernels, above and below STRIDED_WASM_MIN_LENGTH', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`permute and transpose move values and gradients as the index formula says (${dtype})`, () => {
      for (const shape of [[2, 3, 4, 5], [4, 16, 4, 32], [3, 50, 4, 9]]) {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = values(n, 2);
        const x = Tensor.from(data, shape, { dtype, requiresGrad: true });
        const y = permute(x, [0, 2, 3, 1]);
        const xs = contiguousStrides(shape);
        const yShape = [shape[0]!, shape[2]!, shape[3]!, shape[1]!];
        const ys = [xs[0]!, xs[2]!, xs[3]!, xs[1]!];
        const want = Tensor.from(Array.from({ length: n }, (_, p) => data[position(p, 0, yShape, ys)]!), yShape, { dtype });
        expect(bits(y.data), `${shape}`).toEqual(bits(want.data));
        const g = Tensor.from(values(n, 9), yShape, { dtype });
        y.backward(g.data);
        const gx = new (dtype === 'float32' ? Float32Array : Float64Array)(n);
        for (let p = 0; p < n; p++) gx[position(p, 0, yShape, ys)] = g.data[p]!;
        expect(bits(x.grad!), `${shape}`).toEqual(bits(gx));
        const t = transpose(x, -2, -1);
        expect(t.shape).toEqual([shape[0], shape[1], shape[3], shape[2]]);
      }
    });

    it(`split's pieces and their gradient, and narrow's (${dtype})`, () => {
      for (const [B, T, C] of [[2, 3, 4], [4, 16, 32], [3, 40, 33]] as const) {
        const n = B * T * 3 * C;
        const data = values(n, 4);
        const x = Tensor.from(data, [B, T, 3 * C], { dtype, requiresGrad: true });
        const pieces = split(x, C, 2);
        const middle = narrow(x, 2, C, C);
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        // Finite weights, no zeros (a −0's sign in a sum of gradients would depend on the order they meet in).
        const ws = [0, 1, 2, 3].map((i) => values(B * T * C, 20 + i).map((v) => (Number.isFinite(v) && Math.fround(v) !== 0 ? v : 2)));
        const wantGrad = new Array<number>(n).fill(0);
        let loss = sum(mul(middle, Tensor.from(ws[3]!, [B, T, C], { dtype })));
        pieces.forEach((piece, i) => {
          for (let p = 0; p < B * T * C; p++) {
            const at = position(p, i * C, [B, T, C], [T * 3 * C, 3 * C, 1]);
            expect(Object.is(piece.data[p], round(data[at]!)), `[${B}, ${T}, ${C}] piece ${i}`).toBe(true);
            // ∂(Σ piece ⊙ w)/∂piece = w; the middle piece is also narrow's, whose w adds to it.
            wantGrad[at] = i === 1 ? round(round(ws[i]![p]!) + round(ws[3]![p]!)) : round(ws[i]![p]!);
          }
          loss = add(loss, sum(mul(piece, Tensor.from(ws[i]!, [B, T, C], { dtype }))));
        });
        loss.backward();
        expect(bits(x.grad!), `[${B}, ${T}, ${C}]`).toEqual(bits(Tensor.from(wantGrad, [B, T, 3 * C], { dtype }).data));
      }
    });

    it(`linear's bias gradient is each column's float64 sum, rows in order, rounded once (${dtype})`, () => {
      for (const [rows, out] of [[5, 7], [64, 48], [300, 33]]) {
        const x = Tensor.from(values(rows * 3, 1).map((v) => (Number.isFinite(v) ? v : 1)), [rows, 3], { dtype });
        const w = Tensor.from(values(out * 3, 2).map((v) => (Number.isFinite(v) ? v : 1)), [out, 3], { dtype });
        const b = Tensor.from(values(out, 3).map((v) => (Number.isFinite(v) ? v : 1)), [out], { dtype, requiresGrad: true });
        const y = linear(x, w, b);
        const g = Tensor.from(values(rows * out, 4), [rows, out], { dtype });
        y.backward(g.data);
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        for (let j = 0; j < out; j++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += g.data[r * out + j]!;
          expect(Object.is(b.grad![j], round(s)), `${rows}×${out}, column ${j}`).toBe(true);
        }
      }
    });
  }
});


describe('kernel memory', () => {
  it('declines a call needing more than 2 GiB of module memory, leaving the caller its loops', async () => {
    const { growMemory } = await import('../../../engine/tensor/wasmOperands');
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(growMemory(memory, 2 ** 31 + 1)).toBe(false);
    expect(memory.buffer.byteLength).toBe(65536);
    expect(growMemory(memory, 3 * 65536)).toBe(true);
    expect(memory.buffer.byteLength).toBe(3 * 65536);
    // A span past 2 GiB (a gather of one element from each end of a huge virtual source) is declined.
    const out = new Float32Array(2048);
    expect(stridedCopyWasm(new Float32Array(4096), 0, [2, 1024], [2 ** 29, 1], out)).toBe(false);
  });
});
