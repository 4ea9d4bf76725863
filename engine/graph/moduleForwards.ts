/**
 * One forward per `torch.nn` module type, written as torch 1.13's
 * `Module.forward` writes it: a call of the functional op with the module's
 * tensors and constructor arguments (nn.Linear → `F.linear(x, weight,
 * bias)`, nn.Conv2d → `F.conv2d(x, weight, bias, stride, padding, dilation,
 * groups)`, …). The op goes through the one op table (ops.ts), so the
 * interpreter and the graph check share each module's forward, and a module
 * runs as soon as its op does.
 *
 * Generic over the value domain: `V` is a runtime value when the graph runs
 * and a shape when it is checked.
 */
import type { ArgValue, ModuleNode } from '../modules/tree';
import { OpUnavailable } from './ops';
import { bind } from './signature';

export interface ModuleCallContext<V> {
  module: ModuleNode;
  /** The module's own parameter or buffer, or null when it has none of that name (`bias=False`). */
  own(name: string): V | null;
  /** A tensor of a child module by its path below this one (`out_proj.weight`), or null when it has none. */
  descendant(path: string): V | null;
  /** Calls a child module by its path below this one (`self_attn`, `layers.0`), as torch's `self.self_attn(…)`. */
  child(path: string, inputs: V[], kwargs?: Record<string, V>): V;
  /** Calls an op of the table by torch's name. */
  op(name: string, args: V[], kwargs?: Record<string, V>): V;
  /** A constant as a value of the domain. */
  constant(v: ArgValue): V;
}

export type ModuleForward = <V>(ctx: ModuleCallContext<V>, inputs: V[], kwargs: Record<string, V>) => V;

const F = 'torch.nn.functional.';

function arg(m: ModuleNode, name: string): ArgValue {
  const v = m.args[name];
  if (v === undefined) throw new Error(`${m.type} has no argument ${name}`);
  return v;
}

function one<V>(type: string, inputs: V[], kwargs: Record<string, V>): V {
  if (inputs.length !== 1 || Object.keys(kwargs).length > 0) throw new TypeError(`${type}.forward() takes one input, got ${inputs.length + Object.keys(kwargs).length}`);
  return inputs[0]!;
}

/** A module whose forward is one functional op of its input and constant arguments. */
function functional(op: string, args: readonly string[] = [], keywords: Readonly<Record<string, string>> = {}): ModuleForward {
  return (ctx, inputs, kwargs) => {
    const x = one(ctx.module.type, inputs, kwargs);
    const kw: Record<string, ReturnType<typeof ctx.constant>> = {};
    for (const [torchName, argName] of Object.entries(keywords)) kw[torchName] = ctx.constant(arg(ctx.module, argName));
    return ctx.op(op, [x, ...args.map((a) => ctx.constant(arg(ctx.module, a)))], kw);
  };
}

function conv(op: string): ModuleForward {
  return (ctx, inputs, kwargs) => {
    const m = ctx.module;
    if (arg(m, 'padding_mode') !== 'zeros') throw new OpUnavailable(`${m.type}(padding_mode='${String(arg(m, 'padding_mode'))}')`, 'pad');
    const x = one(m.type, inputs, kwargs);
    const bias = ctx.own('bias') ?? ctx.constant(null);
    return ctx.op(op, [x, ctx.own('weight')!, bias, ...['stride', 'padding', 'dilation', 'groups'].map((a) => ctx.constant(arg(m, a)))]);
  };
}

const batchNorm: ModuleForward = (ctx, inputs, kwargs) => {
  const m = ctx.module;
  const x = one(m.type, inputs, kwargs);
  const none = ctx.constant(null);
  const tracked = arg(m, 'track_running_stats') === true;
  // torch: batch statistics in training mode (the op reads the run's mode), or always without running statistics.
  return ctx.op(`${F}batch_norm`, [
    x, tracked ? ctx.own('running_mean')! : none, tracked ? ctx.own('running_var')! : none, ctx.own('weight') ?? none, ctx.own('bias') ?? none,
    ctx.constant(true), ctx.constant(arg(m, 'momentum')), ctx.constant(arg(m, 'eps')),
  ], tracked ? { _num_batches_tracked: ctx.own('num_batches_tracked')! } : {});
};

