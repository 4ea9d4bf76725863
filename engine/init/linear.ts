/**
 * torch.nn.Linear.reset_parameters, the initialization every nn.Linear gets
 * unless the model re-initializes it:
 *
 *   init.kaiming_uniform_(self.weight, a=math.sqrt(5))
 *   fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
 *   bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
 *   init.uniform_(self.bias, -bound, bound)
 *
 * With a = √5, gain = √(2/(1 + 5)) = 1/√3 and the kaiming bound is
 * √3 · gain/√fan_in = 1/√fan_in: weight and bias are both U(−1/√fan_in, 1/√fan_in).
 */
import type { DenseTensor } from '../tensor/dtype';
import type { TorchGenerator } from '../random';
import { calculateFanInAndFanOut } from './fans';
import { kaiming_uniform_, kaimingUniformTheory } from './kaiming';
import { uniform_, uniformTheory } from './uniformNormal';
import type { Theory } from './theory';

/** The `a` torch passes to kaiming_uniform_ for nn.Linear weights. */
export const LINEAR_WEIGHT_A = Math.sqrt(5);

/** Initializes `weight` ([out_features, in_features]) and, if present, `bias` ([out_features]) as nn.Linear does. */
export function linearResetParameters(weight: DenseTensor, bias: DenseTensor | null, rng: TorchGenerator): void {
  kaiming_uniform_(weight, rng, { a: LINEAR_WEIGHT_A });
  if (bias) {
    const bound = linearBiasBound(calculateFanInAndFanOut(weight.shape).fanIn);
    uniform_(bias, rng, { a: -bound, b: bound });
  }
}

/** 1/√fan_in, or 0 when fan_in = 0 (torch's guard). */
export function linearBiasBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

export function linearWeightTheory(weightShape: readonly number[]): Theory {
  return kaimingUniformTheory(weightShape, { a: LINEAR_WEIGHT_A });
}

/** The bias theory needs the weight's fan_in. */
export function linearBiasTheory(fanIn: number): Theory {
  const bound = linearBiasBound(fanIn);
  const theory = uniformTheory({ a: -bound, b: bound });
  return { ...theory, fanIn };
}
