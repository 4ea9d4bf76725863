/**
 * Property-based fuzzing of the model-file parser, validator and lints: on
 * random text, random values and mutations of real model files, parsing never
 * throws, no case takes over 5 s, and every diagnostic has a valid range
 * inside the text. 10,000 cases for JSON and 10,000 for YAML (ten times as
 * many with WEIGHTSCOPE_FUZZ=nightly; see test/unit/support/fuzz.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { languageOfPath, parseModelText, type SourceLanguage } from '../../../engine/model';
import { expectInside, fuzzOptions, mutate, textMutation, withinLimit } from '../support/fuzz';

/** Every model file of the examples. */
function exampleModels(dir = 'examples'): [string, SourceLanguage][] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e): [string, SourceLanguage][] => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return exampleModels(file);
    return /\.nn\.(json|ya?ml)$/.test(e.name) ? [[readFileSync(file, 'utf8'), languageOfPath(file)]] : [];
  });
}
const examples = exampleModels();
const SMALL = readFileSync('examples/simple-model.nn.json', 'utf8');
const byLanguage = (language: SourceLanguage): string[] => examples.filter(([, l]) => l === language).map(([t]) => t);

function checkWellFormed(text: string, language: SourceLanguage): void {
  const { diagnostics, spec } = withinLimit(() => parseModelText(text, language, 'fuzz', { maxParameters: 1e7 }));
  expectInside(diagnostics, Math.max(text.length, 1));
  for (const d of diagnostics) {
    for (const fix of d.fixes ?? []) for (const e of fix.edits) {
      expect(e.range.start).toBeGreaterThanOrEqual(0);
      expect(e.range.end).toBeLessThanOrEqual(text.length);
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) expect(spec).toBeUndefined();
}

const TOKENS = ['{', '}', '[', ']', ',', ':', '"', '-1', '0', '1e400', '1e9', 'null', 'true', '"Linear"', '"ReLU"', '"fn"', '\n  - ', ': ', '#', '"layers"', '"in_features"', 'NaN', '*a*a*a*a*a', '&a ', '*a', '!!binary ', '"../../etc/passwd"'];

/** Model-shaped values: the keys and layer types a model file has, with arbitrary values. */
const modelish = fc.dictionary(
  fc.constantFrom('version', 'input', 'layers', 'init', 'data', 'training', 'loss', 'optimizer', 'seed', 'init_from', 'compare', 'tie', 'module', 'class'),
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.array(fc.record({ type: fc.constantFrom('Linear', 'ReLU', 'LeakyReLU', 'Dropout', 'LayerNorm', 'Conv2d', 'Sequential', 'Embedding'), out_features: fc.oneof(fc.nat(), fc.double()), name: fc.string({ maxLength: 4 }) }, { requiredKeys: ['type'] }), { maxLength: 5 }),
  ),
);

describe('model parser fuzzing', () => {
  for (const language of ['json', 'yaml'] as const) {
    it(`${language}: random text`, () => {
      fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => checkWellFormed(text, language)), fuzzOptions(3_000));
    });

    it(`${language}: random and model-shaped values`, () => {
      const write = (v: unknown): string => (language === 'json' ? JSON.stringify(v) : YAML.stringify(v));
      fc.assert(fc.property(fc.oneof(fc.jsonValue({ maxDepth: 5 }), modelish), (value) => checkWellFormed(write(value), language)), fuzzOptions(3_000));
    });

    // Split by cost: a valid mutant of a deep example runs the scale lint's signal theory (up to 60 ms a case),
    // so most mutations go to the small example (as JSON and as YAML) and a few hundred to every example.
    it(`${language}: mutated small example`, () => {
      const text = language === 'json' ? SMALL : YAML.stringify(JSON.parse(SMALL));
      fc.assert(fc.property(fc.array(textMutation(TOKENS), { minLength: 1, maxLength: 4 }), (mutations) => {
        checkWellFormed(mutations.reduce(mutate, text), language);
      }), fuzzOptions(3_700));
    });

    it(`${language}: mutated example files`, () => {
      const texts = byLanguage(language);
      expect(texts.length).toBeGreaterThan(0);
      fc.assert(fc.property(fc.constantFrom(...texts), fc.array(textMutation(TOKENS), { minLength: 1, maxLength: 4 }), (text, mutations) => {
        checkWellFormed(mutations.reduce(mutate, text), language);
      }), fuzzOptions(300));
    });
  }

  it('structurally valid random models decode and pass the validator when consistent', () => {
    const layer = fc.oneof(
      fc.record({ type: fc.constant('Linear'), out_features: fc.integer({ min: 1, max: 64 }), bias: fc.boolean() }),
      fc.record({ type: fc.constantFrom('ReLU', 'Tanh', 'GELU', 'Sigmoid', 'SiLU', 'ELU') }),
      fc.record({ type: fc.constant('Dropout'), p: fc.double({ min: 0, max: 1, noNaN: true }) }),
    );
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.array(layer, { minLength: 1, maxLength: 8 }), (input, layers) => {
      const model = { input, layers: [{ type: 'Linear', out_features: 4 }, ...layers] };
      const { spec, diagnostics } = parseModelText(JSON.stringify(model), 'json', 'm');
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(spec?.layers?.length).toBe(layers.length + 1);
    }), fuzzOptions(200));
  });
});