const layerNorm: ModuleForward = (ctx, inputs, kwargs) => {
  const m = ctx.module;
  const shape = arg(m, 'normalized_shape');
  const none = ctx.constant(null);
  return ctx.op(`${F}layer_norm`, [one(m.type, inputs, kwargs), ctx.constant(Array.isArray(shape) ? shape : [shape as number]), ctx.own('weight') ?? none, ctx.own('bias') ?? none, ctx.constant(arg(m, 'eps'))]);
};

const groupNorm: ModuleForward = (ctx, inputs, kwargs) => {
  const m = ctx.module;
  const none = ctx.constant(null);
  return ctx.op(`${F}group_norm`, [one(m.type, inputs, kwargs), ctx.constant(arg(m, 'num_groups')), ctx.own('weight') ?? none, ctx.own('bias') ?? none, ctx.constant(arg(m, 'eps'))]);
};

const embedding: ModuleForward = (ctx, inputs, kwargs) => {
  const m = ctx.module;
  if (arg(m, 'max_norm') !== null) throw new OpUnavailable('Embedding(max_norm=…)', 'embedding', 'with max_norm');
  return ctx.op(`${F}embedding`, [one(m.type, inputs, kwargs), ctx.own('weight')!, ctx.constant(arg(m, 'padding_idx'))]);
};

const linear: ModuleForward = (ctx, inputs, kwargs) =>
  ctx.op(`${F}linear`, [one(ctx.module.type, inputs, kwargs), ctx.own('weight')!, ctx.own('bias') ?? ctx.constant(null)]);

const dropout: ModuleForward = (ctx, inputs, kwargs) =>
  ctx.op(`${F}dropout`, [one(ctx.module.type, inputs, kwargs), ctx.constant(arg(ctx.module, 'p')), ctx.constant(true)]);

const identity: ModuleForward = (ctx, inputs, kwargs) => one(ctx.module.type, inputs, kwargs);

/**
 * nn.LSTM / GRU / RNN: the engine's recurrent op over time, with the
 * module's flat weights in torch's `_flat_weights` order; returns
 * (output, h_n) or (output, (h_n, c_n)) as torch does.
 */
function recurrent(mode: 'LSTM' | 'GRU' | 'RNN'): ModuleForward {
  return (ctx, inputs, kwargs) => {
    const m = ctx.module;
    if (inputs.length > 2 || Object.keys(kwargs).length > 0) throw new TypeError(`${mode}.forward() takes an input and an optional initial state`);
    const params = m.tensors.filter((t) => t.kind === 'parameter');
    const weights = params.map((t) => ctx.own(t.name)!);
    const options: Record<string, ArgValue> = {
      mode: mode === 'RNN' ? `RNN_${String(arg(m, 'nonlinearity')).toUpperCase()}` : mode,
      numLayers: arg(m, 'num_layers'), bias: arg(m, 'bias'), batchFirst: arg(m, 'batch_first'), dropout: arg(m, 'dropout'),
      bidirectional: arg(m, 'bidirectional'), projSize: mode === 'LSTM' ? arg(m, 'proj_size') : 0,
    };
    return ctx.op('torch.rnn', [inputs[0]!, inputs[1] ?? ctx.constant(null), ctx.constant(params.map((t) => t.name)), weights as never, ctx.constant(options as never)]);
  };
}

/**
 * nn.MultiheadAttention.forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
 * average_attn_weights=True) as torch 1.13 writes its training path: batch_first inputs transposed to
 * sequence-first, F.multi_head_attention_forward with the packed in_proj (or the separate q/k/v projections
 * when kdim or vdim differ), the output transposed back; returns (attn_output, attn_weights or None).
 */
