/**
 * The module part of the model-file JSON Schema (schemas/nn.schema.json),
 * generated from the engine's module catalogue (engine/modules/catalogue.ts):
 * one definition per `torch.nn` class with its constructor's arguments (types
 * from torch's defaults, required ones from REQUIRED, the catalogue's `doc`),
 * the containers of the nested format (engine/model/decodeModules.ts), and
 * the dispatch on `"type"` that gives completion and validation per class.
 *
 * `updateSchema` replaces the definitions this file owns (GENERATED, and every
 * `nn.*` and `chain.*` one) and keeps everything else of the schema as it is
 * written by hand. `node scripts/gen-schema.mjs` writes the result;
 * test/unit/model/schema.test.ts fails when the committed schema differs.
 */
import { CONTAINER_TYPES, constructModule, MODULE_TYPES, moduleDefinition, type ModuleDefinition } from '../../engine/modules/catalogue';
import { describeCall } from '../../engine/modules/materialize';
import { IGNORED_ARGUMENTS, REQUIRED } from '../../engine/modules/signature';
import { tensorEntries, type ArgValue, type InitStep } from '../../engine/modules/tree';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Schema = { [key: string]: Json };

/** Keys of a module entry that are not constructor arguments (decodeModules.ts). */
export const STRUCTURE_KEYS: readonly string[] = ['type', 'name', 'class', 'layers', 'modules', 'parameters', 'buffers', 'init', 'approximations', 'description'];

/** Arguments a chain of layers infers from the previous layer (decode.ts): optional in a top-level `layers` list. */
const INFERRED_IN_CHAIN: Readonly<Record<string, readonly string[]>> = { Linear: ['in_features'], LayerNorm: ['normalized_shape'] };

/** Definitions this generator owns besides `nn.<type>` and `chain.<type>`. */
export const GENERATED: readonly string[] = [
  'moduleType', 'moduleName', 'tensorPath', 'layer', 'moduleEntry', 'moduleBody', 'moduleInit', 'initStep', 'initSteps',
  'approximations', 'parameterSpec', 'bufferSpec', 'ownParameters', 'ownBuffers', 'argument', 'ignoredArgument',
];

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const isOwned = (key: string): boolean => GENERATED.includes(key) || key.startsWith('nn.') || key.startsWith('chain.');

// ---------------------------------------------------------------- argument types

/** Required integer arguments: sizes and counts. */
const SIZES = new Set([
  'in_features', 'out_features', 'in1_features', 'in2_features', 'in_channels', 'out_channels', 'num_features', 'num_channels',
  'num_groups', 'size', 'num_embeddings', 'embedding_dim', 'input_size', 'hidden_size', 'embed_dim', 'num_heads', 'd_model',
  'nhead', 'num_layers',
]);

/** Float hyper-parameters whose torch default happens to be an integer (ELU's alpha=1.0 prints as 1). */
const FLOATS = new Set(['alpha', 'beta', 'k', 'threshold', 'norm_type', 'dropout', 'p', 'eps', 'momentum', 'negative_slope', 'layer_norm_eps']);

/** Probabilities. */
const PROBABILITIES = new Set(['p', 'dropout']);

/** torch's `_single` / `_pair` / `_triple` arguments: an int, or one int per spatial dimension. */
const TUPLES = new Set(['kernel_size', 'stride', 'padding', 'dilation', 'output_padding', 'output_size']);

/** String arguments with a fixed set of values (torch's checks). */
const CHOICES: Readonly<Record<string, readonly string[]>> = {
  padding_mode: ['zeros', 'reflect', 'replicate', 'circular'],
  approximate: ['none', 'tanh'],
  nonlinearity: ['tanh', 'relu'],
  mode: ['sum', 'mean', 'max'],
};

/** Arguments whose default is None: what else they take. */
const OPTIONAL: Readonly<Record<string, 'integer' | 'number' | 'module' | 'none'>> = {
  dim: 'integer', divisor_override: 'integer', kdim: 'integer', vdim: 'integer', padding_idx: 'integer',
  max_norm: 'number', norm: 'module', custom_encoder: 'module', custom_decoder: 'module',
  // A process group or a tensor cannot be written in a model file.
  process_group: 'none', _weight: 'none',
};

/** Arguments that also take None although their default is a number (BatchNorm's momentum=None: a cumulative average). */
const NULLABLE = new Set(['momentum']);

