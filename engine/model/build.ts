/**
 * Turns a `ModelSpec` into engine objects: the network (a `Sequential` whose
 * parameters are the initialized tensors), the loss module and the optimizer
 * (a chain of gradient transformations). This is what `model = SimpleModel()`,
 * `criterion = nn.BCELoss()` and `optim.AdamW(model.parameters(), ...)` do in torch.
 */
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Dropout, ELU, GELU, HuberLoss, Identity, L1Loss, LayerNorm, LeakyReLU,
  Linear, MSELoss, ReLU, SELU, Sequential, Sigmoid, SiLU, SmoothL1Loss, Softplus, Tanh, type Criterion, type Module,
} from '../nn';
import { adam, adamw, decayAll, decayExcept, paramGroups, type GradientTransformation, type ParamGroup } from '../optim';
import { cosineDecay, exponentialDecay, linearWarmup, stepDecay, warmupCosine, type Schedule } from '../optim/schedules';
import { sgd } from '../optim/sgd';
import type { TorchGenerator } from '../random';
import type { DType } from '../tensor/dtype';
import type { Tensor } from '../tensor/tensor';
import type { InitializedParameter } from './initialize';
import { layerPrefix, type LayerSpec, type ModelSpec, type OptimizerSpec, type ScheduleSpec, type ChainModelSpec } from './spec';

export interface BuiltNetwork {
  network: Sequential;
  /** The network's parameters by `state_dict` name. */
  parameters: Map<string, Tensor>;
}

/** The network of `spec`, with the initial values of `initial` (matched by name, as `load_state_dict`). */
export function buildNetwork(spec: ChainModelSpec, initial: readonly InitializedParameter[], rng: TorchGenerator, dtype: DType = 'float32'): BuiltNetwork {
  // torch forbids "." in a module's name; a dotted prefix (net.0: a layer inside a container, flattened
  // from a Python model) names its child by position, and its parameters by the prefix.
  const childName = (layer: LayerSpec, i: number): string => (layerPrefix(layer, i).includes('.') ? String(i) : layerPrefix(layer, i));
  const network = new Sequential(spec.layers.map((layer, i) => [childName(layer, i), buildLayer(layer, rng, dtype)] as const));
  const prefixOf = new Map(spec.layers.map((layer, i) => [childName(layer, i), layerPrefix(layer, i)]));
  const parameters = new Map(network.namedParameters().map((p) => {
    const dot = p.name.indexOf('.');
    return [`${prefixOf.get(p.name.slice(0, dot)) ?? p.name.slice(0, dot)}${p.name.slice(dot)}`, p.tensor] as const;
  }));
  for (const p of initial) {
    const target = parameters.get(p.name);
    if (!target) throw new Error(`initial value for unknown parameter ${p.name}`);
    if (target.data.length !== p.data.length) throw new Error(`initial value for ${p.name} has ${p.data.length} values, the parameter ${target.data.length}`);
    target.data.set(p.data);
  }
  return { network, parameters };
}

