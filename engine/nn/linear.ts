/**
 * torch.nn.Linear: y = x·Wᵀ + b with weight W of shape [out, in] and bias b
 * of shape [out]. Parameters are allocated as zeros: initialization (torch's
 * `reset_parameters` or an explicit `torch.nn.init` call) is a separate step
 * applied by the initializer module.
 */
import type { DType } from '../tensor/dtype';
import { linear } from '../tensor/matmul';
import { Tensor } from '../tensor/tensor';
import { BaseModule, type NamedParameter } from './module';

export interface LinearOptions {
  bias?: boolean;
  dtype?: DType;
}

export class Linear extends BaseModule {
  readonly kind = 'Linear';
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [label, n] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`Linear: ${label} must be a non-negative integer, got ${n}`);
    }
    const dtype = options.dtype ?? 'float32';
    this.weight = Tensor.zeros([outFeatures, inFeatures], { dtype, requiresGrad: true });
    this.bias = options.bias === false ? null : Tensor.zeros([outFeatures], { dtype, requiresGrad: true });
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override namedParameters(): NamedParameter[] {
    const params: NamedParameter[] = [{ name: 'weight', tensor: this.weight }];
    if (this.bias) params.push({ name: 'bias', tensor: this.bias });
    return params;
  }
}
