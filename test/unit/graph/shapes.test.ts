/**
 * The graph check's shape rules, one per op of the table, against the shapes
 * torch 1.13 gives for the same calls (written out from torch's formulas:
 * ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1 for convolutions and pooling, numpy
 * broadcasting, view's −1, Python slices), and torch's messages when they
 * do not fit.
 */
import { describe, expect, it } from 'vitest';
import { MetaTensor, UNKNOWN, type MetaValue } from '../../../engine/graph/meta';
import { bindOp, broadcastShapes, collectingUnavailable, indexShape, OpUnavailable, resolveView } from '../../../engine/graph/ops';

const t = (...shape: number[]): MetaTensor => new MetaTensor(shape);
const long = (...shape: number[]): MetaTensor => new MetaTensor(shape, true);

function shapeOf(op: string, args: MetaValue[], kwargs: Record<string, MetaValue> = {}): MetaValue {
  const { def, bound } = bindOp<MetaValue>(op, args, kwargs);
  // Engine ops missing for these arguments are noted, not thrown: the rule still gives the shape.
  return collectingUnavailable(() => {}, () => def.shape!(bound));
}

const shape = (v: MetaValue): readonly number[] => (v as MetaTensor).shape;
const F = 'torch.nn.functional.';

describe('shape rules', () => {
  it('conv2d: stride, padding (numbers, "same", "valid"), dilation and groups as torch computes them', () => {
    expect(shape(shapeOf(`${F}conv2d`, [t(8, 3, 224, 224), t(64, 3, 7, 7), null, 2, 3, 1, 1]))).toEqual([8, 64, 112, 112]);
    expect(shape(shapeOf(`${F}conv2d`, [t(2, 32, 28, 28), t(32, 1, 3, 3), null], { padding: 'same', groups: 32 }))).toEqual([2, 32, 28, 28]);
    expect(shape(shapeOf(`${F}conv2d`, [t(2, 1, 28, 28), t(32, 1, 3, 3), null], { padding: 'valid' }))).toEqual([2, 32, 26, 26]);
    expect(shape(shapeOf(`${F}conv2d`, [t(2, 4, 10, 10), t(4, 4, 3, 3), null], { dilation: 2 }))).toEqual([2, 4, 6, 6]);
    expect(shape(shapeOf(`${F}conv1d`, [t(2, 1, 100), t(8, 1, 5), null], { stride: 3, padding: [1] }))).toEqual([2, 8, 33]);
    expect(() => shapeOf(`${F}conv2d`, [t(2, 3, 8, 8), t(6, 4, 3, 3), null])).toThrow(/expected input \[2, 3, 8, 8\] to have 4 channels, but got 3 channels instead/);
  });

  it('pooling: kernel, stride (default the kernel), padding, ceil_mode; adaptive pooling to its output size', () => {
    expect(shape(shapeOf(`${F}max_pool2d`, [t(8, 64, 112, 112), 3, 2, 1]))).toEqual([8, 64, 56, 56]);
    expect(shape(shapeOf(`${F}max_pool2d`, [t(2, 64, 24, 24), 2]))).toEqual([2, 64, 12, 12]);
    expect(shape(shapeOf(`${F}max_pool2d`, [t(1, 1, 5, 5), 2], { ceil_mode: true }))).toEqual([1, 1, 3, 3]);
    expect(shape(shapeOf(`${F}avg_pool2d`, [t(1, 3, 7, 7), 3], { stride: 2, padding: 1 }))).toEqual([1, 3, 4, 4]);
    expect(shape(shapeOf(`${F}adaptive_avg_pool2d`, [t(8, 512, 7, 7), [1, 1]]))).toEqual([8, 512, 1, 1]);
    expect(shape(shapeOf(`${F}adaptive_avg_pool2d`, [t(8, 512, 7, 9), [null, 3]]))).toEqual([8, 512, 7, 3]);
  });

  it('views: −1 inferred, flatten, unsqueeze/squeeze; transpose and permute', () => {
    expect(resolveView('view', [4, 64, 128], [-1, 128])).toEqual([256, 128]);
    expect(() => resolveView('view', [4, 6], [5, -1])).toThrow(/shape '\[5, -1\]' is invalid for input of size 24/);
    expect(shape(shapeOf('torch.flatten', [t(2, 64, 12, 12), 1]))).toEqual([2, 9216]);
    expect(shape(shapeOf('Tensor.unsqueeze', [t(3, 4), -1]))).toEqual([3, 4, 1]);
    expect(shape(shapeOf('Tensor.squeeze', [t(3, 1, 4)]))).toEqual([3, 4]);
    expect(shape(shapeOf('Tensor.transpose', [t(2, 4, 64, 32), -2, -1]))).toEqual([2, 4, 32, 64]);
    expect(shape(shapeOf('Tensor.permute', [t(2, 3, 5), 2, 0, 1]))).toEqual([5, 2, 3]);
  });

  it('F.pad: (left, right) pairs from the last dimension backwards, negative amounts crop; torch\'s padding-length check', () => {
    expect(shape(shapeOf(`${F}pad`, [t(2, 4, 7, 7), [0, 1, 0, 1]]))).toEqual([2, 4, 8, 8]);
    expect(shape(shapeOf(`${F}pad`, [t(2, 4, 8, 8), [1, 1, 2, 0, 1, 1]]))).toEqual([2, 6, 10, 10]);
    expect(shape(shapeOf(`${F}pad`, [t(2, 4, 8, 8), [-1, -1]]))).toEqual([2, 4, 8, 6]);
    expect(() => shapeOf(`${F}pad`, [t(2, 4), [1, 1, 1]])).toThrow(/padding length must be divisible by 2/);
  });

  it('broadcasting in both directions, and torch\'s message when sizes clash', () => {
    expect(broadcastShapes([2, 64, 128], [64, 128])).toEqual([2, 64, 128]);
    expect(broadcastShapes([5, 1, 3], [4, 1])).toEqual([5, 4, 3]);
    expect(() => broadcastShapes([2, 20], [2, 30])).toThrow(/The size of tensor a \(20\) must match the size of tensor b \(30\) at non-singleton dimension 1/);
    expect(shape(shapeOf('operator.add', [t(2, 64, 128), t(64, 128)]))).toEqual([2, 64, 128]);
    expect(shapeOf('operator.floordiv', [128, 4])).toBe(32);
  });

  it('split, cat, matmul with batch dimensions, and indexing with slices, None and ...', () => {
    const parts = shapeOf('Tensor.split', [t(2, 64, 384), 128], { dim: 2 }) as MetaTensor[];
    expect(parts.map((p) => p.shape)).toEqual([[2, 64, 128], [2, 64, 128], [2, 64, 128]]);
    expect(shape(shapeOf('torch.cat', [[t(2, 3, 4), t(2, 5, 4)], 1]))).toEqual([2, 8, 4]);
    expect(() => shapeOf('torch.cat', [[t(2, 3, 4), t(2, 5, 5)], 1])).toThrow(/sizes of tensors must match except in dimension 1/);
    expect(shape(shapeOf('operator.matmul', [t(2, 4, 64, 32), t(2, 4, 32, 64)]))).toEqual([2, 4, 64, 64]);
    expect(() => shapeOf('operator.matmul', [t(2, 3), t(4, 5)])).toThrow(/cannot be multiplied \(3 ≠ 4\)/);
    const slice = (start: number | null, stop: number | null) => ({ kind: 'slice' as const, start, stop, step: null });
    expect(indexShape([1, 1, 64, 64], [slice(null, null), slice(null, null), slice(null, 10), slice(null, 10)])).toEqual([1, 1, 10, 10]);
    expect(indexShape([2, 64, 65], [slice(null, null), -1, slice(null, null)])).toEqual([2, 65]);
    expect(indexShape([2, 3, 4], [{ kind: 'ellipsis' }, slice(null, 2)])).toEqual([2, 3, 2]);
    expect(indexShape([2, 3], [null, slice(1, null)])).toEqual([1, 1, 3]);
  });

  it('embedding and cross-entropy: integer ids and class targets, (B·T, C) logits with (B·T) targets', () => {
    expect(shape(shapeOf(`${F}embedding`, [long(2, 64), t(65, 128)]))).toEqual([2, 64, 128]);
    expect(() => shapeOf(`${F}embedding`, [t(2, 64), t(65, 128)])).toThrow(/integer type/);
    expect(shape(shapeOf(`${F}cross_entropy`, [t(128, 65), long(128)]))).toEqual([]);
    expect(() => shapeOf(`${F}cross_entropy`, [t(128, 65), long(2, 64)])).toThrow(/expects targets of shape \[128\], got \[2, 64\]/);
    expect(shapeOf(`${F}cross_entropy`, [t(128, 65), long(128)], { reduction: 'none' })).toBe(UNKNOWN);
  });

  it('an engine op missing for the arguments at hand (batched matmul) is noted while the shape goes on', () => {
    const noted: OpUnavailable[] = [];
    const { def, bound } = bindOp<MetaValue>('operator.matmul', [t(2, 3, 4), t(2, 4, 5)], {});
    const out = collectingUnavailable((e) => noted.push(e), () => def.shape!(bound));
    expect((out as MetaTensor).shape).toEqual([2, 3, 5]);
    // Noted exactly when the engine's matmul is 2-D only (no bmm exported yet).
    for (const e of noted) expect(e.message).toMatch(/batched/);
  });
});
