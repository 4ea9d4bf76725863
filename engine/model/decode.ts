/**
 * Decodes a located JSON/YAML tree into a `ModelSpec`, reporting every problem
 * on the exact range it concerns. Decoding never throws on bad input: it
 * collects diagnostics and returns a spec only when there are no errors.
 *
 * File format (version 1), keys in torch's spelling:
 *
 *   version: 1
 *   name: SimpleModel
 *   input: 10                       # features per example
 *   layers:
 *     - { name: fc1, type: Linear, in_features: 10, out_features: 100,
 *         init: { weight: { fn: xavier_uniform_, gain: 1 }, bias: zeros_ } }
 *     - { type: ReLU }
 *   loss: BCEWithLogitsLoss         # or { type: ..., args }
 *   optimizer: { type: AdamW, lr: 0.001, weight_decay: 0.01 }
 *   seed: 0
 */
import type { Located, LocatedEntry } from './located';
import type { ModelDiagnostic } from './diagnostic';
import { DiagnosticSink, entry, optionalBoolean, optionalInteger, optionalNumber, optionalString } from './decodeSupport';
import { decodeOptimizer } from './decodeOptimizer';
import {
  ACTIVATION_ARGS,
  ACTIVATION_TYPES,
  MODEL_FORMAT_VERSION,
  type ActivationType,
  type InitSpec,
  type LayerSpec,
  type ModelSpec,
  type InitPattern,
  type CheckpointSpec,
  type DataSpec,
  type DataTask,
  type TrainingSpec,
  layerPrefix,
  parameterCount,
  parameterShapes,
} from './spec';
import { globToRegExp } from './patterns';
import { canonicalInitializerName, findInitializer, INITIALIZER_NAMES } from '../init/registry';
import { LOSS_TYPES } from './vocabulary';

export interface DecodeResult {
  spec: ModelSpec | undefined;
  diagnostics: ModelDiagnostic[];
  /** The located tree the spec came from, so that later checks can point at exact ranges. */
  tree: Located | undefined;
}

export interface DecodeOptions {
  /** Models with more trainable parameters get an error (the engine would not run them). */
  maxParameters?: number;
}

export function decodeModel(root: Located | undefined, defaultName: string, options: DecodeOptions = {}): DecodeResult {
  const d = new DiagnosticSink();
  if (!root) {
    d.error('empty-file', 'The model file is empty. Start from "Weightscope: New Model from Example".', { start: 0, end: 0 });
    return { spec: undefined, diagnostics: d.items, tree: root };
  }
  const obj = d.expectObject(root, 'model');
  if (!obj) return { spec: undefined, diagnostics: d.items, tree: root };

  const known = new Set(['$schema', 'version', 'name', 'input', 'layers', 'init', 'init_from', 'compare', 'loss', 'optimizer', 'data', 'training', 'seed', 'description']);
  d.warnUnknownKeys(obj.entries, known, 'model');

  const version = optionalNumber(d, obj, 'version') ?? MODEL_FORMAT_VERSION;
  if (version !== MODEL_FORMAT_VERSION) {
    d.error('unsupported-version', `Format version ${version} is not supported; this Weightscope reads version ${MODEL_FORMAT_VERSION}.`, entry(obj, 'version')!.value.range);
  }
  const name = optionalString(d, obj, 'name') ?? defaultName;
  const seed = optionalInteger(d, obj, 'seed', 0) ?? 0;

  const inputEntry = entry(obj, 'input');
  let inputFeatures: number | undefined;
  if (inputEntry) inputFeatures = d.positiveInteger(inputEntry.value, 'input');

  const layersEntry = entry(obj, 'layers');
  const layers: LayerSpec[] = [];
  if (!layersEntry) {
    d.error('missing-layers', 'A model needs a "layers" list (for example a Linear layer).', root.range.start === root.range.end ? root.range : { start: root.range.start, end: root.range.start + 1 });
  } else if (layersEntry.value.kind !== 'array') {
    d.error('type', '"layers" must be a list of layers.', layersEntry.value.range);
  } else {
    if (layersEntry.value.items.length === 0) d.error('missing-layers', 'The "layers" list is empty.', layersEntry.value.range);
    let width = inputFeatures;
    layersEntry.value.items.forEach((item, index) => {
      const layer = decodeLayer(d, item, index, width);
      if (layer) {
        layers.push(layer);
        if (layer.type === 'Linear') width = layer.outFeatures;
      }
    });
    if (inputFeatures === undefined) {
      const first = layers.find((l) => l.type === 'Linear');
      if (first && first.type === 'Linear') inputFeatures = first.inFeatures;
    }
  }
  if (inputFeatures === undefined && d.errorCount === 0) {
    d.error('missing-input', 'Give the number of input features ("input"), or "in_features" on the first Linear layer.', obj.range);
  }

  const loss = decodeLoss(d, entry(obj, 'loss'));
  const optimizer = decodeOptimizer(d, entry(obj, 'optimizer'));
  const initPatterns = decodeInitPatterns(d, entry(obj, 'init'), layers);
  const compare = decodeCompare(d, entry(obj, 'compare'), layers);
  const data = decodeData(d, entry(obj, 'data'));
  const training = decodeTraining(d, entry(obj, 'training'));
  const initFrom = decodeCheckpoint(d, entry(obj, 'init_from'), layers);

  if (d.errorCount > 0 || inputFeatures === undefined) return { spec: undefined, diagnostics: d.items, tree: root };
  const spec: ModelSpec = { version, name, inputFeatures, layers, seed };
  if (initPatterns.length > 0) spec.initPatterns = initPatterns;
  if (compare.length > 0) spec.compare = compare;
  if (data) spec.data = data;
  if (training) spec.training = training;
  if (initFrom) spec.initFrom = initFrom;
  const count = parameterCount(spec);
  if (options.maxParameters !== undefined && count > options.maxParameters) {
    d.error('too-large', `The model has ${count.toLocaleString('en-US')} parameters, over the limit of ${options.maxParameters.toLocaleString('en-US')} (setting weightscope.limits.maxParameters).`, layersEntry!.keyRange);
    return { spec: undefined, diagnostics: d.items, tree: root };
  }
  if (loss) spec.loss = loss;
  if (optimizer) spec.optimizer = optimizer;
  return { spec, diagnostics: d.items, tree: root };
}

