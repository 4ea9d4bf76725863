/**
 * torch.nn.LayerNorm over the last dimension: normalizes each row to zero
 * mean and unit (biased) variance, then applies an elementwise affine map
 * with weight γ (initialized to ones) and bias β (zeros), as torch.
 */
import type { DType } from '../tensor/dtype';
import { layerNorm } from '../tensor/layerNorm';
import { Tensor } from '../tensor/tensor';
import { BaseModule, type NamedParameter } from './module';

export interface LayerNormOptions {
  eps?: number;
  /** Learnable γ and β (default true). */
  elementwiseAffine?: boolean;
  /** Learnable β when elementwiseAffine (default true), as torch's `bias` argument. */
  bias?: boolean;
  dtype?: DType;
}

export class LayerNorm extends BaseModule {
  readonly kind = 'LayerNorm';
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(
    readonly normalizedShape: number,
    options: LayerNormOptions = {},
  ) {
    super();
    if (!Number.isInteger(normalizedShape) || normalizedShape < 1) {
      throw new RangeError(`LayerNorm: normalizedShape must be a positive integer, got ${normalizedShape}`);
    }
    this.eps = options.eps ?? 1e-5;
    const dtype = options.dtype ?? 'float32';
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? Tensor.ones([normalizedShape], { dtype, requiresGrad: true }) : null;
    this.bias = affine && options.bias !== false ? Tensor.zeros([normalizedShape], { dtype, requiresGrad: true }) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override namedParameters(): NamedParameter[] {
    const params: NamedParameter[] = [];
    if (this.weight) params.push({ name: 'weight', tensor: this.weight });
    if (this.bias) params.push({ name: 'bias', tensor: this.bias });
    return params;
  }
}