/** nn.Upsample's arguments (its `mode` is not EmbeddingBag's). */
const UPSAMPLE: Readonly<Record<string, Schema>> = {
  size: { type: ['integer', 'array', 'null'], minimum: 1, items: { type: 'integer', minimum: 1 } },
  scale_factor: { type: ['number', 'array', 'null'], exclusiveMinimum: 0, items: { type: 'number', exclusiveMinimum: 0 } },
  mode: { enum: ['nearest', 'linear', 'bilinear', 'bicubic', 'trilinear'] },
  align_corners: { type: ['boolean', 'null'] },
  recompute_scale_factor: { type: ['boolean', 'null'] },
};

/** Arguments that are modules: a module entry. */
const MODULES = new Set(['encoder_layer', 'decoder_layer']);

/** The number of spatial dimensions of `Conv2d`, `MaxPool3d`, …; undefined for other types. */
function spatialDims(type: string): number | undefined {
  const m = /([123])d$/.exec(type);
  return m ? Number(m[1]) : undefined;
}

function intOrTuple(type: string, name: string, nullable: boolean): Schema {
  const dims = name === 'normalized_shape' ? undefined : spatialDims(type);
  // Adaptive pooling: None in output_size keeps that dimension of the input.
  const items: Schema = name === 'output_size' ? { type: ['integer', 'null'], minimum: 0 } : { type: 'integer', minimum: 0 };
  const schema: Schema = { type: nullable ? ['integer', 'array', 'null'] : ['integer', 'array'], minimum: 0, items, ...(dims ? { minItems: dims, maxItems: dims } : { minItems: 1 }) };
  // Convolutions (not transposed ones) also take padding='same' or 'valid'.
  if (name === 'padding' && /^Conv[123]d$/.test(type)) return { anyOf: [schema, { enum: ['same', 'valid'] }] };
  return schema;
}

function hintOf(type: string, name: string): string {
  const dims = spatialDims(type);
  if (name === 'normalized_shape') return 'An integer or a list of integers (the trailing dimensions).';
  if (TUPLES.has(name)) return `An integer or a list of ${dims ?? 'n'} integers${name === 'padding' && /^Conv[123]d$/.test(type) ? ", or 'same' / 'valid'" : ''}.`;
  if (MODULES.has(name) || OPTIONAL[name] === 'module' || name === 'activation') return 'A module entry ({ "type": … }).';
  if (OPTIONAL[name] === 'none') return 'Only None: this argument cannot be given in a model file.';
  return '';
}

/** The schema of one constructor argument, or undefined when nothing tells its type. */
function argumentType(type: string, name: string, value: ArgValue | typeof REQUIRED): Schema | undefined {
  const nullable = value === null;
  if (type === 'Upsample') return UPSAMPLE[name];
  if (TUPLES.has(name) || name === 'normalized_shape') return intOrTuple(type, name, nullable);
  if (MODULES.has(name)) return ref('moduleEntry');
  if (name === 'activation') return { anyOf: [{ enum: ['relu', 'gelu'] }, ref('moduleEntry')] };
  if (CHOICES[name] && typeof value === 'string') return { enum: [...CHOICES[name]!] };
  if (nullable) {
    switch (OPTIONAL[name]) {
      case 'integer': return { type: ['integer', 'null'] };
      case 'number': return { type: ['number', 'null'] };
      case 'module': return { anyOf: [{ type: 'null' }, ref('moduleEntry')] };
      case 'none': return { type: 'null' };
      default: return undefined;
    }
  }
  if (value === REQUIRED) return SIZES.has(name) ? { type: 'integer', minimum: 0 } : undefined;
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'string') return { type: 'string' };
  if (typeof value === 'number') {
    const numeric = FLOATS.has(name) || !Number.isInteger(value) ? 'number' : 'integer';
    const schema: Schema = { type: NULLABLE.has(name) ? [numeric, 'null'] : numeric };
    if (PROBABILITIES.has(name)) Object.assign(schema, { minimum: 0, maximum: 1 });
    return schema;
  }
  return undefined;
}

