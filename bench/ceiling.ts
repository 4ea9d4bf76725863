/**
 * "What the hardware allows": for each training workload in a run, its work
 * per step (bench/trainingWork.ts), every implementation's effective GFLOP/s
 * (that work ÷ its step time), and the most steps/s our engine could reach
 * if every product ran at the best GEMM throughput our kernel showed in the
 * same run and every other op were free: a ceiling no tuning of the rest of
 * the step can pass. Set against PyTorch's steps/s, it tells whether a
 * speed goal is still an engineering gap or beyond the kernel's arithmetic.
 */
import { formatNumber, OURS, valueOf } from './report';
import { TRAINING_WORKLOADS, trainingStepFlops } from './trainingWork';
import { FULL_SIZES, GEMM_FORMS, type ResultRow, type Sizes } from './workloads';

/** The best GFLOP/s of our one-thread GEMM rows in the run (any size and form), or undefined. */
export function oneThreadGemmPeak(rows: readonly ResultRow[]): number | undefined {
  const ids = FULL_SIZES.gemm.flatMap((size) => GEMM_FORMS.map((form) => `gemm${size}-${form}`));
  const values = rows.filter((r) => r.impl === OURS && ids.includes(r.workload)).map((r) => r.value);
  return values.length > 0 ? Math.max(...values) : undefined;
}

/** Header and body of the table; null when the run has no training workload. */
export function ceilingCells(rows: readonly ResultRow[], sizes: Sizes = FULL_SIZES): string[][] | null {
  const present = TRAINING_WORKLOADS.filter((id) => rows.some((r) => r.workload === id));
  if (present.length === 0) return null;
  const peak1 = oneThreadGemmPeak(rows);
  const peak2 = valueOf(rows, 'gemm1024-nn-2t', OURS);
  const header = [
    'workload', 'GFLOP/step',
    'ours', 'ours, 2 threads', 'tfjs-wasm', 'pytorch',
    `ours at most, 1 thread (GEMM ${formatNumber(peak1)} GFLOP/s)`,
    `ours at most, 2 threads (GEMM ${formatNumber(peak2)} GFLOP/s)`,
  ];
  const body = present.map((id) => {
    const gflop = trainingStepFlops(id, sizes) / 1e9;
    const effective = (stepsPerSecond: number | undefined) => (stepsPerSecond === undefined ? '—' : formatNumber(stepsPerSecond * gflop));
    const torch = valueOf(rows, id, 'pytorch');
    const ceiling = (peak: number | undefined) => {
      if (peak === undefined) return '—';
      const steps = peak / gflop;
      return torch === undefined ? `${formatNumber(steps)} steps/s` : `${formatNumber(steps)} steps/s = ${(steps / torch).toFixed(2)}× pytorch`;
    };
    return [
      id, formatNumber(gflop),
      effective(valueOf(rows, id, OURS)), effective(valueOf(rows, `${id}-2t`, OURS)),
      effective(valueOf(rows, id, 'tfjs-wasm')), effective(torch),
      ceiling(peak1), ceiling(peak2),
    ];
  });
  return [header, ...body];
}

/** The line above the table: what its columns are. */
export function ceilingCaption(rows: readonly ResultRow[]): string {
  const torchPeak = valueOf(rows, 'gemm1024-nn', 'pytorch');
  return 'What the hardware allows: effective GFLOP/s (the step\'s products ÷ its time), and the steps/s our engine would reach '
    + 'with every product at its best GEMM throughput of this run and every other op free'
    + (torchPeak === undefined ? '.' : ` (PyTorch's own GEMM 1024³ in this run: ${formatNumber(torchPeak)} GFLOP/s).`);
}
