/** nn.Linear and nn.Bilinear (torch/nn/modules/linear.py). */
import { boolArg, intArg, REQUIRED } from '../signature';
import { biasFromFanIn, KAIMING_A_SQRT5, NO_TENSORS, parameter, symmetricUniform, type ModuleDefinition } from './common';

export const LINEAR: ModuleDefinition = {
  type: 'Linear',
  signature: [['in_features', REQUIRED], ['out_features', REQUIRED], ['bias', true]],
  doc: 'y = x·Wᵀ + b. reset_parameters: weight kaiming_uniform_(a=√5) = U(±1/√in_features), bias U(±1/√in_features).',
  build(args) {
    const inF = intArg('Linear', args, 'in_features');
    const outF = intArg('Linear', args, 'out_features');
    const tensors = [parameter('weight', [outF, inF], KAIMING_A_SQRT5)];
    if (boolArg('Linear', args, 'bias')) tensors.push(parameter('bias', [outF], biasFromFanIn(inF)));
    return { tensors, children: [] };
  },
};

/** nn.LazyLinear-free: `NonDynamicallyQuantizableLinear` (MultiheadAttention.out_proj) is a Linear. */
export const NON_DYNAMICALLY_QUANTIZABLE_LINEAR: ModuleDefinition = { ...LINEAR, type: 'NonDynamicallyQuantizableLinear' };

export const BILINEAR: ModuleDefinition = {
  type: 'Bilinear',
  signature: [['in1_features', REQUIRED], ['in2_features', REQUIRED], ['out_features', REQUIRED], ['bias', true]],
  doc: 'y = x₁ᵀ·A·x₂ + b. reset_parameters: weight and bias U(±1/√in1_features).',
  build(args) {
    const in1 = intArg('Bilinear', args, 'in1_features');
    const in2 = intArg('Bilinear', args, 'in2_features');
    const out = intArg('Bilinear', args, 'out_features');
    // torch: bound = 1 / math.sqrt(self.weight.size(1)).
    const bound = in1 > 0 ? 1 / Math.sqrt(in1) : 0;
    const step = symmetricUniform(bound, 'uniform_(−1/√in1_features, 1/√in1_features)');
    const tensors = [parameter('weight', [out, in1, in2], step)];
    if (boolArg('Bilinear', args, 'bias')) tensors.push(parameter('bias', [out], step));
    return { tensors, children: [] };
  },
};

export const IDENTITY: ModuleDefinition = { type: 'Identity', signature: [], anyArguments: true, doc: 'Returns its input (any arguments are ignored).', build: () => NO_TENSORS };
