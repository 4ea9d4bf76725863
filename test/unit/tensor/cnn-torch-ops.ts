/** How each op of test/fixtures/ops/cnn.json is called in the engine (torch's keyword names → our options). */
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from '../../../engine/tensor/conv';
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
};