function decodeLayer(d: DiagnosticSink, node: Located, index: number, width: number | undefined): LayerSpec | undefined {
  const obj = d.expectObject(node, `layer ${index}`);
  if (!obj) return undefined;
  const typeEntry = entry(obj, 'type');
  if (!typeEntry) {
    d.error('missing-type', `Layer ${index} needs a "type" (Linear, ReLU, Tanh, Dropout, LayerNorm, …).`, obj.range);
    return undefined;
  }
  const type = typeEntry.value.kind === 'scalar' ? String(typeEntry.value.value) : '';
  const name = optionalString(d, obj, 'name');
  // A state_dict prefix: `fc1`, or a dotted path such as `net.0` (a layer inside a container).
  if (name !== undefined && !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(name)) {
    d.error('bad-name', `Layer name "${name}" is not a valid state_dict prefix (letters, digits, _, dot-separated).`, entry(obj, 'name')!.value.range);
  }
  const base = name === undefined ? {} : { name };

  if (type === 'Linear') {
    d.warnUnknownKeys(obj.entries, new Set(['type', 'name', 'in_features', 'out_features', 'bias', 'init']), 'Linear');
    const inEntry = entry(obj, 'in_features');
    let inFeatures = inEntry ? d.positiveInteger(inEntry.value, 'in_features') : width;
    if (inEntry && inFeatures !== undefined && width !== undefined && inFeatures !== width) {
      d.error('shape-mismatch', `in_features is ${inFeatures}, but the previous layer produces ${width} features.`, inEntry.value.range);
    }
    if (!inEntry && width === undefined) {
      d.error('missing-in-features', 'The first Linear layer needs "in_features" (or give the model an "input").', obj.range);
    }
    inFeatures ??= width;
    const outEntry = entry(obj, 'out_features');
    if (!outEntry) d.error('missing-out-features', 'A Linear layer needs "out_features".', typeEntry.keyRange);
    const outFeatures = outEntry ? d.positiveInteger(outEntry.value, 'out_features') : undefined;
    const bias = optionalBoolean(d, obj, 'bias') ?? true;
    if (inFeatures === undefined || outFeatures === undefined) return undefined;
    const init = decodeLinearInit(d, entry(obj, 'init'), bias, [outFeatures, inFeatures]);
    const layer: LayerSpec = { type: 'Linear', ...base, inFeatures, outFeatures, bias };
    if (init) layer.init = init;
    return layer;
  }
  if ((ACTIVATION_TYPES as readonly string[]).includes(type)) {
    const args: Record<string, number | boolean | string> = {};
    const allowed = ACTIVATION_ARGS[type as ActivationType];
    for (const e of obj.entries) {
      if (e.key === 'type' || e.key === 'name') continue;
      if (!allowed.includes(e.key)) {
        d.warning('unknown-key', `${type} takes ${allowed.length ? allowed.join(', ') : 'no arguments'}; "${e.key}" is ignored.`, e.keyRange);
        continue;
      }
      const v = e.value.kind === 'scalar' ? e.value.value : undefined;
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') args[e.key] = v;
      else d.error('type', `Argument "${e.key}" of ${type} must be a number or a string.`, e.value.range);
    }
    if (type === 'GELU' && args.approximate !== undefined && args.approximate !== 'none' && args.approximate !== 'tanh') {
      d.error('bad-value', `GELU approximate must be 'none' or 'tanh', got '${String(args.approximate)}'.`, entry(obj, 'approximate')!.value.range);
    }
    return { type: type as ActivationType, ...base, args };
  }
  if (type === 'Dropout') {
    d.warnUnknownKeys(obj.entries, new Set(['type', 'name', 'p']), 'Dropout');
    const p = optionalNumber(d, obj, 'p') ?? 0.5;
    if (p < 0 || p > 1) d.error('bad-value', `Dropout probability has to be between 0 and 1, but got ${p}.`, entry(obj, 'p')!.value.range);
    return { type: 'Dropout', ...base, p };
  }
  if (type === 'LayerNorm') {
    d.warnUnknownKeys(obj.entries, new Set(['type', 'name', 'normalized_shape', 'eps', 'elementwise_affine']), 'LayerNorm');
    const shapeEntry = entry(obj, 'normalized_shape');
    const normalizedShape = shapeEntry ? d.positiveInteger(shapeEntry.value, 'normalized_shape') : width;
    if (shapeEntry && normalizedShape !== undefined && width !== undefined && normalizedShape !== width) {
      d.error('shape-mismatch', `normalized_shape is ${normalizedShape}, but the previous layer produces ${width} features.`, shapeEntry.value.range);
    }
    if (normalizedShape === undefined) {
      d.error('missing-normalized-shape', 'LayerNorm needs "normalized_shape".', typeEntry.keyRange);
      return undefined;
    }
    const eps = optionalNumber(d, obj, 'eps') ?? 1e-5;
    if (!(eps > 0)) d.error('bad-value', `LayerNorm eps must be > 0, got ${eps}.`, entry(obj, 'eps')!.value.range);
    return { type: 'LayerNorm', ...base, normalizedShape, eps, elementwiseAffine: optionalBoolean(d, obj, 'elementwise_affine') ?? true };
  }
  d.error('unknown-layer', `Unknown layer type "${type}". Supported: Linear, ${ACTIVATION_TYPES.join(', ')}, Dropout, LayerNorm.`, typeEntry.value.range);
  return undefined;
}

