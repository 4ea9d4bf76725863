/**
 * Lints: model files that are valid but probably not what the author wants.
 * Each has a stable code, a message that states the consequence in numbers,
 * and a quick fix where one is clear. They run on a decoded spec and use the
 * located tree only for ranges and edits.
 */
import type { ModelDiagnostic } from './diagnostic';
import { insertArrayItem, insertObjectEntry, replaceNode, type QuickFix } from './edits';
import { entryAt, nodeAt, type Located, type SourceLanguage } from './located';
import { matchesAny } from './patterns';
import { layerPrefix, type LayerSpec, type LinearLayerSpec, type ModelSpec } from './spec';

export type LintDiagnostic = ModelDiagnostic & { fixes: QuickFix[] };

export interface LintContext {
  spec: ModelSpec;
  tree: Located;
  text: string;
  language: SourceLanguage;
}

type Lint = (ctx: LintContext) => LintDiagnostic[];

/** Activations after which a Linear layer's output is no longer a linear map of its input. */
const NONLINEAR = new Set(['ReLU', 'LeakyReLU', 'ELU', 'SELU', 'GELU', 'SiLU', 'Tanh', 'Sigmoid', 'Softplus']);

const fmt = (x: number): string => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(1));
const count = (n: number): string => n.toLocaleString('en-US');

function linearParams(l: LinearLayerSpec): number {
  return l.inFeatures * l.outFeatures + (l.bias ? l.outFeatures : 0);
}

function lastLayer(spec: ModelSpec): { layer: LayerSpec; index: number } | undefined {
  // Dropout and Identity do not change the output's range.
  for (let i = (spec.layers ?? []).length - 1; i >= 0; i--) {
    const layer = (spec.layers ?? [])[i]!;
    if (layer.type !== 'Dropout' && layer.type !== 'Identity') return { layer, index: i };
  }
  return undefined;
}

/** BCELoss takes probabilities; a Linear (or LayerNorm, ReLU, …) output is not one. (Errata #8.) */
const bceOnUnboundedOutput: Lint = ({ spec, tree, text, language }) => {
  if (spec.loss?.type !== 'BCELoss') return [];
  const last = lastLayer(spec);
  if (!last || last.layer.type === 'Sigmoid') return [];
  const lossNode = nodeAt(tree, ['loss']);
  const typeNode = lossNode?.kind === 'object' ? nodeAt(lossNode, ['type']) : lossNode;
  const layers = nodeAt(tree, ['layers']);
  if (!typeNode || layers?.kind !== 'array') return [];
  const name = layerPrefix(last.layer, last.index);
  const fixes: QuickFix[] = [
    { title: 'Use BCEWithLogitsLoss (sigmoid and BCE in one stable step)', edits: [replaceNode(typeNode, 'BCEWithLogitsLoss', language)], preferred: true },
    { title: 'Add a Sigmoid layer at the end', edits: [insertArrayItem(text, layers, layers.items.length, { type: 'Sigmoid' }, language)] },
  ];
  const bounded = last.layer.type === 'Tanh' ? 'in (−1, 1)' : last.layer.type === 'ReLU' ? 'in [0, ∞)' : 'any real number';
  return [{
    severity: 'warning',
    code: 'bce-on-unbounded-output',
    message: `BCELoss takes probabilities in [0, 1], but the last layer ${name} (${last.layer.type}) outputs ${bounded}: `
      + 'about half of a zero-mean output is negative at initialization, where torch raises "all elements of input should be between 0 and 1", '
      + 'and near 0 or 1 its log is clamped at −100, which kills the gradient. Use BCEWithLogitsLoss, or end with Sigmoid.',
    range: typeNode.range,
    fixes,
  }];
};

/** Two Linear layers with nothing nonlinear between them compose to one linear map. (Errata #9.) */
const linearAfterLinear: Lint = ({ spec, tree, text, language }) => {
  const out: LintDiagnostic[] = [];
  const layers = nodeAt(tree, ['layers']);
  if (layers?.kind !== 'array') return out;
  let previous: { layer: LinearLayerSpec; index: number } | undefined;
  (spec.layers ?? []).forEach((layer, index) => {
    if (layer.type === 'Linear') {
      if (previous) {
        const a = previous.layer;
        const merged = a.inFeatures * layer.outFeatures + layer.outFeatures;
        const both = linearParams(a) + linearParams(layer);
        const rank = Math.min(a.inFeatures, a.outFeatures, layer.outFeatures);
        const range = nodeAt(layers, [index, 'type'])?.range ?? layers.items[index]!.range;
        out.push({
          severity: 'warning',
          code: 'linear-after-linear',
          message: `${layerPrefix(a, previous.index)} (${a.inFeatures}→${a.outFeatures}) feeds ${layerPrefix(layer, index)} (${layer.inFeatures}→${layer.outFeatures}) with no nonlinearity between them: `
            + `together they are one ${a.inFeatures}→${layer.outFeatures} linear map of rank ≤ ${rank}, so their ${count(both)} parameters express what ${count(merged)} would. Insert an activation.`,
          range,
          fixes: [{ title: `Insert ReLU before ${layerPrefix(layer, index)}`, edits: [insertArrayItem(text, layers, index, { type: 'ReLU' }, language)], preferred: true }],
        });
      }
      previous = { layer, index };
    } else if (NONLINEAR.has(layer.type) || layer.type === 'LayerNorm') {
      previous = undefined;
    }
  });
  return out;
};

