// The walking skeleton, end to end in a real VS Code: the CodeLens "Inspect"
// above the article's SimpleModel opens the inspector, whose histogram of
// fc1.weight (drawn from the engine worker's numbers) must equal what the
// engine computes for the same model and seed outside VS Code (the CLI).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { clickCodeLens, openFile, repoRoot, runCommand, webviewFrame } from './harness.mjs';

const MODEL = 'simple-model.nn.json';
const BINS = 40; // weightscope.inspector.histogramBins default: the most bins a tensor gets

/** The engine's own inspection of the example, through the packaged CLI bundle. */
function engineInspection() {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'init', path.join(repoRoot, 'examples', MODEL), '--json', '--bins', String(BINS)], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** Bars of one parameter's histogram, read from the webview DOM. */
async function readHistogram(frame, name) {
  const section = frame.locator(`section.param[data-name="${name}"]`);
  await section.locator('svg.histogram rect.bar').first().waitFor({ timeout: 60000 });
  return section.locator('svg.histogram rect.bar').evaluateAll((bars) => bars.map((b) => ({
    lo: Number(b.getAttribute('data-lo')), hi: Number(b.getAttribute('data-hi')), count: Number(b.getAttribute('data-count')),
  })));
}

async function readStat(frame, name, stat) {
  const v = await frame.locator(`section.param[data-name="${name}"] td[data-stat="${stat}"]`).getAttribute('data-value');
  return Number(v);
}

function assertClose(actual, expected, tol, what) {
  if (!(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)))) throw new Error(`${what}: webview shows ${actual}, engine computed ${expected}`);
}

async function checkInspector(ctx, frame) {
  const engine = engineInspection();
  const expected = engine.parameters.find((p) => p.name === 'fc1.weight');
  if (!expected) throw new Error('engine inspection has no fc1.weight');
  // nn.Linear(10, 100): U(−1/√10, 1/√10), 1000 values.
  assertClose(expected.theory.support[1], 1 / Math.sqrt(10), 1e-12, 'fc1.weight bound');

  const bars = await readHistogram(frame, 'fc1.weight');
  // 1,000 values: ⌈√1000⌉ = 32 bins (square-root rule, at most BINS).
  if (bars.length !== 32 || expected.histogram.counts.length !== 32) throw new Error(`expected 32 bars, got ${bars.length} (engine ${expected.histogram.counts.length})`);
  const counts = bars.map((b) => b.count);
  if (JSON.stringify(counts) !== JSON.stringify(expected.histogram.counts)) {
    throw new Error(`histogram counts differ:\n webview ${counts}\n engine  ${expected.histogram.counts}`);
  }
  bars.forEach((b, i) => assertClose(b.lo, expected.histogram.edges[i], 1e-12, `edge ${i}`));
  if (counts.reduce((a, b) => a + b, 0) !== 1000) throw new Error('fc1.weight histogram does not hold 1000 values');
  for (const stat of ['mean', 'std', 'min', 'max']) {
    assertClose(await readStat(frame, 'fc1.weight', `sample.${stat}`), expected.sample[stat], 1e-12, `sample ${stat}`);
  }
  assertClose(await readStat(frame, 'fc1.weight', 'theory.std'), 1 / Math.sqrt(30), 1e-12, 'theory std (bound/√3)');
  const names = await frame.locator('section.param').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
  const want = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias'];
  if (JSON.stringify(names) !== JSON.stringify(want)) throw new Error(`parameters shown: ${names}`);
  ctx.log(`fc1.weight: ${counts.length} bins match the engine; sample std ${expected.sample.std.toFixed(5)} vs theory ${(1 / Math.sqrt(30)).toFixed(5)}`);
}

export const tests = [
  {
    name: 'CodeLens Inspect on the article SimpleModel shows the engine histogram',
    async fn(ctx) {
      const { page } = await ctx.workbench();
      await openFile(page, MODEL);
      await ctx.screenshot('inspect-1-codelens.png');
      await clickCodeLens(page, 'Inspect');
      const frame = await webviewFrame(page, { title: 'Inspect: simple-model' });
      await checkInspector(ctx, frame);
      await ctx.screenshot('inspect-2-inspector-light.png');
    },
  },
  {
    name: 'Command palette Inspect Initialization in a dark theme',
    async fn(ctx) {
      const { page } = await ctx.workbench({ theme: 'Default Dark Modern' });
      await openFile(page, MODEL);
      await runCommand(page, 'Weightscope: Inspect Initialization');
      const frame = await webviewFrame(page, { title: 'Inspect: simple-model' });
      await checkInspector(ctx, frame);
      await ctx.screenshot('inspect-3-inspector-dark.png');
    },
  },
];
