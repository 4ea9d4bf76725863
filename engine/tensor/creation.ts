/**
 * Tensor factories of torch's functional API (`torch.zeros`, `ones`, `full`,
 * `arange`) and the triangular masks `tril` / `triu` that build causal
 * attention masks (`torch.tril(torch.ones(T, T))`).
 *
 * Factories make leaves (no gradient unless asked). `tril`/`triu` keep the
 * elements on and below (above) the `diagonal`-th diagonal of the last two
 * dimensions and zero the rest, as torch: element (i, j) is kept by tril iff
 * j − i ≤ diagonal, by triu iff j − i ≥ diagonal. Their gradient is g with
 * the same elements zeroed. Values are copied: bit-exact with torch.
 */
import { allocate, type DType } from './dtype';
import { opResult } from './op';
import { formatShape } from './shape';
import { Tensor, type TensorOptions } from './tensor';

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return Tensor.zeros(shape, options);
}

export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return Tensor.ones(shape, options);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return Tensor.full(shape, value, options);
}

/**
 * `torch.arange(start, end, step)` (or `arange(end)`): start, start + step, …
 * below `end` (above it for a negative step); ⌈(end − start)/step⌉ values,
 * each start + i·step computed in float64 and rounded once, as torch does.
 */
export function arange(start: number, end?: number, step = 1, options: { dtype?: DType } = {}): Tensor {
  const [from, to] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step)) throw new RangeError('arange: step must be nonzero and finite');
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError('arange: bounds must be finite');
  if ((to - from) / step < 0) throw new RangeError(`arange: upper bound and larger bound inconsistent with step sign (${from}, ${to}, ${step})`);
  const count = Math.ceil((to - from) / step);
  const data = allocate(options.dtype ?? 'float32', count);
  for (let i = 0; i < count; i++) data[i] = from + i * step;
  return new Tensor(data, [count]);
}

function triangle(name: string, x: Tensor, diagonal: number, lower: boolean): Tensor {
  if (x.ndim < 2) throw new RangeError(`${lower ? 'tril' : 'triu'}: input must have at least 2 dimensions, got ${formatShape(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new RangeError(`${lower ? 'tril' : 'triu'}: diagonal must be an integer, got ${diagonal}`);
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  const keep = (g: ArrayLike<number>, out: Tensor['data']): void => {
    for (let base = 0; base < out.length; base += rows * cols) {
      for (let i = 0; i < rows; i++) {
        // tril keeps j ≤ i + diagonal, triu keeps j ≥ i + diagonal.
        const edge = i + diagonal;
        const from = lower ? 0 : Math.max(0, edge);
        const to = lower ? Math.min(cols, edge + 1) : cols;
        const row = base + i * cols;
        for (let j = from; j < to; j++) out[row + j] = g[row + j]!;
      }
    }
  };
  const out = allocate(x.dtype, x.numel);
  keep(x.data, out);
  return opResult(name, out, x.shape, [x], (g) => {
    const gx = allocate(x.dtype, g.length);
    keep(g, gx);
    return [gx];
  });
}

/** `torch.tril(x, diagonal)`: the lower triangle of the last two dimensions. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('TrilBackward', x, diagonal, true);
}

/** `torch.triu(x, diagonal)`: the upper triangle of the last two dimensions. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('TriuBackward', x, diagonal, false);
}
