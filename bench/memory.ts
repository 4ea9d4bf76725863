/**
 * Allocation in steady state: how many bytes 1,000 training steps allocate
 * (whether or not they are freed again), and how much of it stays.
 *
 * Allocated bytes come from V8's GC profiler: every collection reports the
 * used heap before and after it, so
 *     allocated = (used_end − used_start) + Σ_collections (before − after).
 * Retained bytes are the used heap after a forced full GC at the end minus
 * the same at the start (needs `node --expose-gc`; the suite starts its
 * children so).
 */
import { GCProfiler } from 'node:v8';

export interface HeapReport {
  allocatedBytes: number;
  retainedBytes: number;
}

export function measureHeap(step: () => void, steps: number): HeapReport {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('heap measurement needs node --expose-gc');
  for (let i = 0; i < 100; i++) step(); // reach steady state: buffers allocated, code optimized
  gc();
  const start = process.memoryUsage().heapUsed;
  const profiler = new GCProfiler();
  profiler.start();
  const profileStart = process.memoryUsage().heapUsed;
  for (let i = 0; i < steps; i++) step();
  const profileEnd = process.memoryUsage().heapUsed;
  const profile = profiler.stop();
  let freed = 0;
  for (const s of profile?.statistics ?? []) {
    freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  }
  gc();
  const end = process.memoryUsage().heapUsed;
  return { allocatedBytes: Math.max(0, profileEnd - profileStart + freed), retainedBytes: end - start };
}
