/**
 * Property-based fuzzing of the Python front end: on mutations of the corpus
 * (deleted, duplicated or inserted tokens) resolving never throws, every
 * diagnostic lies inside the text, a model with an error has no spec, and a
 * spec always converts to a model file that decodes to it again.
 */
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseModelFile, type ModelSpec } from '../../../engine/model';
import { resolvePython, toModelFileJson } from '../../../pymodel';
import { articleBlocks, loadParser, readPythonFixture, withoutFillOrder } from './helpers';

const sources = [
  ...readdirSync(fileURLToPath(new URL('../../fixtures/python/corpus/', import.meta.url))).filter((f) => f.endsWith('.py')).map((f) => readPythonFixture(`corpus/${f}`)),
  articleBlocks()[2]!,
];

const mutation = fc.record({
  at: fc.nat(),
  length: fc.nat({ max: 12 }),
  kind: fc.constantFrom('delete', 'duplicate', 'insert'),
  token: fc.constantFrom('(', ')', ',', ':', '=', '\n', '    ', 'x', 'self.', 'nn.Linear(3, 4)', 'F.relu(', '0', '-1', '1e400', '"', "'", '#', '# weightscope: seed = 2\n', 'None', '[', ']', ' for _ in range(3)', '**', '/ 0'),
});

function mutate(text: string, m: { at: number; length: number; kind: string; token: string }): string {
  const at = m.at % (text.length + 1);
  if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + m.length);
  if (m.kind === 'duplicate') return text.slice(0, at + m.length) + text.slice(at, at + m.length) + text.slice(at + m.length);
  return text.slice(0, at) + m.token + text.slice(at);
}

const withoutReason = (spec: ModelSpec | undefined): ModelSpec | undefined => spec && { ...spec, forwardUnavailable: undefined };

describe('Python front end under mutation', () => {
  it('never throws, keeps diagnostics inside the text, and every spec round-trips through a model file', async () => {
    const parser = await loadParser();
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        const text = mutations.reduce(mutate, sources[which]!);
        const tree = parser.parse(text);
        const file = resolvePython(tree, text, { maxParameters: 1e7 });
        tree.delete();
        for (const d of file.diagnostics) {
          expect(d.range.start).toBeGreaterThanOrEqual(0);
          expect(d.range.end).toBeGreaterThanOrEqual(d.range.start);
          expect(d.range.end).toBeLessThanOrEqual(text.length);
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.message).not.toMatch(/internal error/);
        }
        for (const m of file.models) {
          if (m.result.diagnostics.some((d) => d.severity === 'error')) expect(m.result.spec).toBeUndefined();
          // The reason Train is off is the Python reader's own words; the file gives its own.
          if (m.result.spec) expect(withoutFillOrder(withoutReason(parseModelFile('m.nn.json', toModelFileJson(m, 'fuzz.py')).spec))).toEqual(withoutFillOrder(withoutReason(m.result.spec)));
        }
      }),
      { numRuns: 300, seed: 20261127 },
    );
  });
});