/** Python's spelling of a default: True, None, 'relu'. */
function python(v: ArgValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(python).join(', ')})`;
  return String(v);
}

function argumentSchema(type: string, name: string, value: ArgValue | typeof REQUIRED, untyped: string[]): Schema {
  const typed = argumentType(type, name, value);
  if (!typed) untyped.push(`${type}.${name}`);
  const hint = hintOf(type, name);
  const ignored = IGNORED_ARGUMENTS.has(name) ? ' Accepted and ignored: it changes nothing Weightscope computes.' : '';
  const description = `nn.${type}'s ${name}. ${hint ? `${hint} ` : ''}${value === REQUIRED ? 'Required.' : `Default: ${python(value)}.`}${ignored}`;
  return { ...(typed ?? ref('argument')), description, ...(value === REQUIRED ? {} : { default: value as Json }) };
}

// ---------------------------------------------------------------- per-type definitions

/** `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, …)`. */
function signatureText(def: ModuleDefinition): string {
  if (def.anyArguments) return `nn.${def.type}(…)`;
  return `nn.${def.type}(${def.signature.map(([n, v]) => (v === REQUIRED ? n : `${n}=${python(v)}`)).join(', ')})`;
}

/** The containers' entries in a model file (their catalogue doc only says "a container"). */
const CONTAINER_DOCS: Readonly<Record<string, string>> = {
  Sequential: 'Sequential: its `layers`, applied in order; each is named by its `name` or its position (`features.0`).',
  ModuleList: 'ModuleList: its `layers`, named by `name` or position (`blocks.0`).',
  ModuleDict: 'ModuleDict: its `modules`, by name.',
  Module: 'A class of the model\'s own (`class`): its submodules (`modules`), its own `parameters` and `buffers`.',
};

function docOf(def: ModuleDefinition): string {
  return CONTAINER_DOCS[def.type] ?? def.doc;
}

/** Example arguments for a type's required parameters (integers and tuples), or undefined when one must be a module. */
export function exampleArguments(type: string): Record<string, ArgValue> | undefined {
  const def = moduleDefinition(type);
  if (!def) return undefined;
  const args: Record<string, ArgValue> = {};
  for (const [name, value] of def.signature) {
    if (value !== REQUIRED) continue;
    if (SIZES.has(name)) args[name] = 4;
    else if (TUPLES.has(name) || name === 'normalized_shape') args[name] = 3;
    else return undefined;
  }
  return args;
}

/** `kaiming_uniform_(a=√5)`, then `× 0.5`: how a tensor's steps read. */
function stepsText(steps: readonly InitStep[]): string {
  if (steps.length === 0) return 'torch.empty (not initialized)';
  return steps.map((s) => (s.op === 'init' ? s.label ?? describeCall(s.init) : s.op === 'scale' ? `× ${s.factor}` : s.op === 'fillRow' ? `row ${s.index} = ${s.value}` : `${s.lower ? 'tril' : 'triu'}(diagonal=${s.diagonal})`)).join(', then ');
}

/** At most this many tensor names are listed for completion under a module's `init` (a whole nn.Transformer has hundreds). */
const MAX_LISTED_TENSORS = 24;

/** The tensors a type creates with its default arguments, by (dotted) name, for completion and hovers under `init`. */
function tensorProperties(type: string): Schema {
  const args = exampleArguments(type);
  const def = moduleDefinition(type);
  if (!args || !def || CONTAINER_TYPES.has(type)) return {};
  let entries;
  try {
    entries = tensorEntries(constructModule(type, [], args));
  } catch {
    return {};
  }
  if (entries.length === 0 || entries.length > MAX_LISTED_TENSORS) return {};
  return Object.fromEntries(entries.map((e) => [e.name, { ...ref('initSteps'), description: `${e.decl.kind === 'parameter' ? 'Parameter' : 'Buffer'}; torch initializes it with ${stepsText(e.decl.init)}.` }]));
}

function moduleInit(type: string): Schema {
  const named = tensorProperties(type);
  return Object.keys(named).length ? { allOf: [ref('moduleInit')], properties: named } : ref('moduleInit');
}

/** Keys every module entry may have. */
function commonProperties(type: string): Record<string, Json> {
  return {
    type: true,
    name: true,
    description: { type: 'string', description: 'Free text about this module.' },
    init: moduleInit(type),
    approximations: ref('approximations'),
  };
}

