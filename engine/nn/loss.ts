/**
 * Loss modules (torch.nn.MSELoss, …): the functional losses of
 * engine/tensor/loss with their options fixed at construction.
 * `forward(input, target)` returns the loss tensor.
 */
import { bceLoss, bceWithLogitsLoss, type BceWithLogitsOptions } from '../tensor/loss/binary';
import { crossEntropyLoss, type CrossEntropyOptions } from '../tensor/loss/crossEntropy';
import type { LossOptions } from '../tensor/loss/reduction';
import { huberLoss, l1Loss, mseLoss, smoothL1Loss, type HuberOptions, type SmoothL1Options } from '../tensor/loss/regression';
import type { Tensor } from '../tensor/tensor';

/** A loss: `Tensor` targets for regression/binary losses, class indices for cross-entropy. */
export interface Criterion<Target = Tensor> {
  readonly kind: string;
  forward(input: Tensor, target: Target): Tensor;
}

export class MSELoss implements Criterion {
  readonly kind = 'MSELoss';
  constructor(readonly options: LossOptions = {}) {}
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

export class L1Loss implements Criterion {
  readonly kind = 'L1Loss';
  constructor(readonly options: LossOptions = {}) {}
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.options);
  }
}

export class SmoothL1Loss implements Criterion {
  readonly kind = 'SmoothL1Loss';
  constructor(readonly options: SmoothL1Options = {}) {}
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, this.options);
  }
}

export class HuberLoss implements Criterion {
  readonly kind = 'HuberLoss';
  constructor(readonly options: HuberOptions = {}) {}
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, this.options);
  }
}

export class BCELoss implements Criterion {
  readonly kind = 'BCELoss';
  constructor(readonly options: LossOptions = {}) {}
  forward(input: Tensor, target: Tensor): Tensor {
    return bceLoss(input, target, this.options);
  }
}

export class BCEWithLogitsLoss implements Criterion {
  readonly kind = 'BCEWithLogitsLoss';
  constructor(readonly options: BceWithLogitsOptions = {}) {}
  forward(input: Tensor, target: Tensor): Tensor {
    return bceWithLogitsLoss(input, target, this.options);
  }
}

export class CrossEntropyLoss implements Criterion<ArrayLike<number>> {
  readonly kind = 'CrossEntropyLoss';
  constructor(readonly options: CrossEntropyOptions = {}) {}
  forward(input: Tensor, target: ArrayLike<number>): Tensor {
    return crossEntropyLoss(input, target, this.options);
  }
}
