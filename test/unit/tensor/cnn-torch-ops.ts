/** How each op of test/fixtures/ops/cnn.json is called in the engine (torch's keyword names → our options). */
import { relu } from '../../../engine/tensor/activation';
import { batchNorm } from '../../../engine/tensor/batchNorm';
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from '../../../engine/tensor/conv';
import { add } from '../../../engine/tensor/binary';
import { embedding } from '../../../engine/tensor/embedding';
import { groupNorm } from '../../../engine/tensor/groupNorm';
import { linear } from '../../../engine/tensor/matmul';
import { reshape } from '../../../engine/tensor/reshape';
import { logSoftmax } from '../../../engine/tensor/softmax';
import { crossEntropyLoss } from '../../../engine/tensor/loss/crossEntropy';
import { nllLoss } from '../../../engine/tensor/loss/nll';
import { interpolate } from '../../../engine/tensor/interpolate';
import { pad } from '../../../engine/tensor/pad';
import { adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d } from '../../../engine/tensor/pool';
import { gru, lstm, rnn } from '../../../engine/tensor/rnn';
import type { Tensor } from '../../../engine/tensor/tensor';

export interface ArraySpec {
  shape: number[];
  values: number[];
}

export interface OpCase {
  name: string;
  op: string;
  options: Record<string, any>;
  inputs: Record<string, ArraySpec>;
  ints: Record<string, ArraySpec>;
  grads: string[];
  upstream: ArraySpec[] | null;
  results: Record<'float64' | 'float32', { outputs: ArraySpec[]; grads: Record<string, number[]>; state?: Record<string, number[]> }>;
}

export type OpRunner = (t: Record<string, Tensor>, ints: Record<string, ArraySpec>, o: Record<string, any>) => Tensor[];

const bias = (t: Record<string, Tensor>): Tensor | null => t.bias ?? null;

export const OPS: Record<string, OpRunner> = {
  conv2d: (t, _i, o) => [conv2d(t.x!, t.weight!, bias(t), { stride: o.stride, padding: o.padding, dilation: o.dilation, groups: o.groups })],
  conv1d: (t, _i, o) => [conv1d(t.x!, t.weight!, bias(t), { stride: o.stride, padding: o.padding, dilation: o.dilation, groups: o.groups })],
  conv_transpose2d: (t, _i, o) => [
    convTranspose2d(t.x!, t.weight!, bias(t), { stride: o.stride, padding: o.padding, outputPadding: o.output_padding, groups: o.groups, dilation: o.dilation }),
  ],
  conv_transpose1d: (t, _i, o) => [
    convTranspose1d(t.x!, t.weight!, bias(t), { stride: o.stride, padding: o.padding, outputPadding: o.output_padding, groups: o.groups, dilation: o.dilation }),
  ],
  max_pool2d: (t, _i, o) => [maxPool2d(t.x!, { kernelSize: o.kernel_size, stride: o.stride, padding: o.padding, dilation: o.dilation, ceilMode: o.ceil_mode })],
  max_pool1d: (t, _i, o) => [maxPool1d(t.x!, { kernelSize: o.kernel_size, stride: o.stride, padding: o.padding, dilation: o.dilation, ceilMode: o.ceil_mode })],
  avg_pool2d: (t, _i, o) => [
    avgPool2d(t.x!, { kernelSize: o.kernel_size, stride: o.stride, padding: o.padding, ceilMode: o.ceil_mode, countIncludePad: o.count_include_pad, divisorOverride: o.divisor_override }),
  ],
  avg_pool1d: (t, _i, o) => [avgPool1d(t.x!, { kernelSize: o.kernel_size, stride: o.stride, padding: o.padding, ceilMode: o.ceil_mode, countIncludePad: o.count_include_pad })],
  adaptive_avg_pool2d: (t, _i, o) => [adaptiveAvgPool2d(t.x!, o.output_size)],
  adaptive_avg_pool1d: (t, _i, o) => [adaptiveAvgPool1d(t.x!, o.output_size)],
  cross_entropy: (t, i, o) => [
    crossEntropyLoss(t.x!, i.target!.values, { ignoreIndex: o.ignore_index, reduction: o.reduction, labelSmoothing: o.label_smoothing }),
  ],
  nll_loss: (t, i, o) => [nllLoss(t.x!, i.target!.values, { ignoreIndex: o.ignore_index, reduction: o.reduction })],
  batch_norm: (t, _i, o) => [
    batchNorm(t.x!, t.running_mean ?? null, t.running_var ?? null, t.weight ?? null, bias(t), { training: o.training, momentum: o.momentum, eps: o.eps }),
  ],
  group_norm: (t, _i, o) => [groupNorm(t.x!, o.num_groups, t.weight ?? null, bias(t), o.eps)],
  pad: (t, _i, o) => [pad(t.x!, o.pad, { mode: o.mode, value: o.value })],
  interpolate: (t, _i, o) => [
    interpolate(t.x!, { size: o.size ?? undefined, scaleFactor: o.scale_factor ?? undefined, mode: o.mode, alignCorners: o.align_corners ?? undefined }),
  ],
  embedding: (t, i, o) => [embedding({ data: i.indices!.values, shape: i.indices!.shape }, t.weight!, { paddingIdx: o.padding_idx })],
  lstm: (t, _i, o) => {
    const r = lstm(t.x!, t.h0 ? { h: t.h0, c: t.c0! } : null, t, recurrentOptions(o));
    return [r.output, r.h, r.c!];
  },
  gru: (t, _i, o) => {
    const r = gru(t.x!, t.h0 ?? null, t, recurrentOptions(o));
    return [r.output, r.h];
  },
  rnn_tanh: (t, _i, o) => {
    const r = rnn(t.x!, t.h0 ?? null, t, { ...recurrentOptions(o), nonlinearity: 'tanh' });
    return [r.output, r.h];
  },
  rnn_relu: (t, _i, o) => {
    const r = rnn(t.x!, t.h0 ?? null, t, { ...recurrentOptions(o), nonlinearity: 'relu' });
    return [r.output, r.h];
  },
};

