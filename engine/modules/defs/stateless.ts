/**
 * Modules without parameters or buffers: activations, dropout, pooling,
 * reshaping, padding, upsampling. They change no initialization, so they are
 * accepted with whatever arguments they are given; those the engine's
 * forward pass uses are named in their signature. nn.PReLU is here too: its
 * one parameter is a constant.
 */
import { intArg, numberArg, REQUIRED, type Parameter } from '../signature';
import { NO_TENSORS, parameter, torchDefault, type ModuleDefinition } from './common';

/** Parameter-free modules whose arguments are kept as given (checked when the forward pass needs them). */
const FREE: readonly string[] = [
  // activations (torch/nn/modules/activation.py)
  'ReLU', 'ReLU6', 'LeakyReLU', 'ELU', 'CELU', 'SELU', 'GELU', 'SiLU', 'Mish', 'Tanh', 'Sigmoid', 'Hardtanh', 'Hardsigmoid',
  'Hardswish', 'Hardshrink', 'Softshrink', 'Tanhshrink', 'Softplus', 'Softsign', 'LogSigmoid', 'Threshold', 'GLU', 'RReLU',
  'Softmax', 'Softmax2d', 'LogSoftmax', 'Softmin',
  // dropout
  'Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout',
  // pooling
  'MaxPool1d', 'MaxPool2d', 'MaxPool3d', 'AvgPool1d', 'AvgPool2d', 'AvgPool3d', 'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d',
  'AdaptiveAvgPool3d', 'AdaptiveMaxPool1d', 'AdaptiveMaxPool2d', 'AdaptiveMaxPool3d', 'LPPool1d', 'LPPool2d',
  'FractionalMaxPool2d', 'FractionalMaxPool3d', 'MaxUnpool1d', 'MaxUnpool2d', 'MaxUnpool3d',
  // shape
  'Flatten', 'Unflatten', 'Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d', 'PixelShuffle', 'PixelUnshuffle',
  'ChannelShuffle', 'Fold', 'Unfold',
  // padding
  'ZeroPad2d', 'ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d', 'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d',
  'ReplicationPad1d', 'ReplicationPad2d', 'ReplicationPad3d',
  // distances
  'CosineSimilarity', 'PairwiseDistance',
];

/** Signatures of the parameter-free modules whose arguments Weightscope reads (torch's order and defaults). */
const SIGNATURES: Readonly<Record<string, readonly Parameter[]>> = {
  ReLU: [['inplace', false]],
  LeakyReLU: [['negative_slope', 0.01], ['inplace', false]],
  ELU: [['alpha', 1], ['inplace', false]],
  SELU: [['inplace', false]],
  GELU: [['approximate', 'none']],
  SiLU: [['inplace', false]],
  Mish: [['inplace', false]],
  ReLU6: [['inplace', false]],
  Hardtanh: [['min_val', -1], ['max_val', 1], ['inplace', false]],
  Hardsigmoid: [['inplace', false]],
  Hardswish: [['inplace', false]],
  Tanh: [],
  Sigmoid: [],
  Softplus: [['beta', 1], ['threshold', 20]],
  Softmax: [['dim', null]],
  LogSoftmax: [['dim', null]],
  Dropout: [['p', 0.5], ['inplace', false]],
  Dropout2d: [['p', 0.5], ['inplace', false]],
  Flatten: [['start_dim', 1], ['end_dim', -1]],
  MaxPool2d: [['kernel_size', REQUIRED], ['stride', null], ['padding', 0], ['dilation', 1], ['return_indices', false], ['ceil_mode', false]],
  AvgPool2d: [['kernel_size', REQUIRED], ['stride', null], ['padding', 0], ['ceil_mode', false], ['count_include_pad', true], ['divisor_override', null]],
  AdaptiveAvgPool2d: [['output_size', REQUIRED]],
  AdaptiveAvgPool1d: [['output_size', REQUIRED]],
  AdaptiveAvgPool3d: [['output_size', REQUIRED]],
  GLU: [['dim', -1]],
  Upsample: [['size', null], ['scale_factor', null], ['mode', 'nearest'], ['align_corners', null], ['recompute_scale_factor', null]],
};

const stateless: ModuleDefinition[] = FREE.map((type) => {
  const signature = SIGNATURES[type];
  return signature
    ? { type, signature, doc: `${type}: no parameters.`, build: () => NO_TENSORS }
    : { type, signature: [], anyArguments: true, doc: `${type}: no parameters.`, build: () => NO_TENSORS };
});

export const PRELU: ModuleDefinition = {
  type: 'PReLU',
  signature: [['num_parameters', 1], ['init', 0.25]],
  doc: 'PReLU: weight (num_parameters) filled with init (0.25).',
  build(args) {
    const n = intArg('PReLU', args, 'num_parameters', { min: 1 });
    const val = numberArg('PReLU', args, 'init');
    return { tensors: [parameter('weight', [n], torchDefault('constant_', { val }, `constant_(${val})`))], children: [] };
  },
};

/** Containers: their children come from the front end. */
export const CONTAINERS: readonly ModuleDefinition[] = ['Sequential', 'ModuleList', 'ModuleDict', 'Module', 'ParameterList', 'ParameterDict'].map((type) => ({
  type, signature: [], anyArguments: true, doc: `${type}: a container.`, build: () => NO_TENSORS,
}));

export const STATELESS: readonly ModuleDefinition[] = [...stateless, PRELU];
