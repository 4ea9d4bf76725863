/** The module layer end to end: a network built from modules learns under plain gradient descent. */
import { describe, expect, it } from 'vitest';
import { Tanh } from '../../../engine/nn/activation';
import { LayerNorm } from '../../../engine/nn/layerNorm';
import { Linear } from '../../../engine/nn/linear';
import { MSELoss } from '../../../engine/nn/loss';
import { zeroGrad } from '../../../engine/nn/module';
import { Sequential } from '../../../engine/nn/sequential';
import { TorchGenerator } from '../../../engine/random';
import { noGrad } from '../../../engine/tensor/autograd';
import { Tensor } from '../../../engine/tensor/tensor';

describe('training a small network', () => {
  it('reduces an MSE regression loss with gradient descent', () => {
    const rng = new TorchGenerator(3);
    const net = new Sequential(
      new Linear(2, 8, { dtype: 'float64' }),
      new LayerNorm(8, { dtype: 'float64' }),
      new Tanh(),
      new Linear(8, 1, { dtype: 'float64' }),
    );
    // Initialization is not this module's job; small random weights suffice here.
    for (const { name, tensor } of net.namedParameters()) {
      if (name.endsWith('weight') && tensor.ndim === 2) for (let i = 0; i < tensor.numel; i++) tensor.data[i] = 0.5 * rng.normal();
    }
    const inputs = Array.from({ length: 32 * 2 }, () => rng.uniformRange(-1, 1));
    const x = Tensor.from(inputs, [32, 2], { dtype: 'float64' });
    const y = Tensor.from(Array.from({ length: 32 }, (_, i) => inputs[2 * i]! * inputs[2 * i + 1]!), [32, 1], { dtype: 'float64' });
    const criterion = new MSELoss();
    const lossAt = (): number => noGrad(() => criterion.forward(net.forward(x), y).item());

    const initial = lossAt();
    for (let step = 0; step < 300; step++) {
      zeroGrad(net);
      criterion.forward(net.forward(x), y).backward();
      for (const { tensor } of net.namedParameters()) {
        for (let i = 0; i < tensor.numel; i++) tensor.data[i] -= 0.1 * tensor.grad![i]!;
      }
    }
    expect(lossAt()).toBeLessThan(0.25 * initial);
  });
});
