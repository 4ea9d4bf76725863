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
  layerPrefix,
  type ActivationType,
  type InitSpec,
  type LayerSpec,
  type ModelSpec,
  type InitPattern,
  type CheckpointSpec,
  type DataSpec,
  type DataTask,
  type TrainingSpec,
} from './spec';
import { globMatches } from './patterns';
import { decodeInitializer } from './decodeInitializer';
import { decodeApproximations, decodeModuleEntry, decodeModuleList, decodeOwnTensors, fileFillsAfterConstruction } from './decodeModules';
import { modelTree } from './moduleTree';
import { formatCount, MAX_SYNTHETIC_EXAMPLES, sizeProblem } from './memory';
import { chainFromTree } from './treeJson';
import { moduleDefinition } from '../modules/catalogue';
import { namedModules, tensorEntries, type ModuleNode, type TensorTie } from '../modules/tree';
import { LOSS_TYPES } from './vocabulary';
import type { ForwardGraph } from '../graph/ir';

export interface DecodeResult {
  spec: ModelSpec | undefined;
  diagnostics: ModelDiagnostic[];
  /** The located tree the spec came from, so that later checks can point at exact ranges. */
  tree: Located | undefined;
}

export interface DecodeOptions {
  /** Models with more trainable parameters get an error (the engine would not run them). */
  maxParameters?: number;
  /** How the user raises `maxParameters`, for the message (default: the editor setting). */
  limitName?: string;
  /**
   * The module tree, when a front end built it itself (the Python reader): it takes the place of the
   * file's "layers", and `forwardUnavailable` says why the engine cannot run it.
   */
  modules?: { root: ModuleNode; ties: TensorTie[]; forwardUnavailable?: string; graph?: ForwardGraph };
}