function buildLayer(layer: LayerSpec, rng: TorchGenerator, dtype: DType): Module {
  switch (layer.type) {
    case 'Linear':
      return new Linear(layer.inFeatures, layer.outFeatures, { bias: layer.bias, dtype });
    case 'LayerNorm':
      return new LayerNorm(layer.normalizedShape, { eps: layer.eps, elementwiseAffine: layer.elementwiseAffine, dtype });
    case 'Dropout':
      return new Dropout(layer.p, rng);
    case 'ReLU':
      return new ReLU();
    case 'LeakyReLU':
      return new LeakyReLU(num(layer.args.negative_slope, 0.01));
    case 'ELU':
      return new ELU(num(layer.args.alpha, 1));
    case 'SELU':
      return new SELU();
    case 'GELU':
      return new GELU(layer.args.approximate === 'tanh' ? 'tanh' : 'none');
    case 'SiLU':
      return new SiLU();
    case 'Tanh':
      return new Tanh();
    case 'Sigmoid':
      return new Sigmoid();
    case 'Softplus':
      return new Softplus(num(layer.args.beta, 1), num(layer.args.threshold, 20));
    case 'Identity':
      return new Identity();
  }
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** The loss module; absent in the file means MSELoss, torch users' usual first choice for regression. */
export function buildCriterion(spec: ModelSpec): Criterion<Tensor> | Criterion<ArrayLike<number>> {
  const type = spec.loss?.type ?? 'MSELoss';
  const args = spec.loss?.args ?? {};
  const reduction = (args.reduction as 'mean' | 'sum' | 'none' | undefined) ?? 'mean';
  switch (type) {
    case 'MSELoss': return new MSELoss({ reduction });
    case 'L1Loss': return new L1Loss({ reduction });
    case 'SmoothL1Loss': return new SmoothL1Loss({ reduction, beta: num(args.beta, 1) });
    case 'HuberLoss': return new HuberLoss({ reduction, delta: num(args.delta, 1) });
    case 'BCELoss': return new BCELoss({ reduction });
    case 'BCEWithLogitsLoss': return new BCEWithLogitsLoss({ reduction });
    case 'CrossEntropyLoss': return new CrossEntropyLoss({ reduction, labelSmoothing: num(args.label_smoothing, 0) });
    default: throw new Error(`Unknown loss ${type}`);
  }
}

/**
 * The optimizer; absent in the file means torch's AdamW defaults (lr 1e-3,
 * weight_decay 1e-2). Param groups become one optimizer per group over its
 * parameters (torch's `param_groups`), with a last group for the parameters
 * no pattern matched, which keeps the optimizer's own settings.
 */
export function buildOptimizer(spec: OptimizerSpec | undefined): GradientTransformation<unknown> {
  const o = spec ?? { type: 'AdamW' as const, lr: 1e-3, args: {}, noDecay: [] };
  const wd = o.args.weight_decay as number | undefined;
  if (!o.paramGroups?.length) return buildSingle(o, o.lr, wd);
  type GroupOptions = { lr: number; weightDecay: number | undefined };
  const groups: ParamGroup<GroupOptions>[] = [
    ...o.paramGroups.map((g) => ({ params: g.params, lr: g.lr ?? o.lr, weightDecay: g.weightDecay ?? wd })),
    { params: ['*'] },
  ];
  return paramGroups<GroupOptions>(({ lr, weightDecay }) => buildSingle(o, lr, weightDecay), groups, { lr: o.lr, weightDecay: wd });
}

/** One torch optimizer over its parameters, with base learning rate `lr` (scheduled as the file says). */
function buildSingle(o: OptimizerSpec, lr: number, weightDecay: number | undefined): GradientTransformation<unknown> {
  const mask = o.noDecay.length > 0 ? decayExcept(o.noDecay) : decayAll;
  const a = o.args;
  const betas = Array.isArray(a.betas) ? ([a.betas[0]!, a.betas[1]!] as const) : undefined;
  const schedule = o.schedule ? buildSchedule(o.schedule, lr) : undefined;
  // Only the options the file gives: an explicit `undefined` would override the optimizer's torch defaults.
  const common = definedOnly({ lr: schedule ?? lr, eps: a.eps, betas, amsgrad: a.amsgrad, maximize: a.maximize, weightDecay, mask });
  switch (o.type) {
    case 'AdamW':
      // The paper's form: a fixed α = lr and the schedule as the multiplier η_t = lr_t/lr, which also scales the decay λ·θ.
      if (o.decay === 'paper') return adamw({ ...common, lr, decay: 'paper', ...(schedule ? { multiplier: (t: number) => schedule(t) / lr } : {}) });
      return adamw(common);
    case 'Adam':
      return adam(common);
    case 'SGD':
      return sgd(definedOnly({ lr: schedule ?? lr, momentum: a.momentum, dampening: a.dampening, weightDecay, nesterov: a.nesterov, maximize: a.maximize, mask }));
  }
}

/** The schedule of the file, from base learning rate `lr` (see ScheduleSpec). */
export function buildSchedule(s: ScheduleSpec, lr: number): Schedule {
  switch (s.type) {
    case 'StepLR':
      return stepDecay(lr, s.stepSize, s.gamma);
    case 'ExponentialLR':
      return exponentialDecay(lr, s.gamma);
    case 'CosineAnnealingLR':
      return cosineDecay(lr, s.tMax, s.etaMin);
    case 'LinearWarmup':
      return linearWarmup(lr, s.warmupSteps, lr * s.startFactor);
    case 'WarmupCosine':
      return warmupCosine(lr, s.warmupSteps, s.totalSteps, 0, s.etaMin);
  }
}

function definedOnly<T extends Record<string, unknown>>(options: T): any {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