function decodeLinearInit(d: DiagnosticSink, e: LocatedEntry | undefined, hasBias: boolean, weightShape: [number, number]): { weight?: InitSpec; bias?: InitSpec } | undefined {
  if (!e) return undefined;
  const obj = d.expectObject(e.value, 'init');
  if (!obj) return undefined;
  d.warnUnknownKeys(obj.entries, new Set(['weight', 'bias']), 'init');
  const result: { weight?: InitSpec; bias?: InitSpec } = {};
  const weight = entry(obj, 'weight');
  if (weight) {
    const spec = decodeInitializer(d, weight.value, weightShape);
    if (spec) result.weight = spec;
  }
  const bias = entry(obj, 'bias');
  if (bias) {
    if (!hasBias) d.warning('unused-init', 'This layer has bias: false, so the bias initializer is ignored.', bias.keyRange);
    const spec = decodeInitializer(d, bias.value, [weightShape[0]]);
    if (spec) result.bias = spec;
  }
  return result;
}

/**
 * `"zeros_"` or `{ fn: "normal_", mean: 0, std: 0.01 }`, for a tensor of the
 * given shape. The registry validates the arguments as torch would (names,
 * types, and torch's own errors, such as the fan error for 1-D tensors).
 */
function decodeInitializer(d: DiagnosticSink, node: Located, shape: number[], paramName?: string): InitSpec | undefined {
  let fnNode: Located | undefined;
  const args: Record<string, number | string | boolean> = {};
  if (node.kind === 'scalar') fnNode = node;
  else if (node.kind === 'object') {
    const fnEntry = entry(node, 'fn');
    if (!fnEntry) {
      d.error('missing-fn', 'An initializer needs "fn", a torch.nn.init function name such as "xavier_uniform_".', node.range);
      return undefined;
    }
    fnNode = fnEntry.value;
    for (const a of node.entries) {
      if (a.key === 'fn') continue;
      const v = a.value.kind === 'scalar' ? a.value.value : undefined;
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') args[a.key] = v;
      else d.error('type', `Initializer argument "${a.key}" must be a number, string or boolean.`, a.value.range);
    }
  } else {
    d.error('type', 'An initializer is a name ("zeros_") or an object ({ "fn": "normal_", "std": 0.01 }).', node.range);
    return undefined;
  }
  const raw = fnNode.kind === 'scalar' ? String(fnNode.value) : '';
  const initializer = findInitializer(raw);
  if (!initializer) {
    d.error('unknown-initializer', `Unknown initializer "${raw}". Known: ${INITIALIZER_NAMES.join(', ')}.`, fnNode.range);
    return undefined;
  }
  const fn = canonicalInitializerName(raw);
  if (shape.length < 2 && initializer.needsFans) {
    // torch.nn.init._calculate_fan_in_and_fan_out raises exactly this for 1-D tensors.
    d.error('init-needs-fans', `${fn} cannot initialize ${paramName ? `${paramName} (1-D)` : 'a bias'}: "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions". Use zeros_ or uniform_ for biases.`, fnNode.range);
    return undefined;
  }
  try {
    initializer.theory(shape, args);
  } catch (err) {
    d.error('bad-init-argument', `${fn}: ${err instanceof Error ? err.message : String(err)}`, node.range);
    return undefined;
  }
  return { fn, args };
}

