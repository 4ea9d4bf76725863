/**
 * Per-tensor statistics of a checkpoint, computed a chunk at a time so that
 * no tensor is ever held whole (beyond one chunk): a first pass for count,
 * mean, unbiased std, min, max, L2 norm and zeros (engine/stats/chunked.ts),
 * a second over the file again for the histogram on [min, max] (torch.histc's
 * binning, engine/stats/histogram.ts). A tensor of up to 64 MB is read once
 * and held for the second pass; the next chunk is read while one is summed.
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

/**
 * Tensors up to this size (at 8 bytes an element, the widest a chunk holds)
 * are held for the histogram instead of being read a second time; larger
 * ones (an embedding of 50257 × 768) are read again, so memory stays bounded.
 */
const KEEP_BYTES = 64 * 1024 * 1024;

/**
 * The chunks of `source` with the next one already being read while the
 * caller works on the current one: the file read (on Node's thread pool)
 * overlaps the statistics instead of alternating with them.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let pending = it.next();
  try {
    for (;;) {
      const current = await pending;
      if (current.done) return;
      pending = it.next();
      yield current.value;
    }
  } finally {
    // Stopped early (an error in the caller): let the read under way settle, then close the source.
    await pending.catch(() => undefined);
    await it.return?.();
  }
}

export async function summarizeTensor(tensor: CheckpointTensor, options: SummaryOptions = {}): Promise<TensorSummary> {
  const bins = options.bins ?? 40;
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histogram bins must be a positive integer, got ${bins}`);
  const chunkElements = options.chunkElements ?? DEFAULT_CHUNK_ELEMENTS;
  const moments = new ChunkedMoments();
  // The chunks of a tensor up to KEEP_BYTES are kept for the histogram rather than read again.
  const keep = tensor.numel * 8 <= KEEP_BYTES || tensor.numel <= chunkElements;
  const kept: FloatArray[] = [];
  for await (const chunk of readAhead(tensor.chunks(chunkElements))) {
    moments.add(chunk);
    if (keep) kept.push(chunk);
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
    if (keep) for (const chunk of kept) histogram(chunk, bins, lo, hi, counts, edges);
    else for await (const chunk of readAhead(tensor.chunks(chunkElements))) histogram(chunk, bins, lo, hi, counts, edges);
    summary.histogram = { edges: [...edges], counts: [...counts] };
  }
  return summary;
}
