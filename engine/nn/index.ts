/** Public surface of the module layer (torch.nn equivalents). */
export { BaseModule, parameters, zeroGrad, type Module, type NamedParameter } from './module';
export { Linear, type LinearOptions } from './linear';
export { ReLU, LeakyReLU, ELU, SELU, GELU, SiLU, Tanh, Sigmoid, Softplus, Softmax, LogSoftmax, Identity } from './activation';
export { Dropout } from './dropout';
export { LayerNorm, type LayerNormOptions } from './layerNorm';
export { Sequential, type NamedModule, type LayerTrace } from './sequential';
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, type Criterion,
} from './loss';