const multiheadAttention: ModuleForward = (ctx, inputs, kwargs) => {
  const m = ctx.module;
  const b = bind<typeof inputs[number]>('MultiheadAttention.forward', 'query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None, average_attn_weights=True', inputs, kwargs);
  const batchFirst = arg(m, 'batch_first') === true;
  const query = b.get('query');
  const batched = (ctx.op('Tensor.dim', [query]) as unknown) === 3;
  const seqFirst = (x: typeof query): typeof query => (batchFirst && batched ? ctx.op('Tensor.transpose', [x, ctx.constant(1), ctx.constant(0)]) : x);
  const none = ctx.constant(null);
  const separate = ctx.own('in_proj_weight') === null;
  const result = ctx.op(`${F}multi_head_attention_forward`, [
    seqFirst(query), seqFirst(b.get('key')), seqFirst(b.get('value')), ctx.constant(arg(m, 'embed_dim')), ctx.constant(arg(m, 'num_heads')),
    ctx.own('in_proj_weight') ?? none, ctx.own('in_proj_bias') ?? none, ctx.own('bias_k') ?? none, ctx.own('bias_v') ?? none,
    ctx.constant(arg(m, 'add_zero_attn')), ctx.constant(arg(m, 'dropout')), ctx.descendant('out_proj.weight')!, ctx.descendant('out_proj.bias') ?? none,
  ], {
    training: ctx.constant(true), key_padding_mask: b.get('key_padding_mask') ?? none, need_weights: b.get('need_weights'), attn_mask: b.get('attn_mask') ?? none,
    average_attn_weights: b.get('average_attn_weights'),
    ...(separate ? { use_separate_proj_weight: ctx.constant(true), q_proj_weight: ctx.own('q_proj_weight')!, k_proj_weight: ctx.own('k_proj_weight')!, v_proj_weight: ctx.own('v_proj_weight')! } : {}),
  });
  if (!(batchFirst && batched)) return result;
  // (output, weights): the output back to batch-first.
  const output = ctx.op('operator.getitem', [result, ctx.constant(0)]);
  const weights = ctx.op('operator.getitem', [result, ctx.constant(1)]);
  return ctx.op('weightscope.tuple', [ctx.op('Tensor.transpose', [output, ctx.constant(1), ctx.constant(0)]), weights]);
};

/** The Transformer layers' `activation`: a module child, or torch's two names for F.relu and F.gelu. */
function activate<V>(ctx: ModuleCallContext<V>, x: V): V {
  const a = ctx.module.args.activation;
  if (a === 'relu' || a === 'gelu') return ctx.op(`${F}${a}`, [x]);
  if (ctx.module.children.some((c) => c.name === 'activation')) return ctx.child('activation', [x]);
  throw new OpUnavailable(`${ctx.module.type}(activation=${JSON.stringify(a)})`, 'activation');
}

/** `self.<attention>(q, kv, kv, attn_mask=…, key_padding_mask=…, need_weights=False)[0]`, then `self.<dropout>`. */
function attentionBlock<V>(ctx: ModuleCallContext<V>, attention: string, dropout: string, q: V, kv: V, mask: V, paddingMask: V): V {
  const out = ctx.child(attention, [q, kv, kv], { attn_mask: mask, key_padding_mask: paddingMask, need_weights: ctx.constant(false) });
  return ctx.child(dropout, [ctx.op('operator.getitem', [out, ctx.constant(0)])]);
}

/** `_ff_block`: linear2(dropout(activation(linear1(x)))), then the last dropout. */
function feedForward<V>(ctx: ModuleCallContext<V>, x: V, dropout: string): V {
  const hidden = ctx.child('dropout', [activate(ctx, ctx.child('linear1', [x]))]);
  return ctx.child(dropout, [ctx.child('linear2', [hidden])]);
}

/**
 * The sublayers of a Transformer layer in torch 1.13's training path (its fast path runs only without
 * autograd): with `norm_first` each sublayer is x ← x + f(norm_i(x)), else (the default, post-norm)
 * x ← norm_i(x + f(x)).
 */
