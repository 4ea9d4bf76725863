/**
 * 3-D convolution and adaptive average pooling (video models: torchvision's
 * R3D and R(2+1)D) over [N, C, D, H, W] (or unbatched [C, D, H, W]), written
 * as the engine's 2-D ops over depth slices, so that their gradients are
 * those of conv2d, adaptive_avg_pool2d and the slicing and stacking around
 * them:
 *
 *   conv3d:   y[:, :, od] = b + Σ_kd conv2d(x[:, :, od·sD − pD + kd·dD], w[:, :, kd])
 *             over the kd whose input slice lies inside [0, D) (the others read
 *             the zero padding), with the 2-D stride, padding, dilation and groups;
 *             D_out = ⌊(D + 2pD − dD·(KD − 1) − 1) / sD⌋ + 1 as torch.
 *   adaptive: y[:, :, od] = mean over d ∈ [⌊od·D/O⌋, ⌈(od + 1)·D/O⌉) of
 *             adaptive_avg_pool2d(x[:, :, d]): every 2-D bin has the same size
 *             within a slice, so the mean of the slices' means is the 3-D bin's mean.
 *
 * Sums run in another order than torch's single kernel: float64 agrees to
 * about 1e-15, float32 to a few ulps.
 */
import { add, div, mul } from './binary';
import { stack } from './concat';
import { conv2d, expandInts, type ConvOptions } from './conv';
import { index } from './indexing';
import { adaptiveAvgPool2d, type AdaptiveSize } from './pool';
import { reshape } from './reshape';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

/** The input as batched [N, C, D, H, W], and how to give the output back in the input's rank. */
function batched(op: string, x: Tensor): { x: Tensor; unbatch: (y: Tensor) => Tensor } {
  if (x.ndim === 5) return { x, unbatch: (y) => y };
  if (x.ndim === 4) return { x: reshape(x, [1, ...x.shape]), unbatch: (y) => reshape(y, y.shape.slice(1)) };
  throw new RangeError(`${op}: expected 4-D (unbatched) or 5-D (batched) input, got ${formatShape(x.shape)}`);
}

export function conv3d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  const op = 'conv3d';
  if (weight.ndim !== 5) throw new RangeError(`${op}: weight must be 5-D [out, in/groups, kD, kH, kW], got ${formatShape(weight.shape)}`);
  const { x, unbatch } = batched(op, input);
  const D = x.shape[2]!;
  const kernel = weight.shape.slice(2) as [number, number, number];
  const stride = expandInts(op, 'stride', options.stride ?? 1, 3, 1);
  const dilation = expandInts(op, 'dilation', options.dilation ?? 1, 3, 1);
  let padding: number[];
  const p = options.padding ?? 0;
  if (p === 'valid') padding = [0, 0, 0];
  else if (p === 'same') {
    if (stride.some((s) => s !== 1)) throw new RangeError(`${op}: padding='same' is not supported for strided convolutions`);
    // torch splits dilation·(k − 1) with the extra on the far side; symmetric when it is even.
    const totals = kernel.map((k, i) => dilation[i]! * (k - 1));
    if (totals.some((t) => t % 2 !== 0)) throw new RangeError(`${op}: padding='same' with an even effective kernel is not read (asymmetric padding)`);
    padding = totals.map((t) => t / 2);
  } else padding = expandInts(op, 'padding', p, 3, 0);
  const [KD] = kernel;
  const outD = Math.floor((D + 2 * padding[0]! - dilation[0]! * (KD - 1) - 1) / stride[0]!) + 1;
  if (outD < 1) throw new RangeError(`${op}: calculated output depth ${outD} is too small for input depth ${D} and kernel depth ${KD}`);
  const options2d: ConvOptions = { stride: stride.slice(1), padding: padding.slice(1), dilation: dilation.slice(1), groups: options.groups ?? 1 };
  const weights = Array.from({ length: KD }, (_, kd) => index(weight, [{}, {}, kd]));
  const slices: Tensor[] = [];
  for (let od = 0; od < outD; od++) {
    let acc: Tensor | null = null;
    for (let kd = 0; kd < KD; kd++) {
      const d = od * stride[0]! - padding[0]! + kd * dilation[0]!;
      if (d < 0 || d >= D) continue;
      const term = conv2d(index(x, [{}, {}, d]), weights[kd]!, null, options2d);
      acc = acc ? add(acc, term) : term;
    }
    // A window entirely in the depth padding reads zeros only.
    slices.push(acc ?? mul(conv2d(index(x, [{}, {}, 0]), weights[0]!, null, options2d), 0));
  }
  let y = stack(slices, 2);
  if (bias) {
    if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) throw new RangeError(`${op}: bias ${formatShape(bias.shape)} must be [${weight.shape[0]}]`);
    y = add(y, reshape(bias, [1, bias.shape[0]!, 1, 1, 1]));
  }
  return unbatch(y);
}

export function adaptiveAvgPool3d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  const op = 'adaptive_avg_pool3d';
  const { x, unbatch } = batched(op, input);
  const sizes = typeof outputSize === 'number' ? [outputSize, outputSize, outputSize] : [...outputSize];
  if (sizes.length !== 3) throw new RangeError(`${op}: output_size must be an int or 3 ints, got ${JSON.stringify(outputSize)}`);
  const D = x.shape[2]!;
  const OD = sizes[0] ?? D;
  if (!(Number.isInteger(OD) && OD >= 1)) throw new RangeError(`${op}: output depth must be a positive integer, got ${OD}`);
  const plane = [sizes[1] ?? null, sizes[2] ?? null];
  const slices: Tensor[] = [];
  for (let od = 0; od < OD; od++) {
    const start = Math.floor((od * D) / OD);
    const end = Math.ceil(((od + 1) * D) / OD);
    let acc: Tensor | null = null;
    for (let d = start; d < end; d++) {
      const pooled = adaptiveAvgPool2d(index(x, [{}, {}, d]), plane);
      acc = acc ? add(acc, pooled) : pooled;
    }
    slices.push(div(acc!, end - start));
  }
  return unbatch(stack(slices, 2));
}
