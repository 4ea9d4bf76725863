/**
 * torch's argument checks for its optimizers, with its exact messages
 * (torch/optim/adam.py, adamw.py, sgd.py in 1.13). Numbers are printed as
 * Python prints a float (`repr`), e.g. `1e-08`, `-0.1`, `nan`.
 */

export function checkAdamArgs(lr: number | undefined, betas: readonly [number, number], eps: number, weightDecay: number): void {
  if (lr !== undefined && !(0 <= lr)) fail(`Invalid learning rate: ${pyFloat(lr)}`);
  if (!(0 <= eps)) fail(`Invalid epsilon value: ${pyFloat(eps)}`);
  if (!(0 <= betas[0] && betas[0] < 1)) fail(`Invalid beta parameter at index 0: ${pyFloat(betas[0])}`);
  if (!(0 <= betas[1] && betas[1] < 1)) fail(`Invalid beta parameter at index 1: ${pyFloat(betas[1])}`);
  if (!(0 <= weightDecay)) fail(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
}

/** SGD compares with `<`, so NaN passes, as in torch. */
export function checkSgdArgs(lr: number | undefined, momentum: number, dampening: number, weightDecay: number, nesterov: boolean): void {
  if (lr !== undefined && lr < 0) fail(`Invalid learning rate: ${pyFloat(lr)}`);
  if (momentum < 0) fail(`Invalid momentum value: ${pyFloat(momentum)}`);
  if (weightDecay < 0) fail(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
  if (nesterov && (momentum <= 0 || dampening !== 0)) fail('Nesterov momentum requires a momentum and zero dampening');
}

function fail(message: string): never {
  throw new RangeError(message);
}

/**
 * Python's `repr(float(x))`: the shortest round-tripping digits, in
 * positional notation when the decimal exponent is in [−4, 16), otherwise in
 * scientific notation with a two-digit exponent (`1e-05`, `1e+16`).
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e') as [string, string];
  const e = Number(exp);
  const digits = mantissa.replace('.', '');
  if (e < -4 || e >= 16) return `${sign}${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const fraction = digits.slice(e + 1) || '0';
  return `${sign}${whole}.${fraction}`;
}