/**
 * Top-level `init`: `{ "<pattern>": <initializer>, ... }`. Each initializer is
 * checked against every parameter its pattern gives it to (a layer's own
 * `init` takes precedence), so that e.g. `"*": "xavier_uniform_"` reports
 * torch's fan error for the biases it would hit.
 */
function decodeInitPatterns(d: DiagnosticSink, e: LocatedEntry | undefined, layers: LayerSpec[]): InitPattern[] {
  if (!e) return [];
  const obj = d.expectObject(e.value, 'init');
  if (!obj) return [];
  const params = parameterShapes({ layers }).filter((p) => !hasLayerInit(layers, p.name));
  const claimed = new Set<string>();
  const patterns: InitPattern[] = [];
  for (const item of obj.entries) {
    const matched = params.filter((p) => !claimed.has(p.name) && globToRegExp(item.key).test(p.name));
    if (matched.length === 0) {
      const names = parameterShapes({ layers }).map((p) => p.name);
      d.warning('unmatched-pattern', `"${item.key}" matches no parameter${claimed.size ? ' that an earlier pattern does not already take' : ''}. Parameter names: ${names.join(', ')}.`, item.keyRange);
    }
    // Validate once per distinct rank: a 2-D weight and a 1-D bias fail differently.
    let spec: InitSpec | undefined;
    let ok = true;
    for (const rank of new Set(matched.map((p) => p.shape.length))) {
      const example = matched.find((p) => p.shape.length === rank)!;
      spec = decodeInitializer(d, item.value, example.shape, example.name);
      if (!spec) {
        ok = false;
        break; // one report per pattern
      }
    }
    if (matched.length === 0) spec = decodeInitializer(d, item.value, [1, 1], item.key);
    for (const p of matched) claimed.add(p.name);
    if (spec && ok) patterns.push({ pattern: item.key, init: spec });
  }
  return patterns;
}

const SYNTHETIC_TASKS = ['regression', 'binary', 'multiclass', 'spiral'] as const;
const DATA_TASKS = ['regression', 'binary', 'classes'] as const;

/**
 * `data`: `{ synthetic: "binary", examples: 1024, noise: 0.1 }`,
 * `{ csv: "data.csv", target: "y", features: ["x1", "x2"], task: "binary" }` or
 * `{ npy: { inputs: "x.npy", targets: "y.npy" }, task: "regression" }`.
 */