function residualSublayers<V>(ctx: ModuleCallContext<V>, x: V, sublayers: ((h: V) => V)[]): V {
  const normFirst = ctx.module.args.norm_first === true;
  sublayers.forEach((f, i) => {
    const norm = `norm${i + 1}`;
    x = normFirst
      ? ctx.op('operator.add', [x, f(ctx.child(norm, [x]))])
      : ctx.child(norm, [ctx.op('operator.add', [x, f(x)])]);
  });
  return x;
}

/** nn.TransformerEncoderLayer.forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False). */
const transformerEncoderLayer: ModuleForward = (ctx, inputs, kwargs) => {
  const b = bind<typeof inputs[number]>('TransformerEncoderLayer.forward', 'src, src_mask=None, src_key_padding_mask=None', inputs, kwargs);
  const none = ctx.constant(null);
  const mask = b.get('src_mask') ?? none;
  const padding = b.get('src_key_padding_mask') ?? none;
  return residualSublayers(ctx, b.get('src'), [
    (h) => attentionBlock(ctx, 'self_attn', 'dropout1', h, h, mask, padding),
    (h) => feedForward(ctx, h, 'dropout2'),
  ]);
};

/** nn.TransformerDecoderLayer.forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask). */
const transformerDecoderLayer: ModuleForward = (ctx, inputs, kwargs) => {
  const b = bind<typeof inputs[number]>('TransformerDecoderLayer.forward', 'tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None', inputs, kwargs);
  const none = ctx.constant(null);
  const memory = b.get('memory');
  return residualSublayers(ctx, b.get('tgt'), [
    (h) => attentionBlock(ctx, 'self_attn', 'dropout1', h, h, b.get('tgt_mask') ?? none, b.get('tgt_key_padding_mask') ?? none),
    (h) => attentionBlock(ctx, 'multihead_attn', 'dropout2', h, memory, b.get('memory_mask') ?? none, b.get('memory_key_padding_mask') ?? none),
    (h) => feedForward(ctx, h, 'dropout3'),
  ]);
};

/** The stacks: every layer in turn with the same masks, then `norm` when there is one. */
function layerStack(kind: 'encoder' | 'decoder'): ModuleForward {
  return (ctx, inputs, kwargs) => {
    const none = ctx.constant(null);
    const layers = ctx.module.children.find((c) => c.name === 'layers')!.module.children;
    let x: typeof inputs[number];
    let call: (layer: string, x: typeof inputs[number]) => typeof inputs[number];
    if (kind === 'encoder') {
      const b = bind<typeof inputs[number]>('TransformerEncoder.forward', 'src, mask=None, src_key_padding_mask=None', inputs, kwargs);
      x = b.get('src');
      call = (layer, h) => ctx.child(layer, [h], { src_mask: b.get('mask') ?? none, src_key_padding_mask: b.get('src_key_padding_mask') ?? none });
    } else {
      const b = bind<typeof inputs[number]>('TransformerDecoder.forward', 'tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None', inputs, kwargs);
      x = b.get('tgt');
      const masks = ['tgt_mask', 'memory_mask', 'tgt_key_padding_mask', 'memory_key_padding_mask'];
      call = (layer, h) => ctx.child(layer, [h, b.get('memory')], Object.fromEntries(masks.map((m) => [m, b.get(m) ?? none])));
    }
    for (const layer of layers) x = call(`layers.${layer.name}`, x);
    return ctx.module.children.some((c) => c.name === 'norm') ? ctx.child('norm', [x]) : x;
  };
}

/** nn.Transformer.forward(src, tgt, src_mask, tgt_mask, memory_mask, src_key_padding_mask, tgt_key_padding_mask, memory_key_padding_mask). */
const transformer: ModuleForward = (ctx, inputs, kwargs) => {
  const b = bind<typeof inputs[number]>('Transformer.forward',
    'src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None', inputs, kwargs);
  const none = ctx.constant(null);
  const memory = ctx.child('encoder', [b.get('src')], { mask: b.get('src_mask') ?? none, src_key_padding_mask: b.get('src_key_padding_mask') ?? none });
  return ctx.child('decoder', [b.get('tgt'), memory], {
    tgt_mask: b.get('tgt_mask') ?? none, memory_mask: b.get('memory_mask') ?? none,
    tgt_key_padding_mask: b.get('tgt_key_padding_mask') ?? none, memory_key_padding_mask: b.get('memory_key_padding_mask') ?? none,
  });
};

