/**
 * Parameter-free activation modules wrapping the functional forms in
 * engine/tensor/activation.ts and softmax.ts, with torch's constructor
 * defaults.
 */
import { elu, gelu, leakyRelu, relu, selu, sigmoid, silu, softplus, tanh, type GeluApproximate } from '../tensor/activation';
import { logSoftmax, softmax } from '../tensor/softmax';
import type { Tensor } from '../tensor/tensor';
import { BaseModule } from './module';

export class ReLU extends BaseModule {
  readonly kind = 'ReLU';
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class LeakyReLU extends BaseModule {
  readonly kind = 'LeakyReLU';
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
}

export class ELU extends BaseModule {
  readonly kind = 'ELU';
  constructor(readonly alpha = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
}

export class SELU extends BaseModule {
  readonly kind = 'SELU';
  forward(x: Tensor): Tensor {
    return selu(x);
  }
}

export class GELU extends BaseModule {
  readonly kind = 'GELU';
  constructor(readonly approximate: GeluApproximate = 'none') {
    super();
  }
  forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
}

export class SiLU extends BaseModule {
  readonly kind = 'SiLU';
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

export class Tanh extends BaseModule {
  readonly kind = 'Tanh';
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

export class Sigmoid extends BaseModule {
  readonly kind = 'Sigmoid';
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Softplus extends BaseModule {
  readonly kind = 'Softplus';
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }
}

/** Softmax over the last dimension (torch's `dim=-1`). */
export class Softmax extends BaseModule {
  readonly kind = 'Softmax';
  forward(x: Tensor): Tensor {
    return softmax(x);
  }
}

/** LogSoftmax over the last dimension (torch's `dim=-1`). */
export class LogSoftmax extends BaseModule {
  readonly kind = 'LogSoftmax';
  forward(x: Tensor): Tensor {
    return logSoftmax(x);
  }
}

/** Returns its input unchanged (the same tensor, as torch.nn.Identity). */
export class Identity extends BaseModule {
  readonly kind = 'Identity';
  forward(x: Tensor): Tensor {
    return x;
  }
}