function decodeData(d: DiagnosticSink, e: LocatedEntry | undefined): DataSpec | undefined {
  if (!e) return undefined;
  const obj = d.expectObject(e.value, 'data');
  if (!obj) return undefined;
  const sources = obj.entries.filter((x) => x.key === 'synthetic' || x.key === 'csv' || x.key === 'npy');
  if (sources.length !== 1) {
    d.error('bad-data', 'Give exactly one data source: "synthetic", "csv" or "npy".', sources[1]?.keyRange ?? obj.range);
    return undefined;
  }
  const source = sources[0]!;
  const task = (allowed: readonly string[], fallback: string): string | undefined => {
    const t = optionalString(d, obj, 'task') ?? fallback;
    if (!allowed.includes(t)) {
      d.error('bad-value', `"task" must be one of ${allowed.join(', ')}.`, entry(obj, 'task')?.value.range ?? source.keyRange);
      return undefined;
    }
    return t;
  };
  if (source.key === 'synthetic') {
    d.warnUnknownKeys(obj.entries, new Set(['synthetic', 'examples', 'noise']), 'data');
    const kind = source.value.kind === 'scalar' ? String(source.value.value) : '';
    if (!(SYNTHETIC_TASKS as readonly string[]).includes(kind)) {
      d.error('bad-value', `"synthetic" must be one of ${SYNTHETIC_TASKS.join(', ')}.`, source.value.range);
      return undefined;
    }
    const examplesEntry = entry(obj, 'examples');
    const examples = examplesEntry ? d.positiveInteger(examplesEntry.value, 'examples') : 1024;
    const noise = optionalNumber(d, obj, 'noise') ?? 0.1;
    if (examples === undefined) return undefined;
    return { kind: 'synthetic', task: kind as (typeof SYNTHETIC_TASKS)[number], examples, noise };
  }
  if (source.key === 'csv') {
    d.warnUnknownKeys(obj.entries, new Set(['csv', 'target', 'features', 'task']), 'data');
    const path = source.value.kind === 'scalar' && typeof source.value.value === 'string' ? source.value.value : undefined;
    if (!path) d.error('type', '"csv" must be a file path relative to the model file.', source.value.range);
    const targetEntry = entry(obj, 'target');
    const target = targetEntry ? stringList(d, targetEntry.value, 'target') : undefined;
    if (!targetEntry) d.error('missing-target', 'CSV data needs a "target" column (or a list of columns).', source.keyRange);
    const featuresEntry = entry(obj, 'features');
    const features = featuresEntry ? stringList(d, featuresEntry.value, 'features') : undefined;
    const t = task(DATA_TASKS, 'regression');
    if (!path || !target || !t) return undefined;
    return { kind: 'csv', path, target, ...(features ? { features } : {}), task: t as DataTask };
  }
  d.warnUnknownKeys(obj.entries, new Set(['npy', 'task']), 'data');
  const files = d.expectObject(source.value, 'npy');
  if (!files) return undefined;
  const inputs = optionalString(d, files, 'inputs');
  const targets = optionalString(d, files, 'targets');
  if (!inputs || !targets) {
    d.error('missing-file', '"npy" needs "inputs" and "targets" file paths.', source.value.range);
    return undefined;
  }
  const t = task(DATA_TASKS, 'regression');
  return t ? { kind: 'npy', inputs, targets, task: t as DataTask } : undefined;
}

function stringList(d: DiagnosticSink, node: Located, key: string): string[] | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') return [node.value];
  if (node.kind === 'array' && node.items.every((i) => i.kind === 'scalar' && typeof i.value === 'string')) {
    return node.items.map((i) => String((i as { value: unknown }).value));
  }
  d.error('type', `"${key}" must be a column name or a list of column names.`, node.range);
  return undefined;
}

/** `training: { steps: 500 | epochs: 3, batch_size: 32, validation_split: 0.2 }`. */
function decodeTraining(d: DiagnosticSink, e: LocatedEntry | undefined): TrainingSpec | undefined {
  if (!e) return undefined;
  const obj = d.expectObject(e.value, 'training');
  if (!obj) return undefined;
  d.warnUnknownKeys(obj.entries, new Set(['steps', 'epochs', 'batch_size', 'validation_split', 'shuffle']), 'training');
  const stepsEntry = entry(obj, 'steps');
  const epochsEntry = entry(obj, 'epochs');
  if (stepsEntry && epochsEntry) d.error('bad-training', 'Give "steps" or "epochs", not both.', epochsEntry.keyRange);
  const steps = stepsEntry ? d.positiveInteger(stepsEntry.value, 'steps') : undefined;
  const epochs = epochsEntry ? d.positiveInteger(epochsEntry.value, 'epochs') : undefined;
  const batchEntry = entry(obj, 'batch_size');
  const batchSize = batchEntry ? d.positiveInteger(batchEntry.value, 'batch_size') : 32;
  const validationSplit = optionalNumber(d, obj, 'validation_split') ?? 0;
  if (!(validationSplit >= 0 && validationSplit < 1)) d.error('bad-value', `validation_split must be in [0, 1), got ${validationSplit}.`, entry(obj, 'validation_split')!.value.range);
  if (batchSize === undefined) return undefined;
  const shuffle = optionalBoolean(d, obj, 'shuffle') ?? true;
  return { ...(steps ? { steps } : {}), ...(epochs ? { epochs } : {}), batchSize, validationSplit, shuffle };
}

