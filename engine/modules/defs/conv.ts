/**
 * nn.Conv1d/2d/3d and nn.ConvTranspose1d/2d/3d (torch/nn/modules/conv.py, _ConvNd).
 *
 * Weight shapes: (out_channels, in_channels/groups, *kernel_size) for a
 * convolution, (in_channels, out_channels/groups, *kernel_size) for a
 * transposed one. reset_parameters is the same for both and uses torch's fan
 * computation on that shape, fan_in = shape[1] · ∏kernel_size, so a transposed
 * convolution's "fan_in" is out_channels/groups · ∏kernel_size:
 *
 *   init.kaiming_uniform_(self.weight, a=math.sqrt(5))      # U(±1/√fan_in)
 *   fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
 *   if fan_in != 0: init.uniform_(self.bias, -1/√fan_in, 1/√fan_in)
 */
import { boolArg, intArg, intTuple, ModuleArgumentError, REQUIRED, stringArg, type Parameter } from '../signature';
import type { ArgValue } from '../tree';
import { biasFromFanIn, fanInOf, KAIMING_A_SQRT5, parameter, type ModuleDefinition } from './common';

const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'];

function convolution(dims: 1 | 2 | 3, transposed: boolean): ModuleDefinition {
  const type = `${transposed ? 'ConvTranspose' : 'Conv'}${dims}d`;
  const signature: readonly Parameter[] = transposed
    ? [['in_channels', REQUIRED], ['out_channels', REQUIRED], ['kernel_size', REQUIRED], ['stride', 1], ['padding', 0], ['output_padding', 0], ['groups', 1], ['bias', true], ['dilation', 1], ['padding_mode', 'zeros']]
    : [['in_channels', REQUIRED], ['out_channels', REQUIRED], ['kernel_size', REQUIRED], ['stride', 1], ['padding', 0], ['dilation', 1], ['groups', 1], ['bias', true], ['padding_mode', 'zeros']];
  return {
    type,
    signature,
    doc: `${transposed ? 'Transposed convolution' : 'Convolution'} over ${dims}-D inputs. reset_parameters: weight kaiming_uniform_(a=√5) = U(±1/√fan_in), bias U(±1/√fan_in), with fan_in = ${transposed ? 'out_channels' : 'in_channels'}/groups · ∏kernel_size.`,
    build(args) {
      const inC = intArg(type, args, 'in_channels');
      const outC = intArg(type, args, 'out_channels');
      const groups = intArg(type, args, 'groups', { min: -Infinity });
      if (groups <= 0) throw new ModuleArgumentError('groups must be a positive integer', 'groups');
      const kernel = intTuple(type, args, 'kernel_size', dims);
      // torch's checks, with its messages.
      if (inC % groups !== 0) throw new ModuleArgumentError('in_channels must be divisible by groups', 'in_channels');
      if (outC % groups !== 0) throw new ModuleArgumentError('out_channels must be divisible by groups', 'out_channels');
      const mode = stringArg(type, args, 'padding_mode');
      if (!PADDING_MODES.includes(mode)) throw new ModuleArgumentError(`padding_mode must be one of {${PADDING_MODES.map((m) => `'${m}'`).join(', ')}}, but got padding_mode='${mode}'`, 'padding_mode');
      if (transposed && mode !== 'zeros') throw new ModuleArgumentError(`Only "zeros" padding mode is supported for ${type}`, 'padding_mode');
      checkPadding(type, args.padding, dims, transposed, args);
      intTuple(type, args, 'stride', dims);
      intTuple(type, args, 'dilation', dims);
      const shape = transposed ? [inC, outC / groups, ...kernel] : [outC, inC / groups, ...kernel];
      const tensors = [parameter('weight', shape, KAIMING_A_SQRT5)];
      // With fan_in = 0 torch leaves the bias as torch.empty made it; no such layer computes anything.
      if (boolArg(type, args, 'bias')) tensors.push(parameter('bias', [outC], biasFromFanIn(fanInOf(shape))));
      return { tensors, children: [] };
    },
  };
}

/** `padding` is ints, or (convolutions only) 'same' / 'valid'; 'same' needs stride 1. */
function checkPadding(type: string, padding: ArgValue | undefined, dims: number, transposed: boolean, args: Readonly<Record<string, ArgValue>>): void {
  if (typeof padding === 'string') {
    if (transposed) throw new ModuleArgumentError(`${type}: padding must be an integer or ${dims} integers for a transposed convolution.`, 'padding');
    if (padding !== 'same' && padding !== 'valid') throw new ModuleArgumentError(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`, 'padding');
    if (padding === 'same' && intTuple(type, args, 'stride', dims).some((s) => s !== 1)) {
      throw new ModuleArgumentError("padding='same' is not supported for strided convolutions", 'padding');
    }
    return;
  }
  intTuple(type, { padding: padding ?? 0 }, 'padding', dims);
}

export const CONVOLUTIONS: readonly ModuleDefinition[] = [
  convolution(1, false), convolution(2, false), convolution(3, false),
  convolution(1, true), convolution(2, true), convolution(3, true),
];
