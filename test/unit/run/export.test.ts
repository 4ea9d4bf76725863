import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { readTorchRngFixture } from '../../golden/helpers/torchRng';
import { encodeRunMeta, parseRun, runMetaFor, runToCsv, runToHtml, runToJson, torchScript, TrainingRun, type RunData } from '../../../engine/run';

const MODEL = '{"input": 4, "layers": [{"name": "fc1", "type": "Linear", "out_features": 6, "init": {"weight": {"fn": "kaiming_normal_", "nonlinearity": "relu"}, "bias": "zeros_"}}, {"type": "ReLU"}, {"name": "out", "type": "Linear", "out_features": 1}], "loss": "BCEWithLogitsLoss", "optimizer": {"type": "AdamW", "lr": 0.003, "weight_decay": 0.02, "no_decay": ["*.bias"]}, "seed": 5}';
const chain = (text: string) => requireChain(parseModelText(text, 'json', 'm').spec!, 'test');
const spec = chain(MODEL);

function runData(steps: number): RunData {
  const run = new TrainingRun(spec, { steps });
  while (!run.done) run.advance();
  const meta = { ...runMetaFor(spec, { id: 'r', steps, createdAt: '2026-01-01T00:00:00.000Z', name: 'a <b> "run"' }), status: 'completed' as const, stepsDone: steps };
  return { meta, steps: run.recorder.steps, snapshots: run.recorder.snapshots, losses: [], warnings: [] };
}

describe('exports', () => {
  const data = runData(3);

  it('CSV: a header and one row per step and tensor, with the engine values', () => {
    const lines = runToCsv(data).trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 3 * 4);
    const header = lines[0]!.split(',');
    expect(header.slice(0, 9)).toEqual(['step', 'epoch', 'loss', 'val_loss', 'total_grad_norm', 'lr', 'bias_correction1', 'bias_correction2', 'tensor']);
    const row = lines[1]!.split(',');
    expect(row[0]).toBe('1');
    expect(row[8]).toBe('fc1.weight');
    expect(Number(row[2])).toBe(data.steps[0]!.loss);
    expect(row[3]).toBe(''); // no validation split
    expect(Number(row[header.indexOf('update_to_weight')])).toBe(data.steps[0]!.layers['fc1.weight']!.updateToWeight);
    expect(Number(lines[2]!.split(',')[header.indexOf('effective_decay')])).toBe(0); // fc1.bias: no decay
  });

  it('JSON: meta, steps and snapshots', () => {
    const back = JSON.parse(runToJson(data)) as RunData;
    expect(back.steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(back.snapshots).toHaveLength(3);
    expect(back.meta.optimizer.noDecay).toEqual(['*.bias']);
  });

  it('HTML: a self-contained report with escaped text and no script', () => {
    const html = runToHtml(data);
    expect(html).toContain('<h1>a &#60;b&#62; &#34;run&#34;</h1>');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<code>out.weight</code>');
    expect(html).toContain('Per tensor at step 3');
  });

  it('HTML: a run folder shared by someone else cannot put markup into the report, whatever field it hides it in', () => {
    // Every field the report shows holds markup, strings included where numbers belong: the reader does not check their types.
    const script = '<script>alert(1)</script>';
    const img = '<img src=x onerror=alert(1)>';
    const meta = {
      ...data.meta,
      name: script, reason: img, status: script, dataset: img, producer: script, createdAt: img,
      model: { ...data.meta.model, name: img },
      optimizer: { type: script, lr: img, args: { [img]: script }, noDecay: [img] },
      batchSize: script, seed: img, plannedSteps: script,
    };
    const layer = { ...data.steps[2]!.layers['fc1.weight']!, gradNorm: script, weightNorm: img };
    const steps = `${JSON.stringify({ type: 'step', ...data.steps[2]!, layers: { [img]: layer, [script]: layer } })}\n`;
    const run = parseRun(encodeRunMeta(meta as unknown as RunData['meta']), steps);
    const html = runToHtml(run);
    // Escaped, "onerror=" is inert text; only a raw "<" could start an element.
    expect(html.match(/.{0,40}(<script|<img).{0,40}/gi)).toBeNull();
    expect(html).toContain('<h1>&#60;script&#62;alert(1)&#60;/script&#62;</h1>');
    expect(html).toContain('<code>&#60;img src=x onerror=alert(1)&#62;</code>');
    // Markup the report writes itself is still there.
    expect(html).toMatch(/<table>[\s\S]*<\/table>/);
  });

  it('HTML: a run.json with lists and objects where text belongs still gives a report', () => {
    const meta = { ...data.meta, model: { ...data.meta.model, name: ['<b>'] }, optimizer: { ...data.meta.optimizer, type: { x: '<b>' }, noDecay: '<b>' }, reason: 3 };
    const html = runToHtml({ ...data, meta: meta as unknown as RunData['meta'] });
    expect(html).not.toContain('<b>');
    expect(html).toContain('&#60;b&#62;');
  });
});