function recurrentOptions(o: Record<string, any>) {
  return { numLayers: o.num_layers, bidirectional: o.bidirectional, batchFirst: o.batch_first };
}

/** The small models of gen_ops_cnn.py's model_cases, written with the engine's ops. */
export const MODELS: Record<string, OpRunner> = {
  model_mnist_cnn: (t, i) => {
    let x = relu(conv2d(t.x!, t['conv1.weight']!, t['conv1.bias']!));
    x = relu(conv2d(x, t['conv2.weight']!, t['conv2.bias']!));
    x = maxPool2d(x, { kernelSize: 2 });
    x = reshape(x, [x.shape[0]!, -1]);
    x = relu(linear(x, t['fc1.weight']!, t['fc1.bias']!));
    return [nllLoss(logSoftmax(linear(x, t['fc2.weight']!, t['fc2.bias']!)), i.target!.values)];
  },
  model_resnet_block: (t, i) => {
    const bn = (x: Tensor, name: string) => batchNorm(x, null, null, t[`${name}.weight`]!, t[`${name}.bias`]!, { training: true });
    let out = relu(bn(conv2d(t.x!, t['conv1.weight']!, null, { padding: 1 }), 'bn1'));
    out = relu(add(bn(conv2d(out, t['conv2.weight']!, null, { padding: 1 }), 'bn2'), t.x!));
    out = reshape(adaptiveAvgPool2d(out, 1), [out.shape[0]!, -1]);
    return [crossEntropyLoss(linear(out, t['fc.weight']!, t['fc.bias']!), i.target!.values)];
  },
  model_lstm_lm: (t, i) => {
    const weights: Record<string, Tensor> = {};
    for (const [name, tensor] of Object.entries(t)) if (name.startsWith('lstm.')) weights[name.slice(5)] = tensor;
    const tokens = i.tokens!;
    const { output } = lstm(embedding({ data: tokens.values, shape: tokens.shape }, t['embedding.weight']!), null, weights, { batchFirst: true });
    const logits = linear(output, t['decoder.weight']!, t['decoder.bias']!);
    return [crossEntropyLoss(reshape(logits, [-1, 7]), i.targets!.values)];
  },
};
Object.assign(OPS, MODELS);