function typeDefinition(def: ModuleDefinition, untyped: string[], relaxed: readonly string[] = []): Schema {
  const type = def.type;
  const description = `${signatureText(def)}: ${docOf(def)}`;
  const properties = commonProperties(type);
  if (type === 'Sequential' || type === 'ModuleList') {
    properties.layers = { type: 'array', items: ref('moduleEntry'), description: 'The submodules, in order.' };
    return { description, properties, additionalProperties: false };
  }
  if (type === 'ModuleDict' || type === 'Module') {
    properties.modules = { type: 'object', propertyNames: ref('moduleName'), additionalProperties: ref('moduleEntry'), description: 'The submodules by attribute name.' };
    if (type === 'Module') {
      properties.class = { type: 'string', description: 'The class name (shown in the inspector\'s module tree).' };
      properties.parameters = ref('ownParameters');
      properties.buffers = ref('ownBuffers');
    }
    return { description, properties, additionalProperties: false };
  }
  if (def.anyArguments) return { description, properties, additionalProperties: ref('argument') };
  const required: string[] = [];
  for (const [name, value] of def.signature) {
    // A constructor argument named like a key of the format (PReLU's `init`) cannot be given: the key wins.
    if (STRUCTURE_KEYS.includes(name)) continue;
    properties[name] = argumentSchema(type, name, value, untyped);
    if (relaxed.includes(name)) properties[name] = { ...(properties[name] as Schema), description: `nn.${type}'s ${name}. Default in a chain of layers: the previous layer's width (or the model's input).` };
    else if (value === REQUIRED) required.push(name);
  }
  properties.dtype = ref('ignoredArgument');
  properties.device = ref('ignoredArgument');
  return { description, ...(required.length ? { required } : {}), properties, additionalProperties: false };
}

/** `if type = T then <definition of T>` for each type. */
function dispatch(types: readonly string[], target: (type: string) => string): Schema[] {
  return types.map((type) => ({ if: { properties: { type: { const: type } }, required: ['type'] }, then: ref(target(type)) }));
}

// ---------------------------------------------------------------- shared definitions

const NAME_PATTERN = '^[A-Za-z0-9_]+$';
const PATH_PATTERN = '^[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*$';

