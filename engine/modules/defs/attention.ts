/**
 * nn.MultiheadAttention and the nn.Transformer family
 * (torch/nn/modules/activation.py, transformer.py), as torch 1.13 builds them.
 *
 * MultiheadAttention registers in_proj_weight (3E, E) when kdim = vdim = E,
 * else q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim);
 * then in_proj_bias (3E), the child out_proj (a Linear E → E), and with
 * add_bias_kv bias_k, bias_v (1, 1, E). `_reset_parameters`:
 *
 *   xavier_uniform_(in_proj_weight)   (or each of q/k/v_proj_weight)
 *   constant_(in_proj_bias, 0); constant_(out_proj.bias, 0)
 *   xavier_normal_(bias_k); xavier_normal_(bias_v)
 *
 * out_proj.weight keeps nn.Linear's kaiming_uniform_(a=√5).
 *
 * nn.Transformer builds its encoder and decoder, then re-initializes every
 * parameter with more than one dimension: `xavier_uniform_(p)`.
 * TransformerEncoder/Decoder deep-copy the layer they are given num_layers
 * times (`_get_clones`), so in torch every copy starts with the same values.
 */
import { boolArg, intArg, ModuleArgumentError, optionalIntArg, REQUIRED, type Parameter } from '../signature';
import { cloneModule, inTorchOrder, isModuleArg, namedModules, type ArgValue, type ModuleChild, type ModuleNode, type TensorDecl } from '../tree';
import { child, parameter, torchDefault, type MakeModule, type ModuleDefinition } from './common';

const XAVIER_UNIFORM = torchDefault('xavier_uniform_', {});
const ZERO = torchDefault('constant_', { val: 0 });

export const MULTIHEAD_ATTENTION: ModuleDefinition = {
  type: 'MultiheadAttention',
  signature: [['embed_dim', REQUIRED], ['num_heads', REQUIRED], ['dropout', 0], ['bias', true], ['add_bias_kv', false], ['add_zero_attn', false], ['kdim', null], ['vdim', null], ['batch_first', false]],
  doc: 'MultiheadAttention: in_proj_weight xavier_uniform_, in_proj_bias and out_proj.bias 0, out_proj.weight kaiming_uniform_(a=√5).',
  build(args, make) {
    const type = 'MultiheadAttention';
    const e = intArg(type, args, 'embed_dim', { min: 1 });
    const heads = intArg(type, args, 'num_heads', { min: 1 });
    if (e % heads !== 0) throw new ModuleArgumentError('embed_dim must be divisible by num_heads', 'num_heads');
    const kdim = optionalIntArg(type, args, 'kdim') ?? e;
    const vdim = optionalIntArg(type, args, 'vdim') ?? e;
    const bias = boolArg(type, args, 'bias');
    // torch constructs out_proj (drawing its Linear defaults) in __init__, before _reset_parameters fills the rest.
    const outProj = make('NonDynamicallyQuantizableLinear', { in_features: e, out_features: e, bias });
    const tensors: TensorDecl[] = kdim === e && vdim === e
      ? [parameter('in_proj_weight', [3 * e, e], XAVIER_UNIFORM)]
      : [parameter('q_proj_weight', [e, e], XAVIER_UNIFORM), parameter('k_proj_weight', [e, kdim], XAVIER_UNIFORM), parameter('v_proj_weight', [e, vdim], XAVIER_UNIFORM)];
    if (bias) tensors.push(parameter('in_proj_bias', [3 * e], ZERO));
    if (bias) outProj.tensors.find((t) => t.name === 'bias')!.init.push(inTorchOrder(ZERO));
    if (boolArg(type, args, 'add_bias_kv')) {
      const xavierNormal = torchDefault('xavier_normal_', {});
      tensors.push(parameter('bias_k', [1, 1, e], xavierNormal), parameter('bias_v', [1, 1, e], xavierNormal));
    }
    return { tensors, children: [child('out_proj', outProj)] };
  },
};

/** The `activation` argument: a string or function is not a module; a module instance becomes the child `activation`. */
function activationChild(args: Readonly<Record<string, ArgValue>>): ModuleChild[] {
  const a = args.activation;
  return isModuleArg(a) ? [child('activation', a.module)] : [];
}

const LAYER_SIGNATURE: readonly Parameter[] = [
  ['d_model', REQUIRED], ['nhead', REQUIRED], ['dim_feedforward', 2048], ['dropout', 0.1], ['activation', 'relu'],
  ['layer_norm_eps', 1e-5], ['batch_first', false], ['norm_first', false],
];

function attention(make: MakeModule, args: Readonly<Record<string, ArgValue>>): ModuleNode {
  return make('MultiheadAttention', { embed_dim: args.d_model!, num_heads: args.nhead!, dropout: args.dropout!, batch_first: args.batch_first! });
}

function feedForwardAndNorms(make: MakeModule, args: Readonly<Record<string, ArgValue>>, norms: number): ModuleChild[] {
  const d = args.d_model!;
  const ff = args.dim_feedforward!;
  const out = [
    child('linear1', make('Linear', { in_features: d, out_features: ff })),
    child('dropout', make('Dropout', { p: args.dropout! })),
    child('linear2', make('Linear', { in_features: ff, out_features: d })),
  ];
  for (let i = 1; i <= norms; i++) out.push(child(`norm${i}`, make('LayerNorm', { normalized_shape: d, eps: args.layer_norm_eps! })));
  for (let i = 1; i <= norms; i++) out.push(child(`dropout${i}`, make('Dropout', { p: args.dropout! })));
  return out;
}