/** Adam's weight_decay is coupled L2: the moments rescale it. (Errata #6, #7.) */
const adamCoupledDecay: Lint = ({ spec, tree, language }) => {
  const opt = spec.optimizer;
  const wd = Number(opt?.args.weight_decay ?? 0);
  if (opt?.type !== 'Adam' || !(wd > 0)) return [];
  const typeNode = nodeAt(tree, ['optimizer', 'type']);
  if (!typeNode) return [];
  return [{
    severity: 'warning',
    code: 'adam-coupled-weight-decay',
    message: `Adam with weight_decay=${fmt(wd)} adds ${fmt(wd)}·θ to the gradient, which the moments then divide by √v̂: a weight whose gradients are 100× larger is decayed about 100× less. `
      + `AdamW decays every weight by the same lr·λ = ${fmt(opt.lr * wd)} of its value per step (Loshchilov & Hutter, "Decoupled Weight Decay Regularization").`,
    range: typeNode.range,
    fixes: [{ title: 'Switch to AdamW (decoupled weight decay)', edits: [replaceNode(typeNode, 'AdamW', language)], preferred: true }],
  }];
};

/** Decay on biases and normalization weights, which common recipes exempt. (Errata #11.) */
const decayOnBiasAndNorm: Lint = ({ spec, tree, text, language }) => {
  const opt = spec.optimizer;
  const wd = Number(opt?.args.weight_decay ?? (opt?.type === 'AdamW' ? 0.01 : 0));
  if (!opt || !(wd > 0)) return [];
  const exempt: string[] = [];
  let values = 0;
  (spec.layers ?? []).forEach((layer, index) => {
    const prefix = layerPrefix(layer, index);
    if (layer.type === 'Linear' && layer.bias) {
      if (!matchesAny(`${prefix}.bias`, opt.noDecay)) {
        exempt.push(`${prefix}.bias`);
        values += layer.outFeatures;
      }
    } else if (layer.type === 'LayerNorm' && layer.elementwiseAffine) {
      for (const p of ['weight', 'bias']) {
        if (!matchesAny(`${prefix}.${p}`, opt.noDecay)) {
          exempt.push(`${prefix}.${p}`);
          values += layer.normalizedShape;
        }
      }
    }
  });
  if (exempt.length === 0) return [];
  const optNode = nodeAt(tree, ['optimizer']);
  const wdEntry = entryAt(tree, ['optimizer', 'weight_decay']);
  if (optNode?.kind !== 'object') return [];
  const patterns = ['*.bias', ...(spec.layers ?? []).flatMap((l, i) => (l.type === 'LayerNorm' ? [`${layerPrefix(l, i)}.weight`] : []))];
  const existing = nodeAt(tree, ['optimizer', 'no_decay']);
  const edit = existing?.kind === 'array'
    ? insertArrayItem(text, existing, existing.items.length, '*.bias', language)
    : insertObjectEntry(text, optNode, 'no_decay', patterns, language);
  return [{
    severity: 'information',
    code: 'decay-on-bias-and-norm',
    message: `weight_decay=${fmt(wd)} also shrinks ${exempt.length} bias/normalization tensor${exempt.length === 1 ? '' : 's'} (${count(values)} values: ${exempt.slice(0, 4).join(', ')}${exempt.length > 4 ? ', …' : ''}) `
      + `by ${opt.type === 'AdamW' ? `lr·λ = ${fmt(opt.lr * wd)} of their value every step` : 'an L2 pull'}. They hold no "complexity" to regularize, and common recipes (Hugging Face Trainer, most transformer recipes) exempt them with a second param group.`,
    range: wdEntry?.keyRange ?? nodeAt(tree, ['optimizer', 'type'])?.range ?? optNode.range,
    fixes: [{ title: 'Exempt biases and normalization weights from weight decay (no_decay group)', edits: [edit], preferred: true }],
  }];
};

/** Xavier assumes a linear (or tanh) unit; after ReLU the variance halves every layer. */
const xavierWithRelu: Lint = ({ spec, tree, language }) => {
  const out: LintDiagnostic[] = [];
  const relus = (spec.layers ?? []).filter((l) => l.type === 'ReLU').length;
  (spec.layers ?? []).forEach((layer, index) => {
    if (layer.type !== 'Linear') return;
    const fn = layer.init?.weight?.fn;
    if (fn !== 'xavier_uniform_' && fn !== 'xavier_normal_') return;
    const next = (spec.layers ?? []).slice(index + 1).find((l) => l.type !== 'Dropout');
    if (next?.type !== 'ReLU') return;
    const node = nodeAt(tree, ['layers', index, 'init', 'weight']);
    if (!node) return;
    const kaiming = fn === 'xavier_uniform_' ? 'kaiming_uniform_' : 'kaiming_normal_';
    const depthStd = Math.SQRT1_2 ** Math.max(1, relus);
    out.push({
      severity: 'information',
      code: 'xavier-with-relu',
      message: `${fn} keeps the variance of linear or tanh units; ${layerPrefix(layer, index)} feeds a ReLU, which zeroes half of it: the activation std shrinks ×0.71 per ReLU layer (×${fmt(depthStd)} over this model's ${relus}). `
        + `${kaiming}(nonlinearity='relu') has gain √2 and keeps it (He et al., 2015).`,
      range: node.range,
      fixes: [{ title: `Use ${kaiming}(nonlinearity='relu')`, edits: [replaceNode(node, { fn: kaiming, nonlinearity: 'relu' }, language)], preferred: true }],
    });
  });
  return out;
};

const LINTS: Lint[] = [bceOnUnboundedOutput, linearAfterLinear, adamCoupledDecay, decayOnBiasAndNorm, xavierWithRelu];

export function lintModel(ctx: LintContext, extra: Lint[] = []): LintDiagnostic[] {
  return [...LINTS, ...extra].flatMap((lint) => lint(ctx));
}

export type { Lint };
