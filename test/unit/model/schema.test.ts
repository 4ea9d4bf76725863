/**
 * The model-file JSON Schema (schemas/nn.schema.json, contributed for `*.nn.json`): its module part is
 * generated from the engine's module catalogue (scripts/schema/moduleSchema.ts, written by
 * scripts/gen-schema.mjs) and must be up to date with it; the example model files and documents of every
 * form of the format validate against it, and what it rejects, the decoder rejects too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseModelFile } from '../../../engine/model';
import { findInitializer, INITIALIZER_NAMES } from '../../../engine/init/registry';
import { CONTAINER_TYPES, MODULE_TYPES, moduleDefinition } from '../../../engine/modules/catalogue';
import { REQUIRED } from '../../../engine/modules/signature';
import { exampleArguments, moduleDefinitions, schemaText, STRUCTURE_KEYS, updateSchema, type Json, type Schema } from '../../../scripts/schema/moduleSchema';

const root = path.resolve(__dirname, '../../..');
const schemaFile = path.join(root, 'schemas/nn.schema.json');
const committedText = readFileSync(schemaFile, 'utf8');
const committed = JSON.parse(committedText) as Schema;

// VS Code's keywords for completion texts are annotations; everything else is checked strictly.
// Compiled on first use, so that a schema that does not compile fails the validation tests, not the up-to-date one.
let compiled: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
    ajv.addVocabulary(['markdownDescription', 'markdownEnumDescriptions']);
    compiled = ajv.compile(committed);
  }
  return compiled;
}

/** The errors that say what is wrong (not the if/anyOf/oneOf wrappers around them). */
function schemaErrors(doc: unknown): string[] {
  const validate = validator();
  if (validate(doc)) return [];
  const errors = (validate.errors ?? []) as ErrorObject[];
  return errors.filter((e) => !['if', 'anyOf', 'oneOf'].includes(e.keyword)).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** The decoder's errors (or also its warnings) for a document written as a .nn.json file. */
function decoderErrors(doc: unknown, severities: readonly string[] = ['error']): string[] {
  return parseModelFile('model.nn.json', JSON.stringify(doc)).diagnostics.filter((d) => severities.includes(d.severity)).map((d) => `${d.code}: ${d.message}`);
}

describe('model-file schema: generated from the module catalogue', () => {
  it('is up to date (regenerate it with: node scripts/gen-schema.mjs)', () => {
    const fresh = updateSchema(committed).schema;
    const defs = (s: Schema) => (s.definitions ?? {}) as Record<string, Json>;
    const names = new Set([...Object.keys(defs(fresh)), ...Object.keys(defs(committed))]);
    const stale = [...names].filter((k) => JSON.stringify(defs(fresh)[k]) !== JSON.stringify(defs(committed)[k]));
    expect(stale, 'definitions that differ from the catalogue: run node scripts/gen-schema.mjs').toEqual([]);
    expect(schemaText(fresh) === committedText, 'schemas/nn.schema.json is not as scripts/gen-schema.mjs writes it').toBe(true);
  });

  it('gives every constructor argument of the catalogue a type', () => {
    expect(moduleDefinitions().untyped).toEqual([]);
  });

  it('has one definition per module type, with its arguments and the required ones', () => {
    const defs = committed.definitions as Record<string, Schema>;
    expect((defs.moduleType!.enum as string[])).toEqual([...MODULE_TYPES]);
    for (const type of MODULE_TYPES) {
      const def = moduleDefinition(type)!;
      const schema = defs[`nn.${type}`]!;
      expect(schema, type).toBeDefined();
      if (def.anyArguments || CONTAINER_TYPES.has(type)) continue;
      const properties = Object.keys(schema.properties as object);
      const args = def.signature.map(([n]) => n).filter((n) => !STRUCTURE_KEYS.includes(n));
      expect(properties, type).toEqual(expect.arrayContaining(args));
      expect(schema.required ?? [], type).toEqual(def.signature.filter(([, v]) => v === REQUIRED).map(([n]) => n));
    }
  });

  it('lists the initializers of the engine with all their arguments', () => {
    const defs = committed.definitions as Record<string, Schema>;
    expect(defs.initializerName!.enum).toEqual([...INITIALIZER_NAMES]);
    const object = (defs.initializer!.oneOf as Schema[])[1]!;
    const properties = Object.keys(object.properties as object);
    for (const name of INITIALIZER_NAMES) {
      for (const p of findInitializer(name)!.params) expect(properties, `${name}(${p.name})`).toContain(p.name);
    }
  });

  // Every module whose required arguments are sizes, with every default written out: the schema's type for
  // each argument accepts torch's default, and the decoder builds the module.
  const buildable = MODULE_TYPES.filter((t) => !CONTAINER_TYPES.has(t) && !moduleDefinition(t)!.anyArguments && exampleArguments(t));
  it.each(buildable)('%s with its defaults written out validates and decodes', (type) => {
    const defaults = Object.fromEntries(moduleDefinition(type)!.signature.filter(([n, v]) => v !== REQUIRED && !STRUCTURE_KEYS.includes(n)));
    const doc = { class: 'M', layers: [{ name: 'm', type, ...defaults, ...exampleArguments(type) }] };
    expect(schemaErrors(doc)).toEqual([]);
    expect(decoderErrors(doc)).toEqual([]);
  });
});

describe('model-file schema: documents that validate', () => {
  const exampleFiles = (readdirSync(path.join(root, 'examples'), { recursive: true }) as string[])
    .filter((f) => /\.nn\.(json|ya?ml)$/.test(f)).sort();

  it('finds the example model files, old and nested form', () => {
    expect(exampleFiles).toEqual(expect.arrayContaining(['simple-model.nn.json', 'mnist-cnn.nn.yaml', 'tiny-transformer.nn.json']));
  });

  it.each(exampleFiles)('examples/%s validates and decodes without errors', (file) => {
    const text = readFileSync(path.join(root, 'examples', file), 'utf8');
    const doc: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    expect(schemaErrors(doc)).toEqual([]);
    expect(parseModelFile(file, text).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  const linear = (i: number, o: number, extra: object = {}) => ({ type: 'Linear', in_features: i, out_features: o, ...extra });
  const valid: Record<string, object> = {
    'a chain of layers (the original form): widths from input, initializers per Linear': {
      input: 4,
      layers: [
        { name: 'fc1', type: 'Linear', out_features: 8, init: { weight: { fn: 'kaiming_normal_', nonlinearity: 'relu' }, bias: 'zeros_' } },
        { type: 'ReLU' },
        { type: 'LayerNorm' },
        { type: 'Dropout', p: 0.1 },
        { name: 'net.out', type: 'Linear', out_features: 1 },
      ],
    },
    'containers: Sequential, ModuleList, ModuleDict; tuples, strings and None as arguments': {
      layers: [
        { name: 'features', type: 'Sequential', layers: [
          { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: [3, 5], padding: 'same', bias: false },
          { type: 'BatchNorm2d', num_features: 8, momentum: null },
          { type: 'ReLU', inplace: true },
          { type: 'AdaptiveAvgPool2d', output_size: [null, 7] },
        ] },
        { name: 'heads', type: 'ModuleList', layers: [linear(8, 2), linear(8, 3, { name: 'aux' })] },
        { name: 'extra', type: 'ModuleDict', modules: { emb: { type: 'Embedding', num_embeddings: 10, embedding_dim: 8, padding_idx: 0 }, act: { type: 'GELU', approximate: 'tanh' } } },
      ],
    },
    'a module of the model\'s own: modules, parameters, buffers, init steps by dotted name, approximations': {
      class: 'ViT',
      layers: [
        { name: 'patch', type: 'Conv2d', in_channels: 3, out_channels: 16, kernel_size: 4, stride: 4 },
        { name: 'block', type: 'Module', class: 'Block',
          modules: { attn: { type: 'MultiheadAttention', embed_dim: 16, num_heads: 2 }, mlp: { type: 'Sequential', layers: [linear(16, 32), { type: 'GELU' }, linear(32, 16)] } },
          parameters: { gamma: { shape: [16], init: { fn: 'constant_', val: 0.1 } } },
          buffers: { mask: { shape: [4, 4], persistent: false, init: 'ones_' }, step: { shape: [], dtype: 'int64' } },
          init: {
            'attn.out_proj.weight': [{ fn: 'normal_', std: 0.02 }, { scale: 0.5 }],
            'mlp.2.bias': 'zeros_',
          },
          approximations: { gamma: 'the code computes it from a config the reader did not follow' } },
        { name: 'emb', type: 'Embedding', num_embeddings: 8, embedding_dim: 16, init: { weight: ['normal_', { row: 0, fill: 0 }] } },
      ],
      parameters: { cls_token: { shape: [1, 1, 16], init: { fn: 'trunc_normal_', std: 0.02 } } },
      buffers: { position_ids: { shape: [1, 17], dtype: 'int64', persistent: false } },
      approximations: { cls_token: 'shape from a default argument' },
      init: { 'patch.weight': { fn: 'xavier_uniform_' } },
    },
    'a module as a constructor argument': {
      layers: [{
        name: 'encoder', type: 'TransformerEncoder', num_layers: 2,
        encoder_layer: { type: 'TransformerEncoderLayer', d_model: 16, nhead: 2, dim_feedforward: 32, activation: { type: 'GELU' }, batch_first: true },
        norm: { type: 'LayerNorm', normalized_shape: 16 },
      }],
    },
    'ties between parameters': {
      class: 'LM',
      layers: [{ name: 'wte', type: 'Embedding', num_embeddings: 32, embedding_dim: 8 }, { name: 'lm_head', type: 'Linear', in_features: 8, out_features: 32, bias: false }],
      tie: { 'wte.weight': 'lm_head.weight' },
    },
    'a model that is one torch module': {
      module: { type: 'LSTM', input_size: 4, hidden_size: 8, num_layers: 2, dropout: 0.2, bidirectional: true, init: { weight_ih_l0: 'orthogonal_' } },
    },
    'modules that take any arguments, and the ignored dtype and device': {
      layers: [
        { type: 'Identity', anything: [1, 'two', null] },
        { type: 'Hardtanh', min_val: -2, max_val: 2 },
        linear(4, 4, { dtype: 'float64', device: 'cpu' }),
      ],
    },
  };
  it.each(Object.entries(valid))('%s', (_, doc) => {
    expect(schemaErrors(doc)).toEqual([]);
    expect(decoderErrors(doc)).toEqual([]);
  });
});

describe('model-file schema: what it rejects, the decoder reports too (an error, or a warning that it is ignored)', () => {
  const conv = { type: 'Conv2d', in_channels: 1, out_channels: 2, kernel_size: 3 };
  const tree = (layer: object) => ({ class: 'M', layers: [layer] });
  const invalid: Record<string, object> = {
    'an unknown module type': { layers: [{ type: 'Conv9d' }] },
    'a missing required argument': tree({ type: 'Conv2d', in_channels: 1, out_channels: 2 }),
    'a misspelled argument': tree({ ...conv, kernal_size: 3 }),
    'an argument of the wrong type': tree({ ...conv, kernel_size: '3' }),
    'a tuple of the wrong length': tree({ ...conv, kernel_size: [3, 3, 3] }),
    'a padding string a transposed convolution does not take': tree({ ...conv, type: 'ConvTranspose2d', padding: 'same' }),
    'a nested Linear without in_features': tree({ type: 'Sequential', layers: [{ type: 'Linear', out_features: 2 }] }),
    'a nested layer without a type': tree({ type: 'Sequential', layers: [{ out_features: 2 }] }),
    'a non-module object as an argument': tree({ type: 'Identity', x: { a: 1 } }),
    'a module name that is not an attribute name': tree({ type: 'ModuleDict', modules: { 'a.b': { type: 'ReLU' } } }),
    'a scale that is not a number': tree({ ...conv, init: { weight: ['zeros_', { scale: 'x' }] } }),
    'a row without a fill': tree({ type: 'Embedding', num_embeddings: 4, embedding_dim: 2, init: { weight: [{ row: 1 }] } }),
    'an unknown initializer': tree({ ...conv, init: { weight: 'he_normal_' } }),
    'a parameter without a shape': { class: 'M', layers: [conv], parameters: { w: { init: 'zeros_' } } },
    'persistent on a parameter': tree({ type: 'Module', parameters: { w: { shape: [2], persistent: false } } }),
    'layers on a ModuleDict': tree({ type: 'ModuleDict', layers: [] }),
    'modules on a torch module': tree({ ...conv, modules: {} }),
    'a buffer whose persistent is not a boolean': tree({ type: 'Module', buffers: { m: { shape: [2], persistent: 'no' } } }),
    'a model without layers or module': { name: 'nothing' },
    'a module that is not an object': { module: 3 },
    'a tie to a name that is not a string': { class: 'M', layers: [conv], tie: { '0.bias': 1 } },
  };
  it.each(Object.entries(invalid))('%s', (_, doc) => {
    expect(schemaErrors(doc)).not.toEqual([]);
    expect(decoderErrors(doc, ['error', 'warning'])).not.toEqual([]);
  });
});
