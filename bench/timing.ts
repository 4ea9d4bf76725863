/**
 * Time-bounded measurement. A workload runs once (warm-up, which also tells
 * how long one run takes), then repeatedly until its time budget is spent;
 * the result is the median run time, which ignores the occasional GC pause
 * or scheduler hiccup of a shared machine better than the mean.
 *
 * Clock: the CPU time of the process (user + system), not wall time. Every
 * implementation here runs on one thread, so on an idle machine the two
 * agree; on a shared machine, CPU time leaves out the time the process
 * waited for a core, which wall time would count as ours (the PyTorch
 * script uses time.process_time, the same clock).
 *
 * When the warm-up run alone took longer than the whole budget, it is the
 * sample (runs of seconds hardly depend on warm-up), so a slow peer cannot
 * stretch the suite without bound.
 */

export interface Budget {
  /** Milliseconds of measured runs (after the warm-up). */
  ms: number;
  /** At most this many measured runs. */
  maxRuns: number;
}

export const FULL_BUDGET: Budget = { ms: 2500, maxRuns: 2000 };
export const QUICK_BUDGET: Budget = { ms: 250, maxRuns: 200 };
/** One measured run: for the smoke test, which checks shapes, not speed. */
export const SMOKE_BUDGET: Budget = { ms: 0, maxRuns: 1 };

/** CPU time of this process in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Median seconds per call of `run`, by the CPU time of the process, or by
 * wall time (`clock = performance.now`) for runs on more than one thread,
 * whose CPU time would add up the threads.
 */
export function medianSeconds(run: () => void, budget: Budget, clock: () => number = cpuMs): number {
  const w0 = clock();
  run();
  const warmUp = clock() - w0;
  if (warmUp > budget.ms && budget.maxRuns > 1) return warmUp / 1000;
  const times: number[] = [];
  const started = clock();
  while (times.length < budget.maxRuns) {
    const t0 = clock();
    run();
    const t1 = clock();
    times.push(t1 - t0);
    if (t1 - started >= budget.ms) break;
  }
  return Math.max(median(times), 1e-6) / 1000;
}

/**
 * Median seconds per call of `a` and of `b`, called alternately (a, b, a, b, …)
 * until the budget is spent, so that both see the same machine: for a ratio
 * of two variants of one workload, which a load that changes between two
 * separate measurements would distort.
 */
export function pairedMedianSeconds(a: () => void, b: () => void, budget: Budget, clock: () => number = cpuMs): [number, number] {
  a();
  b();
  const times: [number[], number[]] = [[], []];
  const started = clock();
  while (times[0].length < budget.maxRuns) {
    const t0 = clock();
    a();
    const t1 = clock();
    b();
    const t2 = clock();
    times[0].push(t1 - t0);
    times[1].push(t2 - t1);
    if (t2 - started >= 2 * budget.ms) break;
  }
  return [Math.max(median(times[0]), 1e-6) / 1000, Math.max(median(times[1]), 1e-6) / 1000];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
