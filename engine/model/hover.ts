/**
 * Hover text for model files: on an initializer (or on a Linear layer that
 * uses torch's default), the initializer's formula, its paper, and what it
 * gives for that very tensor — fans, gain, bound or std.
 */
import { findInitializer, canonicalInitializerName } from '../init/registry';
import { linearBiasTheory, linearWeightTheory } from '../init/linear';
import type { Theory } from '../init/theory';
import type { Located } from './located';
import { nodeAt } from './located';
import { layerPrefix, type LinearLayerSpec, type ModelSpec } from './spec';

export interface HoverInfo {
  markdown: string;
  range: { start: number; end: number };
}

/** What each initializer computes, in torch's terms (and the true name where the article has it wrong). */
export const FORMULAS: Record<string, string> = {
  uniform_: 'U(a, b)',
  normal_: 'N(mean, std²)',
  trunc_normal_: 'N(mean, std²) truncated to [a, b] (redrawn, not clipped)',
  constant_: 'every element = val',
  ones_: 'every element = 1',
  zeros_: 'every element = 0',
  eye_: 'the identity matrix',
  xavier_uniform_: 'U(−a, a), a = gain·√(6/(fan_in + fan_out)) — Glorot & Bengio (2010)',
  xavier_normal_: 'N(0, std²), std = gain·√(2/(fan_in + fan_out)) — Glorot & Bengio (2010)',
  kaiming_uniform_: 'U(−b, b), b = gain·√(3/fan_mode), gain = calculate_gain(nonlinearity, a) — He et al. (2015)',
  kaiming_normal_: 'N(0, std²), std = gain/√fan_mode — He et al. (2015)',
  orthogonal_: '(semi-)orthogonal matrix × gain, from the QR decomposition of a normal matrix — Saxe et al. (2013)',
  sparse_: 'a fraction `sparsity` of each column zero, the rest N(0, std²) — Martens (2010)',
  lecun_uniform_: 'U(−a, a), a = √(3/fan_in) — LeCun et al. (1998)',
  lecun_normal_: 'N(0, 1/fan_in) — LeCun et al. (1998). Often mislabelled "Xavier": Xavier uses fan_in + fan_out.',
  linear_default_: "nn.Linear's reset_parameters: U(±1/√fan_in)",
};

const fmt = (x: number | null): string => (x === null ? '—' : Number.isInteger(x) ? String(x) : x.toPrecision(4));

function describeTheory(t: Theory): string {
  const lines = [`family: ${t.family}`];
  if (t.fanIn !== null) lines.push(`fan_in = ${fmt(t.fanIn)}, fan_out = ${fmt(t.fanOut)}`);
  if (t.gain !== null) lines.push(`gain = ${fmt(t.gain)}`);
  const [lo, hi] = t.support;
  if (t.family === 'uniform') lines.push(`**bound = ${fmt(hi)}**: values in [${fmt(lo)}, ${fmt(hi)}], std = ${fmt(t.std)}`);
  else lines.push(`mean = ${fmt(t.mean)}, **std = ${fmt(t.std)}**`);
  return lines.map((l) => `- ${l}`).join('\n');
}

/** Hover for the position `offset` in a model file, if it is on something we can explain. */
export function hoverAt(spec: ModelSpec | undefined, tree: Located | undefined, offset: number): HoverInfo | undefined {
  if (!spec || !tree) return undefined;
  const layers = nodeAt(tree, ['layers']);
  if (layers?.kind !== 'array') return undefined;
  const index = layers.items.findIndex((item) => item.range.start <= offset && offset <= item.range.end);
  const layer = spec.layers?.[index];
  if (index < 0 || layer?.type !== 'Linear') return undefined;
  const prefix = layerPrefix(layer, index);
  for (const param of ['weight', 'bias'] as const) {
    const node = nodeAt(layers, [index, 'init', param]);
    const fnNode = node?.kind === 'object' ? nodeAt(node, ['fn']) : node;
    if (fnNode && fnNode.range.start <= offset && offset <= fnNode.range.end) {
      return { markdown: describeInit(layer, prefix, param), range: fnNode.range };
    }
  }
  const typeNode = nodeAt(layers, [index, 'type']);
  if (typeNode && typeNode.range.start <= offset && offset <= typeNode.range.end) {
    return { markdown: [describeInit(layer, prefix, 'weight'), layer.bias ? describeInit(layer, prefix, 'bias') : ''].filter(Boolean).join('\n\n---\n\n'), range: typeNode.range };
  }
  return undefined;
}

/** The initializer of one Linear parameter (its own, or torch's default), with the numbers for its fans. */
export function describeInit(layer: LinearLayerSpec, prefix: string, param: 'weight' | 'bias'): string {
  const shape = param === 'weight' ? [layer.outFeatures, layer.inFeatures] : [layer.outFeatures];
  const init = layer.init?.[param];
  const title = `\`${prefix}.${param}\` [${shape.join(', ')}]`;
  if (!init) {
    const theory = param === 'weight' ? linearWeightTheory(shape) : linearBiasTheory(layer.inFeatures);
    const call = param === 'weight' ? 'kaiming_uniform_(a=√5)' : 'uniform_(−1/√fan_in, 1/√fan_in)';
    return `${title}: torch default \`${call}\`\n\nU(±1/√fan_in) with fan_in = ${layer.inFeatures} (nn.Linear.reset_parameters)\n\n${describeTheory(theory)}`;
  }
  const fn = canonicalInitializerName(init.fn);
  const entry = findInitializer(fn);
  const args = Object.entries(init.args).map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v}'` : v}`).join(', ');
  let theoryText: string;
  try {
    theoryText = entry ? describeTheory(entry.theory(shape, init.args)) : '';
  } catch (err) {
    theoryText = `⚠ ${err instanceof Error ? err.message : String(err)}`;
  }
  return `${title}: \`${fn}(${args})\`\n\n${FORMULAS[fn] ?? ''}\n\n${theoryText}`;
}
