/**
 * Normalization layers (torch/nn/modules/batchnorm.py, instancenorm.py,
 * normalization.py). Affine weights start at 1 and biases at 0; running
 * statistics at mean 0, variance 1, and `num_batches_tracked` is an int64
 * scalar 0. InstanceNorm defaults to affine=False, track_running_stats=False.
 */
import { boolArg, intArg, ModuleArgumentError, REQUIRED, shapeArg } from '../signature';
import { buffer, ONES, parameter, ZEROS, type ModuleDefinition } from './common';
import type { TensorDecl } from '../tree';

function normWithStats(type: string, affineDefault: boolean, trackDefault: boolean, extra: readonly [string, null][] = []): ModuleDefinition {
  return {
    type,
    signature: [['num_features', REQUIRED], ['eps', 1e-5], ['momentum', 0.1], ['affine', affineDefault], ['track_running_stats', trackDefault], ...extra],
    doc: `${type}: weight = 1, bias = 0${trackDefault ? '; running_mean = 0, running_var = 1, num_batches_tracked = 0' : ''}.`,
    build(args) {
      const n = intArg(type, args, 'num_features');
      const tensors: TensorDecl[] = [];
      if (boolArg(type, args, 'affine')) tensors.push(parameter('weight', [n], ONES), parameter('bias', [n], ZEROS));
      if (boolArg(type, args, 'track_running_stats')) {
        tensors.push(buffer('running_mean', [n], [ZEROS]), buffer('running_var', [n], [ONES]), buffer('num_batches_tracked', [], [ZEROS], 'int64'));
      }
      return { tensors, children: [] };
    },
  };
}

export const NORMALIZATIONS: readonly ModuleDefinition[] = [
  normWithStats('BatchNorm1d', true, true),
  normWithStats('BatchNorm2d', true, true),
  normWithStats('BatchNorm3d', true, true),
  normWithStats('SyncBatchNorm', true, true, [['process_group', null]]),
  normWithStats('InstanceNorm1d', false, false),
  normWithStats('InstanceNorm2d', false, false),
  normWithStats('InstanceNorm3d', false, false),
  {
    type: 'LayerNorm',
    signature: [['normalized_shape', REQUIRED], ['eps', 1e-5], ['elementwise_affine', true]],
    doc: 'LayerNorm over the trailing normalized_shape dimensions: weight = 1, bias = 0.',
    build(args) {
      const shape = shapeArg('LayerNorm', args, 'normalized_shape');
      return { tensors: boolArg('LayerNorm', args, 'elementwise_affine') ? [parameter('weight', shape, ONES), parameter('bias', [...shape], ZEROS)] : [], children: [] };
    },
  },
  {
    type: 'GroupNorm',
    signature: [['num_groups', REQUIRED], ['num_channels', REQUIRED], ['eps', 1e-5], ['affine', true]],
    doc: 'GroupNorm: weight = 1, bias = 0, one per channel.',
    build(args) {
      const groups = intArg('GroupNorm', args, 'num_groups', { min: 1 });
      const channels = intArg('GroupNorm', args, 'num_channels');
      if (channels % groups !== 0) throw new ModuleArgumentError('num_channels must be divisible by num_groups', 'num_channels');
      return { tensors: boolArg('GroupNorm', args, 'affine') ? [parameter('weight', [channels], ONES), parameter('bias', [channels], ZEROS)] : [], children: [] };
    },
  },
  {
    type: 'LocalResponseNorm',
    signature: [['size', REQUIRED], ['alpha', 1e-4], ['beta', 0.75], ['k', 1]],
    doc: 'LocalResponseNorm: no parameters.',
    build: () => ({ tensors: [], children: [] }),
  },
];
