/** Public surface of the tensor engine: the Tensor class, ops, losses and the gradient checker. */
export { allocate, dtypeOf, numel, type DType, type DenseTensor, type FloatArray } from './dtype';
export { Tensor, type GradFn, type TensorOptions } from './tensor';
export { isGradEnabled, noGrad } from './autograd';
export { opResult, type BackwardFn } from './op';
export { add, sub, mul, div } from './binary';
export { neg, exp, log, sqrt, pow, unaryOp, type ForwardKernel, type BackwardKernel } from './unary';
export { sum, mean, max, maxAlongDim, argmax } from './reduce';
export { matmul, linear } from './matmul';
export { reshape } from './reshape';
export {
  relu, leakyRelu, elu, selu, gelu, silu, tanh, sigmoid, softplus, logistic, SELU_ALPHA, SELU_SCALE,
  type GeluApproximate,
} from './activation';
export { softmax, logSoftmax } from './softmax';
export { erf, erfc } from './erf';
export { mseLoss, l1Loss, smoothL1Loss, huberLoss, type SmoothL1Options, type HuberOptions } from './loss/regression';
export { type Reduction, type LossOptions } from './loss/reduction';
export { bceLoss, bceWithLogitsLoss, type BceWithLogitsOptions } from './loss/binary';
export { crossEntropyLoss, type CrossEntropyOptions } from './loss/crossEntropy';
export { dropout } from './dropout';
export { layerNorm } from './layerNorm';
export { gradcheck, type GradcheckOptions, type GradcheckResult, type GradcheckMismatch } from './gradcheck';
