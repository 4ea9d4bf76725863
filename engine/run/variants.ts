/**
 * The optimizer variants that "Compare Optimizers" trains side by side, on
 * the same model, data and seed (so the same initial weights and the same
 * minibatches): only the optimizer differs.
 *
 *   AdamW                    the model's AdamW (torch decay lr·λ), or AdamW with the model's lr and λ
 *   Adam + L2                torch.optim.Adam(weight_decay=λ): λθ added to g, then rescaled by 1/(√v̂ + ε)
 *   SGD                      torch.optim.SGD(lr=10·lr, momentum=0.9, weight_decay=λ): the classic baseline
 *                            (SGD needs a larger lr than Adam; 10× is a common starting ratio)
 *   AdamW, no-decay group    biases and LayerNorm weights excluded from decay (or, if the model already
 *                            excludes some, "AdamW, decay on all": the group removed)
 *   AdamW, paper decay       the same numbers with the paper's semantics: decay η_t·λ, η_t = 1, so λ is
 *                            no longer multiplied by lr (with λ = 0.01 that is 0.01 per step instead of 1e-5)
 *
 * λ is the model's weight_decay, or 0.01 (torch's AdamW default) when the model has none.
 */
import type { OptimizerSpec, RunnableModelSpec } from '../model/spec';
import { layerPrefix } from '../model/spec';
import { namedModules } from '../modules/tree';

export interface OptimizerVariant {
  label: string;
  spec: RunnableModelSpec;
}

export function optimizerVariants(spec: RunnableModelSpec): OptimizerVariant[] {
  const o = spec.optimizer;
  const lr = o && o.type !== 'SGD' ? o.lr : 1e-3;
  const wd = o?.args.weight_decay;
  const lambda = typeof wd === 'number' && wd > 0 ? wd : 1e-2;
  const adamArgs = pick(o?.args ?? {}, ['betas', 'eps', 'amsgrad']);
  const noDecay = o?.noDecay ?? [];
  const withOptimizer = (optimizer: OptimizerSpec): RunnableModelSpec => ({ ...spec, optimizer });
  const adamw = (extra: Partial<OptimizerSpec> = {}): OptimizerSpec => ({ type: 'AdamW', lr, args: { ...adamArgs, weight_decay: lambda }, noDecay, ...extra });
  const groupVariant = noDecay.length > 0
    ? { label: 'AdamW, decay on all', spec: withOptimizer(adamw({ noDecay: [] })) }
    : { label: 'AdamW, no-decay group', spec: withOptimizer(adamw({ noDecay: biasAndNormPatterns(spec) })) };
  return [
    { label: 'AdamW', spec: withOptimizer(adamw()) },
    { label: 'Adam + L2', spec: withOptimizer({ type: 'Adam', lr, args: { ...adamArgs, weight_decay: lambda }, noDecay }) },
    { label: 'SGD', spec: withOptimizer({ type: 'SGD', lr: 10 * lr, args: { momentum: 0.9, weight_decay: lambda }, noDecay }) },
    groupVariant,
    { label: 'AdamW, paper decay', spec: withOptimizer(adamw({ decay: 'paper' })) },
  ];
}

/** `*.bias` and the weight of every normalization layer: the usual no-decay group. */
export function biasAndNormPatterns(spec: Pick<RunnableModelSpec, 'layers' | 'modules'>): string[] {
  const norms = spec.layers
    ? spec.layers.flatMap((layer, i) => (layer.type === 'LayerNorm' ? [`${layerPrefix(layer, i)}.weight`] : []))
    : namedModules(spec.modules!).filter(({ module }) => /Norm/.test(module.type) && module.tensors.some((t) => t.name === 'weight')).map(({ path }) => `${path}.weight`);
  return ['*.bias', ...norms];
}

function pick(args: OptimizerSpec['args'], keys: string[]): OptimizerSpec['args'] {
  return Object.fromEntries(Object.entries(args).filter(([k]) => keys.includes(k)));
}
