/** How each op of test/fixtures/ops/cnn.json is called in the engine (torch's keyword names → our options). */
import { batchNorm } from '../../../engine/tensor/batchNorm';
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from '../../../engine/tensor/conv';
import { embedding } from '../../../engine/tensor/embedding';
import { groupNorm } from '../../../engine/tensor/groupNorm';
import { crossEntropyLoss } from '../../../engine/tensor/loss/crossEntropy';
import { nllLoss } from '../../../engine/tensor/loss/nll';
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
