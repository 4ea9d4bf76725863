/**
 * Learning-rate schedules: pure functions from the step count to a value.
 *
 * The step count t is the number of updates already applied (0 for the first
 * update), which is torch's `scheduler.last_epoch` when `optimizer.step()`
 * runs if `scheduler.step()` is called once after every optimizer step.
 * Closed forms are used; torch's schedulers update the lr recursively
 * (e.g. CosineAnnealingLR multiplies by a ratio of cosines, StepLR by γ), so
 * their lr agrees with these to a few ulps, not bit for bit.
 */

export type Schedule = (step: number) => number;

export function constantSchedule(value: number): Schedule {
  return () => value;
}

/**
 * Linear from `init` to `peak` over `warmupSteps`, then constant `peak`:
 * lr_t = init + (peak − init)·min(t, W)/W  (torch: LinearLR with end_factor 1).
 */
export function linearWarmup(peak: number, warmupSteps: number, init = 0): Schedule {
  checkSteps('warmupSteps', warmupSteps);
  return (t) => (warmupSteps === 0 || t >= warmupSteps ? peak : init + ((peak - init) * t) / warmupSteps);
}

/**
 * Cosine decay from `init` to `final` over `decaySteps`, then constant `final`:
 * lr_t = final + (init − final)·(1 + cos(π·min(t, T)/T))/2
 * (torch: CosineAnnealingLR(T_max=T, eta_min=final)).
 */
export function cosineDecay(init: number, decaySteps: number, final = 0): Schedule {
  checkSteps('decaySteps', decaySteps);
  return (t) => {
    if (decaySteps === 0 || t >= decaySteps) return final;
    return final + ((init - final) * (1 + Math.cos((Math.PI * t) / decaySteps))) / 2;
  };
}

/** lr_t = init·γ^⌊t/stepSize⌋ (torch: StepLR(step_size, gamma)). */
export function stepDecay(init: number, stepSize: number, gamma: number): Schedule {
  checkSteps('stepSize', stepSize);
  if (stepSize === 0) throw new RangeError('stepDecay: stepSize must be positive');
  return (t) => init * gamma ** Math.floor(t / stepSize);
}

/** lr_t = init·γ^t (torch: ExponentialLR(gamma)). */
export function exponentialDecay(init: number, gamma: number): Schedule {
  return (t) => init * gamma ** t;
}

/**
 * Linear warmup from `init` to `peak` over `warmupSteps`, then cosine decay
 * to `final`, reached at `totalSteps` (which includes the warmup), as optax's
 * warmup_cosine_decay_schedule.
 */
export function warmupCosine(peak: number, warmupSteps: number, totalSteps: number, init = 0, final = 0): Schedule {
  checkSteps('warmupSteps', warmupSteps);
  checkSteps('totalSteps', totalSteps);
  if (totalSteps < warmupSteps) throw new RangeError(`warmupCosine: totalSteps (${totalSteps}) must be ≥ warmupSteps (${warmupSteps})`);
  const warmup = linearWarmup(peak, warmupSteps, init);
  const decay = cosineDecay(peak, totalSteps - warmupSteps, final);
  return (t) => (t < warmupSteps ? warmup(t) : decay(t - warmupSteps));
}

function checkSteps(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}