export function decodeModel(root: Located | undefined, defaultName: string, options: DecodeOptions = {}): DecodeResult {
  const d = new DiagnosticSink();
  if (!root) {
    d.error('empty-file', 'The model file is empty. Start from "Weightscope: New Model from Example".', { start: 0, end: 0 });
    return { spec: undefined, diagnostics: d.items, tree: root };
  }
  const obj = d.expectObject(root, 'model');
  if (!obj) return { spec: undefined, diagnostics: d.items, tree: root };

  const known = new Set(['$schema', 'version', 'name', 'class', 'module', 'tie', 'parameters', 'buffers', 'approximations', 'input', 'layers', 'init', 'init_from', 'compare', 'loss', 'optimizer', 'data', 'training', 'seed', 'description']);
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
  // A tree built by the front end; one that is a plain chain of layers is trained as one.
  const builtChain = options.modules && options.modules.ties.length === 0 ? chainFromTree(options.modules.root) : undefined;
  let modules: ModuleNode | undefined = builtChain ? undefined : options.modules?.root;
  if (builtChain) {
    layers.push(...builtChain);
    const first = builtChain.find((l) => l.type === 'Linear');
    inputFeatures ??= first?.type === 'Linear' ? first.inFeatures : undefined;
    if (inputFeatures === undefined) d.error('missing-input', 'Give the number of input features: the first layer is not a Linear layer.', obj.range);
  } else if (modules) {
    // Built by the front end.
  } else if (!layersEntry && entry(obj, 'module')) {
    // "module": { "type": "Linear", … }: a model that is one torch module, its tensors without a prefix.
    const single = d.expectObject(entry(obj, 'module')!.value, 'module');
    modules = single ? fileFillsAfterConstruction(() => decodeModuleEntry(d, single, '')) : undefined;
    if (!modules && d.errorCount === 0) d.error('type', '"module" must be a module entry ({ "type": … }).', entry(obj, 'module')!.value.range);
  } else if (!layersEntry) {
    d.error('missing-layers', 'A model needs a "layers" list (for example a Linear layer).', root.range.start === root.range.end ? root.range : { start: root.range.start, end: root.range.start + 1 });
  } else if (layersEntry.value.kind !== 'array') {
    d.error('type', '"layers" must be a list of layers.', layersEntry.value.range);
  } else if (isChain(layersEntry.value.items) && !['class', 'tie', 'parameters', 'buffers'].some((k) => entry(obj, k))) {
    if (layersEntry.value.items.length === 0) d.error('missing-layers', 'The "layers" list is empty.', layersEntry.value.range);
    let width = inputFeatures;
    const prefixes = new Map<string, number>();
    layersEntry.value.items.forEach((item, index) => {
      const layer = decodeLayer(d, item, index, width);
      if (layer) {
        // torch's Sequential (an OrderedDict) cannot hold two children under one name.
        const prefix = layerPrefix(layer, index);
        const first = prefixes.get(prefix);
        if (first !== undefined) {
          const at = item.kind === 'object' ? entry(item, 'name')?.value.range ?? item.range : item.range;
          d.error('duplicate-name', `Layer ${index} is named "${prefix}", as layer ${first} is: each layer needs its own name (its state_dict prefix).`, at);
        }
        prefixes.set(prefix, index);
        layers.push(layer);
        if (layer.type === 'Linear') width = layer.outFeatures;
      }
    });
    if (inputFeatures === undefined) {
      const first = layers.find((l) => l.type === 'Linear');
      if (first && first.type === 'Linear') inputFeatures = first.inFeatures;
    }
    if (inputFeatures === undefined && d.errorCount === 0) {
      d.error('missing-input', 'Give the number of input features ("input"), or "in_features" on the first Linear layer.', obj.range);
    }
  } else {
    // A module tree: any torch.nn module, containers, the model's own modules (decodeModules.ts).
    // The whole model is built before the file's own fills run (decodeModules.ts says in which order they run).
    modules = fileFillsAfterConstruction(() => {
      let root = decodeModuleList(d, layersEntry.value, 'Sequential', '');
      const className = optionalString(d, obj, 'class');
      if (className) root = { ...root, type: 'Module', className };
      // The root's own parameters and buffers (a ViT's cls_token).
      if (root.type === 'Module') decodeOwnTensors(d, obj, root, '');
      return root;
    });
    decodeApproximations(d, obj, modules, '');
  }
  const ties = modules ? options.modules?.ties ?? decodeTies(d, entry(obj, 'tie'), modules) : [];
  const tensorsOf = (): { name: string; shape: number[]; ownInit: boolean }[] => {
    const entries = tensorEntries(modules ?? modelTree({ layers }).root, ties);
    return entries.filter((e) => e.decl.kind === 'parameter' && e.sameAs === undefined)
      .map((e) => ({ name: e.name, shape: e.decl.shape, ownInit: e.decl.init.some((st) => st.op === 'init' && st.origin === 'model file') }));
  };

  const loss = decodeLoss(d, entry(obj, 'loss'));
  const optimizer = decodeOptimizer(d, entry(obj, 'optimizer'));
  const tensors = tensorsOf();
  const initPatterns = decodeInitPatterns(d, entry(obj, 'init'), tensors);
  const compare = decodeCompare(d, entry(obj, 'compare'), tensors);
  const data = decodeData(d, entry(obj, 'data'));
  const training = decodeTraining(d, entry(obj, 'training'));
  const initFrom = decodeCheckpoint(d, entry(obj, 'init_from'), tensors);

  if (d.errorCount > 0 || (!modules && inputFeatures === undefined)) return { spec: undefined, diagnostics: d.items, tree: root };
  const spec: ModelSpec = modules
    ? {
      version, name, modules, seed,
      ...(options.modules?.graph ? { graph: options.modules.graph } : {}),
      ...(options.modules?.graph && options.modules.forwardUnavailable === undefined ? {} : { forwardUnavailable: options.modules?.forwardUnavailable ?? forwardGap(modules) }),
    }
    : { version, name, inputFeatures, layers, seed };
  if (ties.length > 0) spec.ties = ties;
  if (initPatterns.length > 0) spec.initPatterns = initPatterns;
  if (compare.length > 0) spec.compare = compare;
  if (data) spec.data = data;
  if (training) spec.training = training;
  if (initFrom) spec.initFrom = initFrom;
  // Sizes before memory: from the shapes alone, before anything is allocated. The parameter limit guards training
  // (and the signal's forward pass); a tree the engine cannot run is only inspected, one tensor at a time, and only
  // an absurd memory estimate stops it.
  const tooLarge = sizeProblem(spec, modules ? 'init' : 'train', { ...(options.maxParameters !== undefined ? { maxParameters: options.maxParameters } : {}), ...(options.limitName ? { limitName: options.limitName } : {}) });
  if (tooLarge) {
    d.error('too-large', tooLarge, layersEntry?.keyRange ?? inputEntry?.keyRange ?? obj.range);
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
      // GELU's approximate is the one string; every other argument is a number (a string was once trained as torch's default).
      const textual = e.key === 'approximate';
      if (textual ? typeof v === 'string' : typeof v === 'number' && Number.isFinite(v)) args[e.key] = v!;
      else d.error('type', `Argument "${e.key}" of ${type} must be ${textual ? 'a string' : 'a finite number'}.`, e.value.range);
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
 * Top-level `init`: `{ "<pattern>": <initializer>, ... }`. Each initializer is
 * checked against every parameter its pattern gives it to (a layer's own
 * `init` takes precedence), so that e.g. `"*": "xavier_uniform_"` reports
 * torch's fan error for the biases it would hit.
 */
function decodeInitPatterns(d: DiagnosticSink, e: LocatedEntry | undefined, tensors: readonly ModelTensor[]): InitPattern[] {
  if (!e) return [];
  const obj = d.expectObject(e.value, 'init');
  if (!obj) return [];
  const params = tensors.filter((p) => !p.ownInit);
  const claimed = new Set<string>();
  const patterns: InitPattern[] = [];
  for (const item of obj.entries) {
    const matched = params.filter((p) => !claimed.has(p.name) && globMatches(item.key, p.name));
    if (matched.length === 0) {
      const names = tensors.map((p) => p.name);
      d.warning('unmatched-pattern', `"${item.key}" matches no parameter${claimed.size ? ' that an earlier pattern does not already take' : ''}. Parameter names: ${listNames(names)}.`, item.keyRange);
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

/** A parameter as the file-level checks see it: name, shape, and whether its own module entry initializes it. */
interface ModelTensor {
  name: string;
  shape: number[];
  ownInit: boolean;
}

/** Up to 20 names, then how many more: a GPT has 148 tensors. */
function listNames(names: readonly string[]): string {
  return names.length > 20 ? `${names.slice(0, 20).join(', ')}, … (${names.length - 20} more)` : names.join(', ');
}

/** `tie: { "transformer.wte.weight": "lm_head.weight" }`: the first name's tensor is the second's (same shape). */
function decodeTies(d: DiagnosticSink, e: LocatedEntry | undefined, root: ModuleNode): TensorTie[] {
  if (!e) return [];
  const obj = d.expectObject(e.value, 'tie');
  if (!obj) return [];
  const shapes = new Map(tensorEntries(root).filter((t) => t.decl.kind === 'parameter').map((t) => [t.name, t.decl.shape]));
  const ties: TensorTie[] = [];
  for (const item of obj.entries) {
    const target = item.value.kind === 'scalar' && typeof item.value.value === 'string' ? item.value.value : undefined;
    const from = shapes.get(item.key);
    const to = target !== undefined ? shapes.get(target) : undefined;
    if (!from) d.error('unknown-parameter', `The model has no parameter "${item.key}".`, item.keyRange);
    else if (target === undefined) d.error('type', '"tie" maps a parameter name to the name of the parameter it shares.', item.value.range);
    else if (!to) d.error('unknown-parameter', `The model has no parameter "${target}".`, item.value.range);
    else if (from.join(',') !== to.join(',')) d.error('shape-mismatch', `${item.key} has shape [${from.join(', ')}] and ${target} [${to.join(', ')}]; a tied tensor has one shape.`, item.value.range);
    else ties.push({ name: item.key, target });
  }
  return ties;
}

/** Why the engine cannot run this tree's forward pass yet: the first module outside the chain it runs. */
export function forwardGap(root: ModuleNode): string {
  for (const { path, module } of namedModules(root)) {
    if (module !== root && !CHAIN_TYPES.has(module.type) && !['Sequential', 'ModuleList', 'ModuleDict', 'Module'].includes(module.type)) {
      return `its ${module.className ?? module.type} module (${path}) is not in the engine's forward pass yet, which runs chains of Linear, activation, Dropout and LayerNorm layers`;
    }
  }
  return 'Weightscope reads its forward pass only as a chain of layers applied one after another (one "layers" list in a model file)';
}

const CHAIN_TYPES: ReadonlySet<string> = new Set(['Linear', 'Dropout', 'LayerNorm', ...ACTIVATION_TYPES]);

/** A flat list of the layers the engine trains (the original format), rather than a module tree. */
function isChain(items: readonly Located[]): boolean {
  return items.every((item) => {
    if (item.kind !== 'object') return true; // reported by decodeLayer
    // Structure only the tree format has: nesting, guesses, step lists, other tensors than weight and bias.
    if (item.entries.some((e) => e.key === 'layers' || e.key === 'modules' || e.key === 'approximations'
      || (e.key === 'init' && e.value.kind === 'object' && e.value.entries.some((x) => (x.key !== 'weight' && x.key !== 'bias') || x.value.kind === 'array')))) return false;
    const type = entry(item, 'type')?.value;
    const name = type?.kind === 'scalar' ? String(type.value) : '';
    if (name === 'LayerNorm') {
      const shape = entry(item, 'normalized_shape')?.value;
      if (shape?.kind === 'array') return false;
    }
    return CHAIN_TYPES.has(name) || !moduleDefinition(name);
  });
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
  const sources = obj.entries.filter((x) => x.key === 'synthetic' || x.key === 'csv' || x.key === 'npy' || x.key === 'text');
  if (sources.length !== 1) {
    d.error('bad-data', 'Give exactly one data source: "synthetic", "csv", "npy" or "text".', sources[1]?.keyRange ?? obj.range);
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
    if (examples > MAX_SYNTHETIC_EXAMPLES) {
      d.error('too-large', `${formatCount(examples)} synthetic examples: at most ${formatCount(MAX_SYNTHETIC_EXAMPLES)} are generated (the data is held in memory).`, examplesEntry!.value.range);
      return undefined;
    }
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
  if (source.key === 'text') {
    // {"text": "input.txt", "block_size": 64}: a character-level language-model dataset (nanoGPT's shakespeare_char).
    d.warnUnknownKeys(obj.entries, new Set(['text', 'block_size']), 'data');
    const path = source.value.kind === 'scalar' && typeof source.value.value === 'string' ? source.value.value : undefined;
    if (!path) d.error('type', '"text" must be a file path relative to the model file.', source.value.range);
    const blockEntry = entry(obj, 'block_size');
    const blockSize = blockEntry ? d.positiveInteger(blockEntry.value, 'block_size') : 64;
    return path && blockSize !== undefined ? { kind: 'text', path, blockSize } : undefined;
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
  // Any other key names a further input of forward (`"action": "actions.npy"`), checked against forward with the data.
  const extra: Record<string, string> = {};
  for (const e of files.entries) {
    if (e.key === 'inputs' || e.key === 'targets') continue;
    if (e.value.kind === 'scalar' && typeof e.value.value === 'string') extra[e.key] = e.value.value;
    else d.error('type', `"${e.key}" must be a file path relative to the model file.`, e.value.range);
  }
  const t = task(DATA_TASKS, 'regression');
  return t ? { kind: 'npy', inputs, targets, task: t as DataTask, ...(Object.keys(extra).length > 0 ? { extra } : {}) } : undefined;
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
function decodeCheckpoint(d: DiagnosticSink, e: LocatedEntry | undefined, tensors: readonly ModelTensor[]): CheckpointSpec | undefined {
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
  const names = new Set(tensors.map((p) => p.name));
  const map: Record<string, string> = {};
  for (const f of files.entries) {
    if (!names.has(f.key)) d.error('checkpoint-extra', `The model has no parameter "${f.key}"; its parameters are ${listNames([...names])}.`, f.keyRange);
    if (f.value.kind === 'scalar' && typeof f.value.value === 'string') map[f.key] = f.value.value;
    else d.error('type', `"${f.key}" must be a .npy file path.`, f.value.range);
  }
  return { kind: 'npy', files: map };
}

/** `compare: { "<label>": { "<pattern>": <initializer>, ... }, ... }`. */
function decodeCompare(d: DiagnosticSink, e: LocatedEntry | undefined, tensors: readonly ModelTensor[]): NonNullable<ModelSpec['compare']> {
  if (!e) return [];
  const obj = d.expectObject(e.value, 'compare');
  if (!obj) return [];
  return obj.entries.map((variant) => ({ label: variant.key, initPatterns: decodeInitPatterns(d, variant, tensors) }));
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
