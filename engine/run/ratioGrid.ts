/**
 * The update-to-weight ratio of every row (tensor or module) at every recorded
 * step, as the grid a layer × step heat map draws. A run keeps full records
 * for some steps only (all of them up to its dense limit, log-spaced ones after,
 * a thinned list in the panel): the grid's columns are those records, never
 * interpolated steps. When there are more records than columns fit, consecutive
 * records share a column, as evenly as possible: with n records and C columns,
 * column j holds records ⌊j·n/C⌋ … ⌊(j+1)·n/C⌋ − 1, and its value is the ratio
 * of the combined norms over them (√Σ‖Δθ‖² / √Σ‖θ‖², see rollup.ts).
 */
import { rollUp, type RollupRow } from './rollup';
import type { RunStep } from './types';

/** A column of the grid: the records it combines. */
export interface GridColumn {
  /** Step of its first and last record. */
  first: number;
  last: number;
  /** How many records it combines. */
  records: number;
}

export interface RatioGrid {
  rows: readonly RollupRow[];
  columns: GridColumn[];
  /** Row-major: `values[r * columns.length + c]`; NaN where the records have none of the row's tensors. */
  values: Float64Array;
  /** Smallest and largest positive finite value (the colour scale's range); undefined when there is none. */
  range: { lo: number; hi: number } | undefined;
}

/** Index ranges [start, end) of `n` records spread evenly over at most `maxColumns` columns. */
export function binRecords(n: number, maxColumns: number): [number, number][] {
  const columns = Math.max(0, Math.min(n, Math.floor(maxColumns)));
  const bins: [number, number][] = [];
  for (let j = 0; j < columns; j++) bins.push([Math.floor((j * n) / columns), Math.floor(((j + 1) * n) / columns)]);
  return bins;
}

/** The grid of `records` (sorted by step) for `rows`, in at most `maxColumns` columns. */
export function ratioGrid(records: readonly RunStep[], rows: readonly RollupRow[], maxColumns: number): RatioGrid {
  const bins = binRecords(records.length, maxColumns);
  const values = new Float64Array(rows.length * bins.length);
  let lo = Infinity;
  let hi = -Infinity;
  bins.forEach(([start, end], c) => {
    const slice = records.slice(start, end);
    rows.forEach((row, r) => {
      const v = rollUp(slice, row.tensors)?.updateToWeight ?? NaN;
      values[r * bins.length + c] = v;
      if (v > 0 && Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    });
  });
  return {
    rows,
    columns: bins.map(([start, end]) => ({ first: records[start]!.step, last: records[end - 1]!.step, records: end - start })),
    values,
    range: lo <= hi ? { lo, hi } : undefined,
  };
}
