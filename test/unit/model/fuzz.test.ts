/**
 * Property-based fuzzing of the model-file parser, validator and lints: on
 * random text and on mutations of real model files, parsing never throws,
 * never hangs, and every diagnostic has a valid range inside the text.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseModelText, type SourceLanguage } from '../../../engine/model';

const examples: [string, SourceLanguage][] = [
  [readFileSync('examples/simple-model.nn.json', 'utf8'), 'json'],
  [readFileSync('examples/simple-model-fixed.nn.json', 'utf8'), 'json'],
  [readFileSync('examples/article-normal-init.nn.yaml', 'utf8'), 'yaml'],
];

function checkWellFormed(text: string, language: SourceLanguage): void {
  const started = performance.now();
  const { diagnostics, spec } = parseModelText(text, language, 'fuzz', { maxParameters: 1e7 });
  expect(performance.now() - started).toBeLessThan(2000);
  for (const d of diagnostics) {
    expect(d.range.start).toBeGreaterThanOrEqual(0);
    expect(d.range.end).toBeGreaterThanOrEqual(d.range.start);
    expect(d.range.end).toBeLessThanOrEqual(Math.max(text.length, 1));
    expect(d.message.length).toBeGreaterThan(0);
    for (const fix of d.fixes ?? []) for (const e of fix.edits) {
      expect(e.range.start).toBeGreaterThanOrEqual(0);
      expect(e.range.end).toBeLessThanOrEqual(text.length);
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) expect(spec).toBeUndefined();
}

/** A mutation: delete, duplicate or replace a slice, or insert a token that models files contain. */
const mutation = fc.record({
  at: fc.nat(),
  length: fc.nat({ max: 12 }),
  kind: fc.constantFrom('delete', 'duplicate', 'insert'),
  token: fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '-1', '0', '1e400', 'null', 'true', '"Linear"', '"ReLU"', '"fn"', '\n  - ', ': ', '#', '"layers"', '"in_features"', 'NaN'),
});

function mutate(text: string, m: { at: number; length: number; kind: string; token: string }): string {
  const at = m.at % (text.length + 1);
  if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + m.length);
  if (m.kind === 'duplicate') return text.slice(0, at) + text.slice(at, at + m.length) + text.slice(at);
  return text.slice(0, at) + m.token + text.slice(at);
}

describe('model parser fuzzing', () => {
  it('random text never breaks the parser (JSON and YAML)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), fc.constantFrom<SourceLanguage>('json', 'yaml'), (text, language) => {
      checkWellFormed(text, language);
    }), { numRuns: 400 });
  });

  it('random JSON values never break the validator', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
      checkWellFormed(JSON.stringify(value), 'json');
    }), { numRuns: 400 });
  });

  it('mutated example files never break parser, validator or lints', () => {
    fc.assert(fc.property(fc.constantFrom(...examples), fc.array(mutation, { minLength: 1, maxLength: 4 }), ([text, language], mutations) => {
      checkWellFormed(mutations.reduce(mutate, text), language);
    }), { numRuns: 600 });
  });

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
    }), { numRuns: 200 });
  });
});
