/**
 * The checkpoint table's columns: the tensor's own statistics, and the
 * model's and the initial checkpoint's when they are known. Each column
 * gives a cell's value and its text, so that the table, its sort order
 * and the tests read the same numbers.
 */
import type { TensorSummary } from '../../engine/checkpoint/summary';
import type { DriftReport, ModelComparison } from '../../engine/checkpoint/report';
import { formatCount, formatNumber, formatShape } from '../format';

export interface Column {
  key: string;
  header: string;
  title?: string;
  value(t: TensorSummary): number | string | null;
  text?(t: TensorSummary): string;
  /** A class for the cell from its value (e.g. a ratio far from 1). */
  tone?(t: TensorSummary): string;
  /** A cell's tooltip (e.g. the initializer behind a std at init). */
  hint?(t: TensorSummary): string | undefined;
}

const percent = (x: number): string => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;

/** The tensor's own columns before the comparisons (shape and spread) and after them (range, norm, zeros, count). */
export function leadingColumns(): Column[] {
  return [
    { key: 'shape', header: 'shape', value: (t) => t.shape.join('×'), text: (t) => formatShape(t.shape) },
    { key: 'dtype', header: 'dtype', value: (t) => t.dtype },
    { key: 'mean', header: 'mean', value: (t) => t.mean },
    { key: 'std', header: 'std', value: (t) => t.std },
  ];
}

export function trailingColumns(): Column[] {
  return [
    { key: 'min', header: 'min', value: (t) => t.min },
    { key: 'max', header: 'max', value: (t) => t.max },
    { key: 'l2', header: 'L2 norm', value: (t) => t.l2Norm },
    { key: 'zeros', header: 'zeros', title: 'Share of elements that are exactly zero', value: (t) => t.zeroFraction, text: (t) => percent(t.zeroFraction) },
    { key: 'numel', header: 'count', value: (t) => t.numel, text: (t) => formatCount(t.numel) },
  ];
}

/** How far a ratio is from 1 before it is marked: a factor of 2. */
const RATIO_MARK = 2;

export function ratioTone(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return '';
  return ratio > RATIO_MARK ? 'ratio high' : ratio < 1 / RATIO_MARK ? 'ratio low' : 'ratio';
}

/** Next to the std: the std the initializer gave the tensor (its call in the tooltip) and the ratio. */
export function modelColumns(model: ModelComparison): Column[] {
  return [
    {
      key: 'theoryStd', header: 'std at init', title: "The initializer's theory std: what the tensor's std was at initialization",
      value: (t) => model.tensors[t.name]?.theoryStd ?? null, hint: (t) => model.tensors[t.name]?.initializer,
    },
    {
      key: 'stdRatio', header: 'std ÷ init', title: "std now ÷ the initializer's theory std (1: training kept the scale)",
      value: (t) => model.tensors[t.name]?.stdRatio ?? null, tone: (t) => ratioTone(model.tensors[t.name]?.stdRatio),
    },
  ];
}

export function driftColumns(drift: DriftReport): Column[] {
  return [
    { key: 'initialStd', header: 'std θ₀', title: 'std of the tensor in the initial checkpoint', value: (t) => drift.initial[t.name]?.std ?? null },
    { key: 'drift', header: 'drift', title: '‖θ − θ₀‖ / ‖θ₀‖: the change since the initial checkpoint relative to its size', value: (t) => drift.relative[t.name] ?? null },
  ];
}

export function cellText(c: Column, t: TensorSummary): string {
  if (c.text) return c.text(t);
  const v = c.value(t);
  return typeof v === 'number' || v === null ? formatNumber(v) : v;
}