export const TRANSFORMER_ENCODER_LAYER: ModuleDefinition = {
  type: 'TransformerEncoderLayer',
  signature: LAYER_SIGNATURE,
  doc: 'TransformerEncoderLayer: self_attn (MultiheadAttention), linear1, linear2 (nn.Linear defaults), norm1, norm2.',
  build: (args, make) => ({ tensors: [], children: [child('self_attn', attention(make, args)), ...feedForwardAndNorms(make, args, 2), ...activationChild(args)] }),
};

export const TRANSFORMER_DECODER_LAYER: ModuleDefinition = {
  type: 'TransformerDecoderLayer',
  signature: LAYER_SIGNATURE,
  doc: 'TransformerDecoderLayer: self_attn, multihead_attn (MultiheadAttention), linear1, linear2, norm1–3.',
  build: (args, make) => ({
    tensors: [],
    children: [child('self_attn', attention(make, args)), child('multihead_attn', attention(make, args)), ...feedForwardAndNorms(make, args, 3), ...activationChild(args)],
  }),
};

function stack(kind: 'encoder' | 'decoder'): ModuleDefinition {
  const type = kind === 'encoder' ? 'TransformerEncoder' : 'TransformerDecoder';
  const layerArg = `${kind}_layer`;
  return {
    type,
    signature: kind === 'encoder' ? [[layerArg, REQUIRED], ['num_layers', REQUIRED], ['norm', null], ['enable_nested_tensor', true], ['mask_check', true]] : [[layerArg, REQUIRED], ['num_layers', REQUIRED], ['norm', null]],
    doc: `${type}: num_layers deep copies of the ${layerArg} (all starting from the same values), then norm.`,
    build(args) {
      const layer = args[layerArg];
      if (!isModuleArg(layer)) throw new ModuleArgumentError(`${type}: ${layerArg} must be a module (an nn.Transformer${kind === 'encoder' ? 'Encoder' : 'Decoder'}Layer).`, layerArg);
      const n = intArg(type, args, 'num_layers');
      const layers: ModuleNode = { type: 'ModuleList', args: {}, tensors: [], children: Array.from({ length: n }, (_, i) => child(String(i), cloneModule(layer.module))) };
      const children = [child('layers', layers)];
      if (isModuleArg(args.norm)) children.push(child('norm', args.norm.module));
      return { tensors: [], children };
    },
  };
}

export const TRANSFORMER_ENCODER = stack('encoder');
export const TRANSFORMER_DECODER = stack('decoder');

export const TRANSFORMER: ModuleDefinition = {
  type: 'Transformer',
  signature: [
    ['d_model', 512], ['nhead', 8], ['num_encoder_layers', 6], ['num_decoder_layers', 6], ['dim_feedforward', 2048], ['dropout', 0.1],
    ['activation', 'relu'], ['custom_encoder', null], ['custom_decoder', null], ['layer_norm_eps', 1e-5], ['batch_first', false], ['norm_first', false],
  ],
  doc: 'Transformer: encoder and decoder stacks; then every parameter with more than one dimension is re-initialized with xavier_uniform_.',
  build(args, make) {
    const layerArgs = { d_model: args.d_model!, nhead: args.nhead!, dim_feedforward: args.dim_feedforward!, dropout: args.dropout!, activation: args.activation!, layer_norm_eps: args.layer_norm_eps!, batch_first: args.batch_first!, norm_first: args.norm_first! };
    const norm = () => ({ module: make('LayerNorm', { normalized_shape: args.d_model!, eps: args.layer_norm_eps! }) });
    const encoder = isModuleArg(args.custom_encoder) ? args.custom_encoder.module
      : make('TransformerEncoder', { encoder_layer: { module: make('TransformerEncoderLayer', layerArgs) }, num_layers: args.num_encoder_layers!, norm: norm() });
    const decoder = isModuleArg(args.custom_decoder) ? args.custom_decoder.module
      : make('TransformerDecoder', { decoder_layer: { module: make('TransformerDecoderLayer', layerArgs) }, num_layers: args.num_decoder_layers!, norm: norm() });
    // _reset_parameters: for p in self.parameters(): if p.dim() > 1: xavier_uniform_(p)
    for (const m of [encoder, decoder]) {
      for (const { module } of namedModules(m)) for (const t of module.tensors) if (t.kind === 'parameter' && t.shape.length > 1) t.init.push(inTorchOrder(XAVIER_UNIFORM));
    }
    return { tensors: [], children: [child('encoder', encoder), child('decoder', decoder)] };
  },
};

export const ATTENTION: readonly ModuleDefinition[] = [MULTIHEAD_ATTENTION, TRANSFORMER_ENCODER_LAYER, TRANSFORMER_DECODER_LAYER, TRANSFORMER_ENCODER, TRANSFORMER_DECODER, TRANSFORMER];
