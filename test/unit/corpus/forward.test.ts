/**
 * `forward` of the corpus's real models (torchvision, torchaudio, torchtext,
 * torch, read where Debian installs them) and of the examples, read as
 * dataflow graphs: every model either gets a graph or a diagnostic on the
 * construct that stops it (never an internal error), and the list of what
 * is not read or run yet, ranked by how many models it blocks, is printed
 * (the issue's closing note takes it from here).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkForwardGraph } from '../../../engine/graph/check';
import { PythonParser, resolveWithParser } from '../../../pymodel';
import { readFixtureJson } from '../../golden/helpers/fixtures';
import { WASM } from '../pymodel/helpers';
import { distPackages, readCorpusFile } from './packages';

interface Entry { id: string; file: string; class?: string; factory?: string; call: string }

interface Outcome {
  id: string;
  /** The graph read and every op available: it trains. */
  runs: boolean;
  /** The forward was read as a graph (perhaps with ops not available yet). */
  read: boolean;
  /** What stops it: the reader's construct, else the check's first problems. */
  blockers: string[];
  message: string;
}

const expected = readFixtureJson<{ entries: Entry[] }>('corpus/expected.json');

function outcomeOf(id: string, text: string, name: string, parser: PythonParser, filePath: string, readFile: (p: string) => string | undefined): Outcome {
  const file = resolveWithParser(parser, text, { path: filePath, readFile, maxParameters: 1e10 });
  const model = file.models.find((m) => m.name === name) ?? file.models.find((m) => m.name === '__weightscope_model__');
  const spec = model?.result.spec;
  if (!spec) return { id, runs: false, read: false, blockers: ['the module tree is not read'], message: 'no spec' };
  if (spec.graph && spec.forwardUnavailable === undefined) return { id, runs: true, read: true, blockers: [], message: '' };
  const said = file.diagnostics.find((d) => d.code === 'py-no-forward');
  expect(said, `${id}: Train is off without a diagnostic`).toBeDefined();
  expect(said!.message).not.toMatch(/internal error/);
  if (!spec.graph) {
    // The reader stopped: its construct (re-read to get it, as the diagnostic's text is for people).
    return { id, runs: false, read: false, blockers: [constructOf(spec.forwardUnavailable ?? '')], message: spec.forwardUnavailable ?? '' };
  }
  const problems = checkForwardGraph(structuredClone(spec.graph), spec.modules!);
  return { id, runs: false, read: true, blockers: [...new Set(problems.map((p) => p.construct))], message: spec.forwardUnavailable ?? '' };
}

/** The construct a reader message names, in the reader's words (`a while loop`, `the op F.pad`, …). */
function constructOf(message: string): string {
  const m = /^forward: (?:the loop over|the condition) /.exec(message);
  if (m) return message.startsWith('forward: the condition') ? 'a branch on tensor values or uncomputed conditions' : 'a loop over a tensor or a computed range';
  if (/calls a (ModuleList|ModuleDict)|inside a Sequential, which is not callable/.test(message)) return 'calling a ModuleList/ModuleDict';
  if (/depends on tensor values|depends on the values of a tensor/.test(message)) return 'a branch on tensor values or uncomputed conditions';
  if (/defines no forward/.test(message)) return 'a module without forward';
  if (/with named inputs|second input|feeds a model one input/.test(message)) return 'a forward with several inputs';
  if (/a with block/.test(message)) return 'a with block';
  if (/a try block/.test(message)) return 'a try block';
  if (/raises on the path/.test(message)) return 'a raise on the training path';
  if (/cannot compute/.test(message)) return 'a value the reader cannot compute';
  if (/not in the engine's forward pass yet|only as a chain of layers/.test(message)) return 'a torch container or torch class as the model itself (no forward graph)';
  if (/cannot resolve|not something Weightscope can/.test(message)) return 'a call the reader cannot resolve';
  if (/builds a module while the model runs|makes an object while/.test(message)) return 'a module built in forward';
  if (/in place|writes into a tensor/.test(message)) return 'an in-place update or indexed assignment';
  if (/passes a module as a value|where Weightscope expects a tensor/.test(message)) return 'a module or object passed as a value';
  if (/tuple of tensors passed|passes a tuple of tensors/.test(message)) return 'a tuple of tensors passed to a module';
  return message.replace(/`[^`]*`/g, '…').slice(0, 80);
}

describe('forward of real models', () => {
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    const parser = await PythonParser.load(WASM);
    const root = distPackages();
    const readFile = (relative: string): string | undefined => {
      const full = path.normalize(path.join(root, relative));
      if (!full.startsWith(root + path.sep)) return undefined;
      try {
        return readCorpusFile(relative);
      } catch {
        return undefined;
      }
    };
    for (const e of expected.entries) {
      const text = `${readCorpusFile(e.file)}\n__weightscope_model__ = ${e.call}\n`;
      outcomes.push(outcomeOf(e.id, text, e.class ?? e.factory!, parser, e.file, readFile));
    }
    const examples = path.resolve('examples');
    outcomes.push(outcomeOf('example tiny_gpt', readFileSync(path.join(examples, 'tiny_gpt/model.py'), 'utf8'), 'GPT', parser, 'model.py', () => undefined));
  }, 300_000);

  it('every model gets a forward graph, or a diagnostic on what stops it; the ranking of what is not read or run yet', () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(60);
    const counts = new Map<string, string[]>();
    for (const o of outcomes) for (const b of o.blockers) counts.set(b, [...(counts.get(b) ?? []), o.id]);
    const ranking = [...counts].sort((a, b) => b[1].length - a[1].length);
    const read = outcomes.filter((o) => o.read).length;
    console.log(`forward: ${read} of ${outcomes.length} read as graphs, ${outcomes.filter((o) => o.runs).length} run today\n`
      + `${outcomes.filter((o) => !o.read).map((o) => `  not read: ${o.id}: ${o.message.slice(0, 160)}`).join('\n')}\n`
      + `what blocks them, by how many models it blocks:\n${ranking.map(([b, ids]) => `  ${String(ids.length).padStart(3)}  ${b}  (${ids.slice(0, 4).join(', ')}${ids.length > 4 ? ', …' : ''})`).join('\n')}`);
    // torchvision's classic CNNs read as graphs (what stops them is only engine ops the ops branches write).
    for (const id of ['tv_resnet18', 'tv_resnet50', 'tv_vgg16', 'tv_alexnet', 'tv_mobilenet_v2']) {
      const o = outcomes.find((x) => x.id === id)!;
      expect(o.read, `${id}: ${o.message}`).toBe(true);
    }
  });
});
