/**
 * torch.nn.Dropout(p): zeroes each element with probability p in training
 * mode and scales the rest by 1/(1 − p); the identity in evaluation mode.
 * Masks are drawn from the given TorchGenerator, so a seeded run is reproducible.
 */
import { TorchGenerator } from '../random';
import { dropout } from '../tensor/dropout';
import type { Tensor } from '../tensor/tensor';
import { BaseModule } from './module';

export class Dropout extends BaseModule {
  readonly kind = 'Dropout';

  /** `rng` defaults to a generator seeded with 0; pass the run's TorchGenerator to share its stream. */
  constructor(
    readonly p = 0.5,
    readonly rng: TorchGenerator = new TorchGenerator(0),
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: probability has to be between 0 and 1, but got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.rng);
  }
}
