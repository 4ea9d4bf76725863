/**
 * Per-tensor statistics of a checkpoint, computed a chunk at a time so that
 * no tensor is ever held whole (beyond one chunk): a first pass for count,
 * mean, unbiased std, min, max, L2 norm and zeros (engine/stats/chunked.ts),
 * a second over the file again for the histogram on [min, max] (torch.histc's
 * binning, engine/stats/histogram.ts). A tensor that fits in one chunk is
 * read once.
 */
import { ChunkedMoments } from '../stats/chunked';
import { histogram, histogramEdges, histogramRange } from '../stats/histogram';
import type { ElementType } from '../io/types';
import type { FloatArray } from '../tensor/dtype';
import { DEFAULT_CHUNK_ELEMENTS, type CheckpointTensor } from './types';

export interface TensorSummary {
  name: string;
  dtype: ElementType;
  shape: number[];
  numel: number;
  /** Over the finite values; null when there are none. */
  mean: number | null;
  /** Unbiased (n − 1); null for fewer than two finite values. */
  std: number | null;
  min: number | null;
  max: number | null;
  l2Norm: number;
  /** Share of elements that are exactly zero (0 for an empty tensor). */
  zeroFraction: number;
  /** NaN and ±Infinity elements, left out of everything above. */
  nonFinite: number;
  /** Equal bins on [min, max] of the finite values (absent when there are none). */
  histogram?: { edges: number[]; counts: number[] };
  sharesStorageWith?: string;
  identicalTo?: string;
}

export interface SummaryOptions {
  /** Histogram bins (default 40). */
  bins?: number;
  /** Elements per chunk read. */
  chunkElements?: number;
}

export async function summarizeTensor(tensor: CheckpointTensor, options: SummaryOptions = {}): Promise<TensorSummary> {
  const bins = options.bins ?? 40;
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histogram bins must be a positive integer, got ${bins}`);
  const chunkElements = options.chunkElements ?? DEFAULT_CHUNK_ELEMENTS;
  const moments = new ChunkedMoments();
  let kept: FloatArray | undefined;
  for await (const chunk of tensor.chunks(chunkElements)) {
    moments.add(chunk);
    if (tensor.numel <= chunkElements) kept = chunk;
  }
  const summary: TensorSummary = {
    name: tensor.name,
    dtype: tensor.dtype,
    shape: [...tensor.shape],
    numel: tensor.numel,
    mean: moments.meanOrNull(),
    std: moments.unbiasedStd(),
    min: moments.count > 0 ? moments.min : null,
    max: moments.count > 0 ? moments.max : null,
    l2Norm: moments.l2Norm,
    zeroFraction: tensor.numel > 0 ? moments.zeros / tensor.numel : 0,
    nonFinite: moments.nonFinite,
    ...(tensor.sharesStorageWith !== undefined ? { sharesStorageWith: tensor.sharesStorageWith } : {}),
    ...(tensor.identicalTo !== undefined ? { identicalTo: tensor.identicalTo } : {}),
  };
  if (moments.count > 0) {
    const [lo, hi] = histogramRange(moments.min, moments.max);
    const edges = histogramEdges(lo, hi, bins);
    const counts = new Float64Array(bins);
    if (kept) histogram(kept, bins, lo, hi, counts, edges);
    else for await (const chunk of tensor.chunks(chunkElements)) histogram(chunk, bins, lo, hi, counts, edges);
    summary.histogram = { edges: [...edges], counts: [...counts] };
  }
  return summary;
}
