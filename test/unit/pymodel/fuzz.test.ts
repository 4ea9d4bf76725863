/**
 * Property-based fuzzing of the Python front end: on mutations of the corpus
 * (deleted, duplicated or inserted tokens) and on token soup, resolving never
 * throws, no case takes over 5 s, every diagnostic lies inside the text, a
 * model with an error has no spec, and a spec always converts to a model file
 * that decodes to it again.
 *
 * 10,000 cases, split by cost (a whole corpus file takes ~8 ms to resolve, a
 * small model ~1 ms): 1,000 mutations of whole corpus files, 6,000 of small
 * models, 3,000 of token soup. Ten times as many with WEIGHTSCOPE_FUZZ=nightly
 * (see test/unit/support/fuzz.ts).
 */
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModelFile, type ModelSpec } from '../../../engine/model';
import { resolvePython, toModelFileJson, type PythonParser } from '../../../pymodel';
import { expectInside, fuzzOptions, mutate, textMutation, withinLimit } from '../support/fuzz';
import { articleBlocks, loadParser, readPythonFixture, withoutFillOrder } from './helpers';

const corpus = [
  ...readdirSync(fileURLToPath(new URL('../../fixtures/python/corpus/', import.meta.url))).filter((f) => f.endsWith('.py')).map((f) => readPythonFixture(`corpus/${f}`)),
  articleBlocks()[2]!,
];

/** Small models: each construct the reader follows, in a few lines. */
const SMALL = [
  'import torch.nn as nn\n# weightscope: data = {"csv": "d.csv", "target": "y", "task": "binary"}\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc1 = nn.Linear(3, 4)\n        self.fc2 = nn.Linear(4, 1)\n    def forward(self, x):\n        return self.fc2(self.fc1(x).relu())\n',
  'import torch.nn as nn\nnet = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))\nfor m in net.modules():\n    if isinstance(m, nn.Linear):\n        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")\n',
  'from torch import nn\nclass B(nn.Module):\n    def __init__(self, d=8, n=2):\n        super().__init__()\n        self.layers = nn.ModuleList([nn.Linear(d, d) for _ in range(n)])\n        self.norm = nn.LayerNorm(d)\n        self.emb = nn.Embedding(16, d)\n        self.head = nn.Linear(d, 16, bias=False)\n',
];

/**
 * Known, found by this fuzzer and not fixed yet: assigning to an attribute of a submodule converts to a model
 * file that reads back differently (a module over a parameter, which torch refuses with a TypeError; a parameter
 * under a new name, which torch registers). Kept out of SMALL until fixed; these tests start failing when it is.
 */
const KNOWN_ROUND_TRIP_GAPS = [
  SMALL[2] + '        self.head.weight = self.emb\n',
  SMALL[2] + '        self.head.eight = self.emb.weight\n',
];

const TOKENS = ['(', ')', ',', ':', '=', '\n', '    ', 'x', 'self.', 'nn.Linear(3, 4)', 'F.relu(', '0', '-1', '1e400', '10**9', '"', "'", '#', '# weightscope: seed = 2\n', '# weightscope: data = {"csv": "/etc/passwd"}\n', 'None', '[', ']', ' for _ in range(3)', '**', '/ 0', 'lambda: ', '*' + 'a*'.repeat(20)];

// A model file has no forward graph (it is read from Python's forward), nor the Python reader's reason Train is off.
const withoutReason = (spec: ModelSpec | undefined): ModelSpec | undefined => spec && { ...spec, forwardUnavailable: undefined, graph: undefined };

let parser: PythonParser;
beforeAll(async () => {
  parser = await loadParser();
});

function checkResolves(text: string): void {
  const file = withinLimit(() => {
    const tree = parser.parse(text);
    try {
      return resolvePython(tree, text, { maxParameters: 1e7 });
    } finally {
      tree.delete();
    }
  });
  expectInside(file.diagnostics, text.length);
  for (const d of file.diagnostics) expect(d.message).not.toMatch(/internal error/);
  for (const m of file.models) {
    if (m.result.diagnostics.some((d) => d.severity === 'error')) expect(m.result.spec).toBeUndefined();
    // The reason Train is off is the Python reader's own words; the file gives its own.
    if (m.result.spec) expect(withoutFillOrder(withoutReason(parseModelFile('m.nn.json', toModelFileJson(m, 'fuzz.py')).spec))).toEqual(withoutFillOrder(withoutReason(m.result.spec)));
  }
}

const mutations = fc.array(textMutation(TOKENS), { minLength: 1, maxLength: 4 });

describe('Python front end under mutation', () => {
  it('whole corpus files', () => {
    fc.assert(fc.property(fc.nat({ max: corpus.length - 1 }), mutations, (which, ms) => checkResolves(ms.reduce(mutate, corpus[which]!))), fuzzOptions(1_000));
  });

  it('small models', () => {
    fc.assert(fc.property(fc.constantFrom(...SMALL), mutations, (text, ms) => checkResolves(ms.reduce(mutate, text))), fuzzOptions(6_000));
  });

  it('a key two directives of one model give is read once, by the decoder and the converter alike (found by this fuzzer)', () => {
    const twice = SMALL[0]!.replace('class M', 'class# weightscope: data = {"csv": "other.csv"}\n M');
    const tree = parser.parse(twice);
    const model = resolvePython(tree, twice).models[0]!;
    tree.delete();
    expect(model.result.spec?.data).toEqual({ kind: 'csv', path: 'd.csv', target: ['y'], task: 'binary' });
    checkResolves(twice);
  });

  for (const text of KNOWN_ROUND_TRIP_GAPS) {
    it.fails(`known gap: ${text.trim().split('\n').pop()!.trim()} does not round-trip through a model file`, () => checkResolves(text));
  }

  it('token soup', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS, 'class ', 'def ', 'import ', 'nn.Module', 'super().__init__()', 'return '), { maxLength: 40 }), (tokens) => checkResolves(tokens.join(''))), fuzzOptions(3_000));
  });
});
