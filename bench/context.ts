/** What an implementation's runner gets: the suite's configuration and where to report. */
import { medianSeconds } from './timing';
import { workload, type ResultRow, type SuiteConfig } from './workloads';

export interface RunContext {
  config: SuiteConfig;
  emit(row: ResultRow): void;
  /** Progress and notes, for the person running the suite. */
  log(line: string): void;
}

export function wanted(ctx: RunContext, id: string): boolean {
  return ctx.config.only === null || ctx.config.only.includes(id);
}

/** Median seconds per call of `run`, within the suite's budget. */
export function measure(ctx: RunContext, run: () => void): number {
  return medianSeconds(run, ctx.config.budget);
}

/** The same by wall clock, for work spread over several threads. */
export function measureWall(ctx: RunContext, run: () => void): number {
  return medianSeconds(run, ctx.config.budget, () => performance.now());
}

/**
 * Converts a median time per run into the workload's unit: steps/s for
 * training, GFLOP/s for products (`work` = flops per run), ms for times.
 */
export function resultRow(id: string, impl: string, seconds: number, work = 1): ResultRow {
  const { unit } = workload(id);
  if (unit === 'ms') return { workload: id, impl, metric: 'median time', value: seconds * 1000, unit };
  if (unit === 'GFLOP/s') return { workload: id, impl, metric: 'median throughput', value: work / seconds / 1e9, unit };
  if (unit === 'steps/s') return { workload: id, impl, metric: 'median throughput', value: 1 / seconds, unit };
  throw new Error(`resultRow: ${id} is measured in ${unit}, not time`);
}
