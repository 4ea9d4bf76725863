/**
 * The `optimizer` section of a model file: torch.optim's hyper-parameters
 * with its own checks and wording, plus what torch spells in code around the
 * optimizer — a no-decay list (a second param group with weight_decay=0),
 * param groups with their own lr and weight decay, an lr schedule, and for
 * AdamW the decay semantics (torch's or the paper's).
 */
import { DiagnosticSink, entry, optionalInteger, optionalNumber, optionalString } from './decodeSupport';
import type { Located, LocatedEntry } from './located';
import type { OptimizerSpec, ParamGroupSpec, ScheduleSpec } from './spec';

export function decodeOptimizer(d: DiagnosticSink, e: LocatedEntry | undefined): OptimizerSpec | undefined {
  if (!e) return undefined;
  const obj = d.expectObject(e.value, 'optimizer');
  if (!obj) return undefined;
  const typeEntry = entry(obj, 'type');
  const type = typeEntry?.value.kind === 'scalar' ? String(typeEntry.value.value) : '';
  if (type !== 'AdamW' && type !== 'Adam' && type !== 'SGD') {
    d.error('unknown-optimizer', `Unknown optimizer "${type}". Supported: AdamW, Adam, SGD.`, typeEntry?.value.range ?? obj.range);
    return undefined;
  }
  const allowed = type === 'SGD'
    ? ['type', 'lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'maximize', 'no_decay', ...STRUCTURED]
    : ['type', 'lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize', 'no_decay', ...STRUCTURED, ...(type === 'AdamW' ? ['decay'] : [])];
  d.warnUnknownKeys(obj.entries, new Set(allowed), type);
  const lrEntry = entry(obj, 'lr');
  const lr = optionalNumber(d, obj, 'lr') ?? (type === 'SGD' ? undefined : 1e-3);
  if (lr === undefined) {
    d.error('missing-lr', 'SGD needs a learning rate "lr".', obj.range);
    return undefined;
  }
  // torch.optim's own checks, with its wording: lr ≥ 0 (0 is allowed, and trains nothing).
  if (!(lr >= 0) && lrEntry) d.error('bad-hyperparameter', `Invalid learning rate: ${lr} (it must be ≥ 0).`, lrEntry.value.range);
  if (lr === 0 && lrEntry) d.warning('zero-lr', 'lr = 0: torch accepts it, but no step changes the weights (nor does the decay, which is scaled by lr).', lrEntry.value.range);
  const args: Record<string, number | boolean | number[]> = {};
  const noDecay: string[] = [];
  for (const a of obj.entries) {
    if (a.key === 'type' || a.key === 'lr' || STRUCTURED.includes(a.key) || a.key === 'decay' || !allowed.includes(a.key)) continue;
    if (a.key === 'no_decay') {
      const items = a.value.kind === 'array' ? a.value.items : [];
      if (a.value.kind !== 'array' || !items.every((i) => i.kind === 'scalar' && typeof i.value === 'string')) {
        d.error('type', '"no_decay" must be a list of parameter-name patterns, e.g. ["*.bias"].', a.value.range);
      } else {
        noDecay.push(...items.map((i) => String((i as { value: unknown }).value)));
      }
      continue;
    }
    if (a.key === 'betas') {
      const betas = a.value.kind === 'array' ? a.value.items.map((i) => (i.kind === 'scalar' ? i.value : null)) : [];
      if (betas.length !== 2 || !betas.every((b) => typeof b === 'number')) {
        d.error('type', '"betas" must be a list of two numbers, e.g. [0.9, 0.999].', a.value.range);
        continue;
      }
      const [b1, b2] = betas as number[];
      if (!(b1! >= 0 && b1! < 1)) d.error('bad-hyperparameter', `Invalid beta parameter at index 0: ${b1} (it must be in [0, 1)).`, a.value.kind === 'array' ? a.value.items[0]!.range : a.value.range);
      if (!(b2! >= 0 && b2! < 1)) d.error('bad-hyperparameter', `Invalid beta parameter at index 1: ${b2} (it must be in [0, 1)).`, a.value.kind === 'array' ? a.value.items[1]!.range : a.value.range);
      args.betas = betas as number[];
      continue;
    }
    const v = a.value.kind === 'scalar' ? a.value.value : undefined;
    if (typeof v !== 'number' && typeof v !== 'boolean') {
      d.error('type', `"${a.key}" must be a number or a boolean.`, a.value.range);
      continue;
    }
    if (a.key === 'eps' && !((v as number) >= 0)) d.error('bad-hyperparameter', `Invalid epsilon value: ${v} (it must be ≥ 0).`, a.value.range);
    if (a.key === 'weight_decay' && !((v as number) >= 0)) d.error('bad-hyperparameter', `Invalid weight_decay value: ${v} (it must be ≥ 0).`, a.value.range);
    if (a.key === 'momentum' && !((v as number) >= 0)) d.error('bad-hyperparameter', `Invalid momentum value: ${v} (it must be ≥ 0).`, a.value.range);
    args[a.key] = v;
  }
  warnDecayFlips(d, obj, type, lr, args);
  const spec: OptimizerSpec = { type, lr, args, noDecay };
  const schedule = decodeSchedule(d, entry(obj, 'schedule'));
  if (schedule) spec.schedule = schedule;
  const groups = decodeParamGroups(d, entry(obj, 'param_groups'));
  if (groups) spec.paramGroups = groups;
  const decay = type === 'AdamW' ? optionalString(d, obj, 'decay') : undefined;
  if (decay !== undefined) {
    if (decay === 'torch' || decay === 'paper') spec.decay = decay;
    else d.error('bad-value', `"decay" must be "torch" (θ ← θ − lr·λ·θ) or "paper" (θ ← θ − η_t·λ·θ), got "${decay}".`, entry(obj, 'decay')!.value.range);
  }
  return spec;
}

/** Keys whose values are objects or lists, decoded by their own readers below. */
const STRUCTURED = ['schedule', 'param_groups'];

/** Each schedule's keys: required ones without a default, and the defaults of the rest (torch's). */
const SCHEDULES: Record<ScheduleSpec['type'], Record<string, number | undefined>> = {
  StepLR: { step_size: undefined, gamma: 0.1 },
  ExponentialLR: { gamma: undefined },
  CosineAnnealingLR: { T_max: undefined, eta_min: 0 },
  LinearWarmup: { warmup_steps: undefined, start_factor: 0 },
  WarmupCosine: { warmup_steps: undefined, total_steps: undefined, eta_min: 0 },
};

function decodeSchedule(d: DiagnosticSink, e: LocatedEntry | undefined): ScheduleSpec | undefined {
  if (!e) return undefined;
  const obj = d.expectObject(e.value, 'schedule');
  if (!obj) return undefined;
  const typeEntry = entry(obj, 'type');
  const type = typeEntry?.value.kind === 'scalar' ? String(typeEntry.value.value) : '';
  const keys = SCHEDULES[type as ScheduleSpec['type']];
  if (!keys) {
    d.error('bad-value', `Unknown schedule "${type}". Supported: ${Object.keys(SCHEDULES).join(', ')}.`, typeEntry?.value.range ?? obj.range);
    return undefined;
  }
  d.warnUnknownKeys(obj.entries, new Set(['type', ...Object.keys(keys)]), type);
  const v: Record<string, number> = {};
  for (const [key, fallback] of Object.entries(keys)) {
    const isSteps = /steps?$|size$|T_max$/.test(key);
    const value = isSteps ? optionalInteger(d, obj, key, key === 'step_size' ? 1 : 0) : optionalNumber(d, obj, key);
    if (value === undefined && fallback === undefined) {
      if (!entry(obj, key)) d.error('missing-key', `${type} needs "${key}".`, obj.range);
      return undefined;
    }
    v[key] = value ?? fallback!;
  }
  switch (type as ScheduleSpec['type']) {
    case 'StepLR':
      return { type: 'StepLR', stepSize: v.step_size!, gamma: v.gamma! };
    case 'ExponentialLR':
      return { type: 'ExponentialLR', gamma: v.gamma! };
    case 'CosineAnnealingLR':
      return { type: 'CosineAnnealingLR', tMax: v.T_max!, etaMin: v.eta_min! };
    case 'LinearWarmup':
      return { type: 'LinearWarmup', warmupSteps: v.warmup_steps!, startFactor: v.start_factor! };
    case 'WarmupCosine':
      if (v.total_steps! < v.warmup_steps!) {
        d.error('bad-value', `"total_steps" (${v.total_steps}) includes the warmup, so it must be ≥ "warmup_steps" (${v.warmup_steps}).`, entry(obj, 'total_steps')!.value.range);
        return undefined;
      }
      return { type: 'WarmupCosine', warmupSteps: v.warmup_steps!, totalSteps: v.total_steps!, etaMin: v.eta_min! };
  }
}

function decodeParamGroups(d: DiagnosticSink, e: LocatedEntry | undefined): ParamGroupSpec[] | undefined {
  if (!e) return undefined;
  if (e.value.kind !== 'array') {
    d.error('type', '"param_groups" must be a list of groups, e.g. [{ "params": ["fc1.*"], "lr": 0.0001 }].', e.value.range);
    return undefined;
  }
  const groups: ParamGroupSpec[] = [];
  for (const item of e.value.items) {
    const obj = d.expectObject(item, 'parameter group');
    if (!obj) continue;
    d.warnUnknownKeys(obj.entries, new Set(['params', 'lr', 'weight_decay']), 'parameter group');
    const params = entry(obj, 'params');
    const names = params?.value.kind === 'array' ? params.value.items : [];
    if (!params || params.value.kind !== 'array' || names.length === 0 || !names.every((n) => n.kind === 'scalar' && typeof n.value === 'string')) {
      d.error('type', 'A parameter group needs "params": a non-empty list of parameter names or patterns, e.g. ["fc1.*"].', params?.value.range ?? obj.range);
      continue;
    }
    const group: ParamGroupSpec = { params: names.map((n) => String((n as { value: unknown }).value)) };
    const lr = optionalNumber(d, obj, 'lr');
    if (lr !== undefined) {
      if (lr >= 0) group.lr = lr;
      else d.error('bad-hyperparameter', `Invalid learning rate: ${lr} (it must be ≥ 0).`, entry(obj, 'lr')!.value.range);
    }
    const wd = optionalNumber(d, obj, 'weight_decay');
    if (wd !== undefined) {
      if (wd >= 0) group.weightDecay = wd;
      else d.error('bad-hyperparameter', `Invalid weight_decay value: ${wd} (it must be ≥ 0).`, entry(obj, 'weight_decay')!.value.range);
    }
    groups.push(group);
  }
  return groups;
}

/**
 * AdamW's decoupled decay is θ ← (1 − lr·λ)·θ each step: with lr·λ ≥ 1 the
 * factor is ≤ 0, so every weight is zeroed or flips sign every step (and grows
 * when lr·λ > 2) whatever the gradient says; training then diverges with an
 * overflow that names a symptom, not this cause. (The paper form scales the
 * decay by the schedule multiplier only, so the check is for torch's form.)
 */
function warnDecayFlips(d: DiagnosticSink, obj: Extract<Located, { kind: 'object' }>, type: string, lr: number, args: Record<string, unknown>): void {
  const lambda = typeof args.weight_decay === 'number' ? args.weight_decay : type === 'AdamW' ? 1e-2 : 0;
  const decayEntry = entry(obj, 'weight_decay');
  if (type !== 'AdamW' || !decayEntry || !(lr * lambda >= 1)) return;
  const form = entry(obj, 'decay')?.value;
  if (form?.kind === 'scalar' && form.value === 'paper') return;
  const factor = 1 - lr * lambda;
  d.warning(
    'decay-flips-weights',
    `lr·weight_decay = ${+(lr * lambda).toPrecision(4)} ≥ 1: AdamW's decay multiplies every weight by 1 − lr·λ = ${+factor.toPrecision(4)} each step, `
      + (factor === 0 ? 'which zeroes it' : factor < -1 ? 'which flips its sign and grows it: training will diverge' : 'which flips its sign')
      + '. Usual values are lr·λ ≈ 1e-5 to 1e-3 (e.g. lr 1e-3, weight_decay 1e-2).',
    decayEntry.value.range,
  );
}