describe('PyTorch script', () => {
  const script = torchScript(runData(2).meta, spec);

  it('builds the same layers with state_dict names, the initializers, loss and optimizer groups', () => {
    expect(script).toContain('("fc1", nn.Linear(4, 6)),');
    expect(script).toContain('("1", nn.ReLU()),');
    expect(script).toContain('("out", nn.Linear(6, 1)),');
    expect(script).toContain('nn.init.kaiming_normal_(model.fc1.weight, nonlinearity="relu")');
    expect(script).toContain('nn.init.zeros_(model.fc1.bias)');
    expect(script).toContain('criterion = nn.BCEWithLogitsLoss()');
    expect(script).toContain('no_decay = ["fc1.bias", "out.bias"]  # ["*.bias"]');
    expect(script).toContain('"weight_decay": 0.02}');
    expect(script).toContain('optimizer = torch.optim.AdamW(groups, lr=0.003)');
    expect(script).toContain('torch.manual_seed(5)');
    expect(script).toContain('steps, batch_size = 2, 32');
  });

  it('refers to unnamed layers by position (model[0], as model.0 is not Python)', () => {
    const unnamed = chain('{"input": 4, "layers": [{"type": "Linear", "out_features": 3, "init": {"weight": "xavier_uniform_", "bias": "zeros_"}}, {"type": "ReLU"}, {"type": "Linear", "out_features": 1, "init": {"weight": "lecun_normal_"}}]}');
    const s = torchScript(runMetaFor(unnamed, { id: 'u', steps: 1, createdAt: '2026-01-01T00:00:00.000Z' }), unnamed);
    expect(s).toContain('nn.init.xavier_uniform_(model[0].weight)');
    expect(s).toContain('nn.init.zeros_(model[0].bias)');
    expect(s).toContain('nn.init.normal_(model[2].weight, 0.0, model[2].weight.shape[1] ** -0.5)  # LeCun normal');
    expect(s).not.toMatch(/model\.\d/);
  });

  it('applies the model file\'s init patterns as the engine matches them (`*` and `?`)', () => {
    const patterned = chain('{"input": 4, "layers": [{"name": "fc1", "type": "Linear", "out_features": 3}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "init": {"fc?.weight": "xavier_uniform_", "*.bias": "zeros_"}}');
    const s = torchScript(runMetaFor(patterned, { id: 'p', steps: 1, createdAt: '2026-01-01T00:00:00.000Z' }), patterned);
    for (const name of ['fc1', 'fc2']) {
      expect(s).toContain(`nn.init.xavier_uniform_(model.${name}.weight)`);
      expect(s).toContain(`nn.init.zeros_(model.${name}.bias)`);
    }
  });

  it('carries the run\'s steps and batch size for Weightscope, and labels stand-in data without a second nn.Module', () => {
    expect(script).toContain('# weightscope: training = {"steps": 2, "batch_size": 32}\n# weightscope: seed = 5\nmodel = nn.Sequential(');
    expect(script.match(/nn\.Sequential\(/g)).toHaveLength(1);
    expect(script).toMatch(/^scores = torch\.tanh\(inputs @ torch\.randn\(4, 32\) \/ 4 \*\* 0\.5\) @ torch\.randn\(32, 1\) \/ 32 \*\* 0\.5$/m);
  });

  it('says which random draws differ from the run (not the initial weights)', () => {
    expect(script).toMatch(/initial\s+weights are the run's/);
    expect(script).toMatch(/other random draws .* differ/);
  });

  it('builds and fills the model as the engine draws it: the torch code of the golden fixture, line for line', () => {
    // test/golden/torchInit.test.ts checks the engine's weights for this model file against this code run by torch.
    const c = (readTorchRngFixture().model_files as { name: string; text: string; source: string }[]).find((m) => m.name === 'ChainOwnAndPatterns')!;
    const spec = chain(c.text);
    const s = torchScript(runMetaFor(spec, { id: 'g', steps: 1, createdAt: '2026-01-01T00:00:00.000Z' }), spec);
    const block = (text: string, first: string) => {
      const lines = text.split('\n');
      const start = lines.findIndex((l) => l.startsWith(first));
      const end = lines.findIndex((l, i) => i > start && l.trim() === '');
      return lines.slice(start, end);
    };
    expect(block(s, 'model = nn.Sequential(')).toEqual(block(c.source, 'model = nn.Sequential('));
    expect(block(s, 'with torch.no_grad():')).toEqual(block(c.source, 'with torch.no_grad():'));
    expect(s).toContain('torch.manual_seed(4)');
  });

  it('translates the paper decay to torch semantics (λ/lr)', () => {
    const paper = { ...spec, optimizer: { ...spec.optimizer!, noDecay: [], decay: 'paper' as const } };
    const s = torchScript(runData(1).meta, paper);
    expect(s).toContain('optimizer = torch.optim.AdamW(model.parameters(), lr=0.003, weight_decay=0.02 / 0.003)');
  });
});

describe('exports of a run that kept only the loss of some steps (format version 2)', () => {
  it('have a row per such step in the CSV, its losses in the JSON, and every step in the report (a million of them)', () => {
    const data = runData(3);
    const losses = Array.from({ length: 1_000_000 }, (_, i) => ({ step: i + 4, loss: 1 / (i + 4), valLoss: i === 0 ? 0.5 : null }));
    const run = { ...data, losses, meta: { ...data.meta, stepsDone: 1_000_003, plannedSteps: 1_000_003 } };
    const csv = runToCsv({ ...run, losses: losses.slice(0, 2) }).trimEnd().split('\n');
    expect(csv.at(-2)!.split(',').slice(0, 5)).toEqual(['4', '', '0.25', '0.5', '']);
    expect(csv.at(-1)!.split(',').slice(0, 4)).toEqual(['5', '', '0.2', '']);
    expect(JSON.parse(runToJson({ ...run, losses: losses.slice(0, 2) })).losses).toEqual(losses.slice(0, 2));
    const html = runToHtml(run);
    expect(html).toContain('1000003 of 1000003 steps');
    expect(html).toContain('step 1000003</text>');
  });
});
