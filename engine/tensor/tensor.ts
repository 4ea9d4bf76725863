/**
 * The autograd tensor: a dense, contiguous, row-major array of float32 or
 * float64 numbers plus the bookkeeping reverse-mode differentiation needs.
 *
 * Semantics follow `torch.Tensor`:
 *   - `requiresGrad` marks a tensor whose gradient we want; results of ops on
 *     such tensors record how they were computed (`gradFn`).
 *   - A *leaf* (`gradFn === null`, e.g. a parameter) that requires grad
 *     accumulates `∂L/∂leaf` into `grad` on every `backward()`, exactly like
 *     `.grad` in torch; intermediate results keep a `grad` only after
 *     `retainGrad()`.
 *   - `detach()` shares the storage, as `torch.Tensor.detach` does.
 *
 * Float32 rounding. Every op computes in float64 and writes its result into
 * the output's typed array; storing into a `Float32Array` is the same
 * round-to-nearest-even as `Math.fround`. For an elementary op (+, −, ×, ÷,
 * √) this single rounding is exactly what torch's CPU kernels produce. Where
 * torch rounds differently (float32 reductions, BLAS matmul, vectorized
 * transcendental and composite functions such as GELU or LayerNorm) the op's
 * module documents it; index.ts summarizes which float32 results are
 * bit-exact with torch.
 */
import { runBackward } from './autograd';
import { allocate, dtypeOf, numel, type DType, type DenseTensor, type FloatArray } from './dtype';
import { formatShape } from './shape';

/** How an op's result was computed: its inputs and the vector–Jacobian product. */
export interface GradFn {
  /** torch-style node name, e.g. `MulBackward`, for debugging and error messages. */
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /**
   * Given g = ∂L/∂output (same shape as the output), return ∂L/∂input_i for
   * each input, or null for inputs that need no gradient. A returned array may
   * alias `g` or another returned array; the engine never mutates them in place.
   */
  backward(gradOutput: FloatArray): readonly (FloatArray | null)[];
  /**
   * Optional, for a one-input op that reads a part of its input (an index, a
   * split's piece), whose gradient is zero elsewhere: adds ∂L/∂input into
   * `target`, a gradient of the input's size that the engine owns. The engine
   * calls it instead of `backward` when the input already has a gradient from
   * another use (the other pieces of a split), which spares a zero-filled
   * full-size array and an addition over all of it per piece.
   */
  addInputGradient?(gradOutput: FloatArray, target: FloatArray): void;
}

export interface TensorOptions {
  /** Storage type; 'float32' by default, as `torch.get_default_dtype()`. */
  dtype?: DType;
  requiresGrad?: boolean;
}

export class Tensor implements DenseTensor {
  readonly shape: readonly number[];
  readonly data: FloatArray;
  readonly dtype: DType;
  requiresGrad: boolean;
  /** Accumulated ∂L/∂this for leaves that require grad; null until the first backward. */
  grad: FloatArray | null = null;
  /** The op that produced this tensor, or null for a leaf. */
  readonly gradFn: GradFn | null;
  /** Whether a non-leaf keeps its gradient in `grad` (see `retainGrad`). */
  retainsGrad = false;

  /**
   * Wraps `data` without copying. Prefer the static factories; this
   * constructor is for ops that have just allocated their output.
   */
  constructor(data: FloatArray, shape: readonly number[], requiresGrad = false, gradFn: GradFn | null = null) {
    if (numel(shape) !== data.length) {
      throw new RangeError(`Tensor: shape ${formatShape(shape)} needs ${numel(shape)} elements, got ${data.length}`);
    }
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new RangeError(`Tensor: invalid shape ${formatShape(shape)}`);
    }
    this.shape = Object.freeze([...shape]);
    this.data = data;
    this.dtype = dtypeOf(data);
    this.requiresGrad = requiresGrad;
    this.gradFn = gradFn;
  }

  /**
   * A new tensor holding a copy of `values` (like `torch.tensor`). The shape
   * defaults to 1-D; the dtype defaults to that of a typed-array argument,
   * else float32.
   */
  static from(values: ArrayLike<number>, shape?: readonly number[], options: TensorOptions = {}): Tensor {
    const dtype = options.dtype ?? (values instanceof Float64Array ? 'float64' : 'float32');
    const data = allocate(dtype, values.length);
    for (let i = 0; i < values.length; i++) data[i] = values[i]!;
    return new Tensor(data, shape ?? [values.length], options.requiresGrad ?? false);
  }

  static zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
    return new Tensor(allocate(options.dtype ?? 'float32', numel(shape)), shape, options.requiresGrad ?? false);
  }

  static ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
    return Tensor.full(shape, 1, options);
  }

  static full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
    const t = Tensor.zeros(shape, options);
    t.data.fill(value);
    return t;
  }

  /** A 0-dimensional tensor (shape `[]`), like `torch.tensor(value)`. */
  static scalar(value: number, options: TensorOptions = {}): Tensor {
    return Tensor.full([], value, options);
  }

  get numel(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor, as `torch.Tensor.item`. */
  item(): number {
    if (this.data.length !== 1) throw new RangeError(`item(): tensor of shape ${formatShape(this.shape)} has ${this.data.length} elements`);
    return this.data[0]!;
  }

  toArray(): number[] {
    return Array.from(this.data);
  }

  /**
   * Reverse-mode differentiation from this tensor: visits the graph in reverse
   * topological order so that every node's gradient is complete (summed over
   * all its uses) before it is propagated further, then adds ∂L/∂leaf into
   * each leaf's `grad`.
   *
   * `gradient` is ∂L/∂this; it may be omitted only for one-element tensors
   * (then 1, as in torch). Unlike torch, the graph is not freed, so calling
   * backward twice accumulates twice instead of raising.
   */
  backward(gradient?: FloatArray | Tensor): void {
    if (!this.requiresGrad) throw new Error('backward(): tensor does not require grad and has no gradFn');
    let seed: FloatArray;
    if (gradient === undefined) {
      if (this.data.length !== 1) throw new Error(`backward(): gradient can be implicit only for one-element tensors, shape is ${formatShape(this.shape)}`);
      seed = allocate(this.dtype, 1);
      seed[0] = 1;
    } else {
      const g = gradient instanceof Tensor ? gradient.data : gradient;
      if (g.length !== this.data.length) throw new RangeError(`backward(): gradient has ${g.length} elements, tensor has ${this.data.length}`);
      seed = allocate(this.dtype, g.length);
      seed.set(g);
    }
    runBackward(this, seed);
  }

  /**
   * Keeps ∂L/∂this in `grad` during backward even though this is not a leaf,
   * as `torch.Tensor.retain_grad` — e.g. to look at gradients of layer
   * outputs through depth. Returns this.
   */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error('retainGrad(): tensor does not require grad');
    this.retainsGrad = true;
    return this;
  }

  /** Drops the accumulated gradient, as torch's `zero_grad(set_to_none=True)` (the default). */
  zeroGrad(): void {
    this.grad = null;
  }

  /** Same storage, cut from the graph: no grad, no gradFn. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** An independent copy of the values (a new leaf, like `clone().detach()`). */
  clone(): Tensor {
    return Tensor.from(this.data, this.shape, { dtype: this.dtype });
  }
}