function sharedDefinitions(): Record<string, Schema> {
  const tensor = (buffer: boolean): Schema => ({
    type: 'object',
    required: ['shape'],
    properties: {
      shape: { type: 'array', items: { type: 'integer', minimum: 0 }, description: 'The tensor\'s shape, e.g. [1, 1, 768].' },
      init: { ...ref('initSteps'), description: 'How its value is made: an initializer, or a list of steps run in order. Without one it is torch.empty.' },
      ...(buffer ? {
        persistent: { type: 'boolean', default: true, description: 'false: register_buffer(…, persistent=False), left out of the state_dict.' },
        dtype: { enum: ['float32', 'int64'], default: 'float32', description: 'The buffer\'s dtype.' },
      } : {}),
    },
    additionalProperties: false,
  });
  return {
    moduleName: { type: 'string', pattern: NAME_PATTERN, description: 'An attribute name: letters, digits, _.' },
    tensorPath: { type: 'string', pattern: PATH_PATTERN, description: 'A state_dict name, relative to the module it is written on (weight, attn.out_proj.weight).' },
    layer: {
      type: 'object',
      required: ['type'],
      description: 'A torch.nn module. A list of only Linear, activation, Dropout and LayerNorm layers is a chain the engine trains (in_features and normalized_shape then default to the previous layer\'s width); any other module, container or step list makes the model a module tree.',
      properties: { type: ref('moduleType'), name: ref('layerName') },
      if: { properties: { type: { enum: Object.keys(INFERRED_IN_CHAIN) } }, required: ['type'] },
      then: { allOf: dispatch(Object.keys(INFERRED_IN_CHAIN), (t) => `chain.${t}`) },
      else: ref('moduleBody'),
    },
    moduleEntry: {
      type: 'object',
      required: ['type'],
      description: 'A torch.nn module by class name with torch\'s keyword arguments, or a container: Sequential and ModuleList (layers), ModuleDict (modules), Module (a class of your own).',
      properties: { type: ref('moduleType'), name: { ...ref('moduleName'), description: 'Its attribute name in a layers list (default: its position).' } },
      allOf: [ref('moduleBody')],
    },
    moduleInit: {
      type: 'object',
      description: 'Re-initializes this module\'s tensors after torch built them, by name (a dotted name reaches into its submodules): an initializer, or a list of steps run in order.',
      propertyNames: ref('tensorPath'),
      additionalProperties: ref('initSteps'),
    },
    initStep: {
      anyOf: [
        ref('initializer'),
        { type: 'object', required: ['scale'], properties: { scale: { type: 'number', description: 'p.mul_(scale).' } }, additionalProperties: false },
        {
          type: 'object',
          required: ['row', 'fill'],
          properties: { row: { type: 'integer', minimum: 0, description: 'The row index.' }, fill: { type: 'number', description: 'p[row].fill_(fill).' } },
          additionalProperties: false,
        },
        { type: 'object', required: ['tril'], properties: { tril: { type: 'integer', description: 'torch.tril(p, diagonal): zero above the diagonal of the last two dimensions (a causal mask).' } }, additionalProperties: false },
        { type: 'object', required: ['triu'], properties: { triu: { type: 'integer', description: 'torch.triu(p, diagonal): zero below the diagonal of the last two dimensions.' } }, additionalProperties: false },
      ],
    },
    initSteps: {
      anyOf: [ref('initStep'), { type: 'array', items: ref('initStep'), description: 'Steps run in order, e.g. [{ "fn": "normal_", "std": 0.02 }, { "scale": 0.5 }].' }],
    },
    approximations: {
      type: 'object',
      description: 'Tensors whose shape or initializer is a guess, by name, with the reason (the Python reader writes these).',
      propertyNames: ref('tensorPath'),
      additionalProperties: { type: 'string' },
    },
    parameterSpec: tensor(false),
    bufferSpec: tensor(true),
    ownParameters: {
      type: 'object',
      description: 'Parameters of this module itself (nn.Parameter attributes), by name: { "cls_token": { "shape": [1, 1, 768], "init": "zeros_" } }.',
      propertyNames: ref('moduleName'),
      additionalProperties: ref('parameterSpec'),
    },
    ownBuffers: {
      type: 'object',
      description: 'Buffers of this module itself (register_buffer), by name: { "mask": { "shape": [8, 8], "persistent": false } }.',
      propertyNames: ref('moduleName'),
      additionalProperties: ref('bufferSpec'),
    },
    argument: {
      description: 'A constructor argument: a number, string, boolean, null, a list of them, or a module entry.',
      anyOf: [{ type: ['number', 'string', 'boolean', 'null'] }, { type: 'array', items: ref('argument') }, ref('moduleEntry')],
    },
    ignoredArgument: { type: ['string', 'null'], description: 'Accepted and ignored: it changes nothing Weightscope computes.' },
  };
}

// ---------------------------------------------------------------- the schema

/** Every generated definition; `untyped` lists the arguments whose type nothing tells (they take any argument value). */
export function moduleDefinitions(): { definitions: Record<string, Schema>; untyped: string[] } {
  const untyped: string[] = [];
  const defs = MODULE_TYPES.map((t) => moduleDefinition(t)!);
  const definitions: Record<string, Schema> = {
    moduleType: {
      enum: [...MODULE_TYPES],
      markdownEnumDescriptions: defs.map((d) => `\`${signatureText(d)}\`\n\n${docOf(d)}`),
      description: 'A torch.nn class name, or a container of the model file: Sequential, ModuleList, ModuleDict, Module.',
    },
    ...sharedDefinitions(),
    moduleBody: { allOf: dispatch(MODULE_TYPES, (t) => `nn.${t}`) },
  };
  for (const def of defs) definitions[`nn.${def.type}`] = typeDefinition(def, untyped);
  for (const [type, relaxed] of Object.entries(INFERRED_IN_CHAIN)) {
    const def = moduleDefinition(type)!;
    definitions[`chain.${type}`] = typeDefinition(def, [], relaxed);
  }
  return { definitions, untyped: [...new Set(untyped)] };
}

/** The schema with its generated definitions replaced (the others keep their place and content). */
export function updateSchema(schema: Schema): { schema: Schema; untyped: string[] } {
  const { definitions, untyped } = moduleDefinitions();
  const current = (schema.definitions ?? {}) as Record<string, Json>;
  const kept = Object.fromEntries(Object.entries(current).filter(([key]) => !isOwned(key)));
  return { schema: { ...schema, definitions: { ...kept, ...definitions } }, untyped };
}

/** The schema file's text. */
export function schemaText(schema: Schema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
