/**
 * Public surface of the tensor engine: the autograd `Tensor`, the ops and
 * losses with their gradients, and the gradient checker.
 *
 * Agreement with PyTorch (CPU), as tested in test/unit/tensor/torch-reference:
 *  - float64: every op, loss and gradient agrees with torch to ~1e-16
 *    relative (only summation order and libm last bits differ).
 *  - float32, bit-exact: elementwise +, −, ×, ÷ (tensor or Python-scalar
 *    operand, any broadcasting), negation, x², √, ReLU, LeakyReLU, Dropout
 *    (given the same mask), MSE and L1 element losses and their input
 *    gradients, and every op that only moves values (views, permute,
 *    transpose, expand, indexing, cat/stack/split/chunk, masked_fill, tril). Computing in
 *    float64 and rounding once gives the correctly rounded float32 result for
 *    these operations (float64 has more than 2·24 + 2 bits, so the double
 *    rounding is innocuous), which is what torch's float32 kernels produce.
 *  - float32, not bit-exact: matmul/bmm/linear and attention, sums/means,
 *    gradients of broadcast operands (float64 sums here, float32 in torch)
 *    and reduced losses,
 *    and transcendental or composite functions (exp, tanh, GELU, softmax,
 *    LayerNorm, …: torch uses vectorized float32 approximations).
 *    matmul/linear compute in float32 like torch's BLAS, but sum each entry
 *    in the fixed textbook order (gemm.ts), where BLAS uses a blocked,
 *    CPU-dependent one: the two differ by float32 rounding of the same size.
 *    Elsewhere the engine returns the correctly rounded float64 value (or
 *    float64-accumulated sum; torch sums float32 in cascades), which is at
 *    least as accurate as torch's and typically within a few ulp of it.
 *  - Convolutions, pooling, batch/group norm, embedding, LSTM/GRU/RNN and
 *    cross_entropy/nll_loss on [N, C, d…], pad and interpolate are compared with torch in
 *    test/fixtures/ops/cnn.json: float64 within 1e-10 (normwise; ~1e-16 in
 *    practice), float32 within 1e-5 (torch's float32 convolutions use oneDNN,
 *    its σ/tanh/exp vectorized approximations). Max pooling and embedding
 *    forwards select values and are exact.
 */
export { allocate, dtypeOf, numel, type DType, type DenseTensor, type FloatArray } from './dtype';
export { BufferArena, scratch64 } from './arena';
export { Tensor, type GradFn, type TensorOptions } from './tensor';
export { isGradEnabled, noGrad } from './autograd';
export { opResult, type BackwardFn } from './op';
export { gradcheck, type GradcheckOptions, type GradcheckResult, type GradcheckMismatch } from './gradcheck';

// Ops
export { add, sub, mul, div, pow, eq, ne, lt, le, gt, ge, maskedFill, where, type Operand } from './binary';
export { broadcastShapes } from './broadcast';
export { neg, exp, log, sqrt, unaryOp, type ForwardKernel, type BackwardKernel } from './unary';
export { sum, mean, max, maxAlongDim, argmax } from './reduce';
export { matmul, bmm, linear } from './matmul';
export { reshape } from './reshape';
export { view, flatten, unsqueeze, squeeze, contiguous, expand, permute, transpose } from './views';
export { index, select, narrow, slice, type IndexEntry, type Slice } from './indexing';
export { cat, stack, split, chunk } from './concat';
export { zeros, ones, full, arange, tril, triu } from './creation';
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from './attention';
export {
  relu, leakyRelu, elu, selu, gelu, silu, mish, tanh, sigmoid, softplus, logistic, SELU_ALPHA, SELU_SCALE,
  hardtanh, relu6, hardsigmoid, hardswish,
  type GeluApproximate,
} from './activation';
export { softmax, logSoftmax } from './softmax';
export { conv3d, adaptiveAvgPool3d } from './conv3d';
export { multiHeadAttentionForward, type MultiHeadAttentionOptions } from './multiheadAttention';
export { dropout } from './dropout';
export { layerNorm } from './layerNorm';
export { conv1d, conv2d, convTranspose1d, convTranspose2d, type ConvOptions, type ConvTransposeOptions, type IntOrTuple } from './conv';
export {
  maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d,
  type MaxPoolOptions, type AvgPoolOptions, type AdaptiveSize,
} from './pool';
export { batchNorm, type BatchNormOptions } from './batchNorm';
export { groupNorm } from './groupNorm';
export { dropout1d, dropout2d } from './featureDropout';
export { pad, type PadMode, type PadOptions } from './pad';
export { interpolate, type InterpolateMode, type InterpolateOptions } from './interpolate';
export { embedding, type EmbeddingOptions, type Indices } from './embedding';
export {
  lstm, gru, rnn, type RecurrentMode, type RecurrentOptions, type RnnOptions, type RecurrentWeights, type RecurrentResult,
} from './rnn';
export { erf, erfc } from './erf';

// Losses
export { type Reduction, type LossOptions } from './loss/reduction';
export { mseLoss, l1Loss, smoothL1Loss, huberLoss, type SmoothL1Options, type HuberOptions } from './loss/regression';
export { bceLoss, bceWithLogitsLoss, type BceWithLogitsOptions } from './loss/binary';
export { crossEntropyLoss, type CrossEntropyOptions } from './loss/crossEntropy';
export { nllLoss, type NllLossOptions } from './loss/nll';
