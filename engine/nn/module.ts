/**
 * The module contract, as a minimal `torch.nn.Module`: a forward function of
 * one tensor, parameters listed under their `state_dict` names, and a
 * training/evaluation mode (which only Dropout observes here).
 */
import type { Tensor } from '../tensor/tensor';

export interface NamedParameter {
  /** `state_dict` name relative to this module, e.g. `weight` or `fc1.bias`. */
  name: string;
  tensor: Tensor;
}

export interface Module {
  /** The torch class name (`Linear`, `ReLU`, …), e.g. for labels in views. */
  readonly kind: string;
  /** True in training mode (torch's default for a new module). */
  readonly training: boolean;
  forward(x: Tensor): Tensor;
  /** Parameters in registration order, as `named_parameters()`. */
  namedParameters(): NamedParameter[];
  /** Sets training mode (recursively for containers); returns this, as torch. */
  train(mode?: boolean): this;
  /** Same as `train(false)`. */
  eval(): this;
}

/** Shared mode bookkeeping for leaf modules; containers override `train`. */
export abstract class BaseModule implements Module {
  abstract readonly kind: string;
  training = true;

  abstract forward(x: Tensor): Tensor;

  namedParameters(): NamedParameter[] {
    return [];
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }
}

/** The parameter tensors alone, in `namedParameters()` order. */
export function parameters(module: Module): Tensor[] {
  return module.namedParameters().map((p) => p.tensor);
}

/** Clears every parameter's gradient, as `module.zero_grad()` (set_to_none=True). */
export function zeroGrad(module: Module): void {
  for (const { tensor } of module.namedParameters()) tensor.zeroGrad();
}