export const MODULE_FORWARDS: Readonly<Record<string, ModuleForward>> = {
  Linear: linear,
  Conv1d: conv(`${F}conv1d`),
  Conv2d: conv(`${F}conv2d`),
  Conv3d: conv(`${F}conv3d`),
  ConvTranspose2d: (ctx, inputs, kwargs) => {
    const m = ctx.module;
    return ctx.op(`${F}conv_transpose2d`, [one(m.type, inputs, kwargs), ctx.own('weight')!, ctx.own('bias') ?? ctx.constant(null), ...['stride', 'padding', 'output_padding', 'groups', 'dilation'].map((a) => ctx.constant(arg(m, a)))]);
  },
  ConvTranspose1d: (ctx, inputs, kwargs) => {
    const m = ctx.module;
    return ctx.op(`${F}conv_transpose1d`, [one(m.type, inputs, kwargs), ctx.own('weight')!, ctx.own('bias') ?? ctx.constant(null), ...['stride', 'padding', 'output_padding', 'groups', 'dilation'].map((a) => ctx.constant(arg(m, a)))]);
  },
  GLU: functional(`${F}glu`, ['dim']),
  Upsample: functional(`${F}interpolate`, ['size', 'scale_factor', 'mode', 'align_corners', 'recompute_scale_factor']),
  PReLU: (ctx, inputs, kwargs) => ctx.op(`${F}prelu`, [one(ctx.module.type, inputs, kwargs), ctx.own('weight')!]),
  BatchNorm1d: batchNorm,
  BatchNorm2d: batchNorm,
  BatchNorm3d: batchNorm,
  LayerNorm: layerNorm,
  GroupNorm: groupNorm,
  Embedding: embedding,
  Dropout: dropout,
  Identity: identity,
  ReLU: functional(`${F}relu`),
  LeakyReLU: functional(`${F}leaky_relu`, ['negative_slope']),
  ELU: functional(`${F}elu`, ['alpha']),
  SELU: functional(`${F}selu`),
  GELU: functional(`${F}gelu`, [], { approximate: 'approximate' }),
  SiLU: functional(`${F}silu`),
  Mish: functional(`${F}mish`),
  ReLU6: functional(`${F}relu6`),
  Hardtanh: functional(`${F}hardtanh`, ['min_val', 'max_val']),
  Hardsigmoid: functional(`${F}hardsigmoid`),
  Hardswish: functional(`${F}hardswish`),
  Tanh: functional(`${F}tanh`),
  Sigmoid: functional(`${F}sigmoid`),
  Softplus: functional(`${F}softplus`, ['beta', 'threshold']),
  Softmax: functional(`${F}softmax`, ['dim']),
  LogSoftmax: functional(`${F}log_softmax`, ['dim']),
  Flatten: functional('torch.flatten', ['start_dim', 'end_dim']),
  MaxPool2d: functional(`${F}max_pool2d`, ['kernel_size', 'stride', 'padding', 'dilation', 'ceil_mode', 'return_indices']),
  AvgPool2d: functional(`${F}avg_pool2d`, ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override']),
  AdaptiveAvgPool1d: functional(`${F}adaptive_avg_pool1d`, ['output_size']),
  AdaptiveAvgPool2d: functional(`${F}adaptive_avg_pool2d`, ['output_size']),
  AdaptiveAvgPool3d: functional(`${F}adaptive_avg_pool3d`, ['output_size']),
  MultiheadAttention: multiheadAttention,
  TransformerEncoderLayer: transformerEncoderLayer,
  TransformerDecoderLayer: transformerDecoderLayer,
  TransformerEncoder: layerStack('encoder'),
  TransformerDecoder: layerStack('decoder'),
  Transformer: transformer,
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  RNN: recurrent('RNN'),
};
