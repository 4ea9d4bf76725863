/**
 * Everything random in the engine comes from torch's own CPU generator
 * (`torch.manual_seed`'s mt19937) through torch 1.13's sampling kernels, so a
 * seed gives the user's numbers, not merely numbers with the same law.
 */
export { generatorInfo, TorchGenerator, type GeneratorInfo, type GeneratorSnapshot } from './generator';
export { bernoulliFill, bernoulliScaled, normalFill, randint, randperm, skipNormal, skipRandperm, skipUniform, uniformFill, type FloatArray } from './kernels';