/** `init_from: "weights.safetensors"` or `{ safetensors: "…" }` or `{ npy: { "fc1.weight": "w1.npy", … } }`. */
function decodeCheckpoint(d: DiagnosticSink, e: LocatedEntry | undefined, layers: LayerSpec[]): CheckpointSpec | undefined {
  if (!e) return undefined;
  if (e.value.kind === 'scalar' && typeof e.value.value === 'string') {
    if (!/\.safetensors$/i.test(e.value.value)) {
      d.error('bad-checkpoint', 'A checkpoint path must end in .safetensors; for .npy files give { "npy": { "<parameter>": "<file>.npy" } }.', e.value.range);
      return undefined;
    }
    return { kind: 'safetensors', path: e.value.value };
  }
  const obj = d.expectObject(e.value, 'init_from');
  if (!obj) return undefined;
  const st = optionalString(d, obj, 'safetensors');
  if (st) return { kind: 'safetensors', path: st };
  const npy = entry(obj, 'npy');
  const files = npy ? d.expectObject(npy.value, 'npy') : undefined;
  if (!files) {
    d.error('bad-checkpoint', 'init_from needs "safetensors" or "npy".', obj.range);
    return undefined;
  }
  const names = new Set(parameterShapes({ layers }).map((p) => p.name));
  const map: Record<string, string> = {};
  for (const f of files.entries) {
    if (!names.has(f.key)) d.error('checkpoint-extra', `The model has no parameter "${f.key}"; its parameters are ${[...names].join(', ')}.`, f.keyRange);
    if (f.value.kind === 'scalar' && typeof f.value.value === 'string') map[f.key] = f.value.value;
    else d.error('type', `"${f.key}" must be a .npy file path.`, f.value.range);
  }
  return { kind: 'npy', files: map };
}

/** `compare: { "<label>": { "<pattern>": <initializer>, ... }, ... }`. */
function decodeCompare(d: DiagnosticSink, e: LocatedEntry | undefined, layers: LayerSpec[]): NonNullable<ModelSpec['compare']> {
  if (!e) return [];
  const obj = d.expectObject(e.value, 'compare');
  if (!obj) return [];
  return obj.entries.map((variant) => ({ label: variant.key, initPatterns: decodeInitPatterns(d, variant, layers) }));
}

function hasLayerInit(layers: LayerSpec[], paramName: string): boolean {
  return layers.some((l, i) => {
    if (l.type !== 'Linear' || !l.init) return false;
    const prefix = layerPrefix(l, i);
    return (paramName === `${prefix}.weight` && l.init.weight !== undefined) || (paramName === `${prefix}.bias` && l.init.bias !== undefined);
  });
}

function decodeLoss(d: DiagnosticSink, e: LocatedEntry | undefined): ModelSpec['loss'] {
  if (!e) return undefined;
  let typeNode: Located = e.value;
  const args: Record<string, number | string> = {};
  if (e.value.kind === 'object') {
    const t = entry(e.value, 'type');
    if (!t) {
      d.error('missing-type', 'The loss needs a "type", e.g. "MSELoss" or "BCEWithLogitsLoss".', e.value.range);
      return undefined;
    }
    typeNode = t.value;
    for (const a of e.value.entries) {
      if (a.key === 'type') continue;
      const v = a.value.kind === 'scalar' ? a.value.value : undefined;
      if (typeof v === 'number' || typeof v === 'string') args[a.key] = v;
      else d.error('type', `Loss argument "${a.key}" must be a number or a string.`, a.value.range);
    }
  }
  const type = typeNode.kind === 'scalar' ? String(typeNode.value) : '';
  if (!LOSS_TYPES.includes(type)) {
    d.error('unknown-loss', `Unknown loss "${type}". Supported: ${LOSS_TYPES.join(', ')}.`, typeNode.range);
    return undefined;
  }
  return { type, args };
}
