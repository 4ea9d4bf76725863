// The walking skeleton, end to end in a real VS Code: the CodeLens "Inspect"
// above the article's SimpleModel opens the inspector, whose histogram of
// fc1.weight (drawn from the engine worker's numbers) must equal what the
// engine computes for the same model and seed outside VS Code (the CLI).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { clickCodeLens, openFile, repoRoot, runCommand, webviewFrame } from './harness.mjs';

const MODEL = 'simple-model.nn.json';
const BINS = 40; // weightscope.inspector.histogramBins default: the most bins a tensor gets

/** The engine's own inspection of the example, through the packaged CLI bundle. */
function engineInspection() {
  return engineInspectionOf(MODEL);
}

function engineInspectionOf(model) {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'init', path.join(repoRoot, 'examples', model), '--json', '--bins', String(BINS)], { encoding: 'utf8' });
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

/** The table of every tensor: its rows and numbers equal the engine's, the filter hides rows, a click marks the tensor's detail. */
async function checkTensorTable(ctx, frame) {
  const engine = engineInspection();
  const table = frame.locator('table.tensors');
  const visible = () => table.locator('tbody tr[data-name]').evaluateAll((rows) => rows.filter((r) => !r.hidden).map((r) => r.getAttribute('data-name')));
  const names = await visible();
  if (JSON.stringify(names) !== JSON.stringify(engine.parameters.map((p) => p.name))) throw new Error(`table rows: ${names}`);
  for (const p of engine.parameters) {
    const shown = Number(await table.locator(`tr[data-name="${p.name}"] td[data-stat="sample.std"]`).getAttribute('data-value'));
    assertClose(shown, p.sample.std, 1e-12, `table sample std of ${p.name}`);
  }
  const count = await frame.locator('vscode-tree-item[data-module=""] > [slot="decoration"]').textContent();
  if (count !== engine.parameterCount.toLocaleString('en-US')) throw new Error(`module tree counts ${count} parameters, engine ${engine.parameterCount}`);
  const filter = frame.locator('vscode-textfield.filter input');
  await filter.fill('bias');
  const biases = await visible();
  if (JSON.stringify(biases) !== JSON.stringify(['fc1.bias', 'fc2.bias', 'fc3.bias'])) throw new Error(`filter "bias" shows ${biases}`);
  await filter.fill('');
  await table.locator('tr[data-name="fc2.weight"]').click();
  const current = await frame.locator('section.param.current').getAttribute('data-name');
  if (current !== 'fc2.weight') throw new Error(`clicking fc2.weight's row marks ${current}`);
  ctx.log(`tensor table: ${names.length} rows match the engine; the filter and a row click work`);
}

/** `weightscope <command> <model> --json` through the packaged CLI bundle: the engine's numbers outside VS Code. */
function cli(command, model, ...flags) {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), command, path.join(repoRoot, 'examples', model), '--json', ...flags], { encoding: 'utf8' });
  return JSON.parse(out);
}

async function openTab(frame, id) {
  await frame.locator(`vscode-tab-header[data-tab="${id}"]`).click();
  const panel = frame.locator(`vscode-tab-panel[data-tab="${id}"][data-state="ready"]`);
  await panel.waitFor({ timeout: 90000 });
  return panel;
}

/** The Signal tab's table equals `weightscope signal --json`, layer by layer, and so does its verdict. */
async function checkSignal(ctx, frame, model) {
  const engine = cli('signal', model);
  const panel = await openTab(frame, 'signal');
  const stds = await panel.locator('table.signal-table td[data-stat="std"]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
  if (stds.length !== engine.layers.length) throw new Error(`signal table has ${stds.length} layers, engine ${engine.layers.length}`);
  stds.forEach((v, i) => assertClose(v, engine.layers[i].std, 1e-12, `activation std of ${engine.layers[i].name}`));
  const points = await panel.locator('svg.depth-chart circle.point').count();
  if (points < engine.layers.length) throw new Error(`activation chart has ${points} points for ${engine.layers.length} layers`);
  const verdict = (await panel.locator('p.verdict').textContent()).replace(/^Signal: /, '');
  if (verdict !== engine.verdict.text) throw new Error(`verdict differs:\n webview ${verdict}\n engine  ${engine.verdict.text}`);
  ctx.log(`signal: ${stds.length} layers match the engine; ${verdict}`);
  return engine;
}

/** The Compare tab's verdicts and per-Linear factors equal `weightscope compare --json` (3 seeds). */
async function checkCompare(ctx, frame, model) {
  const engine = cli('compare', model, '--seeds', '3');
  const panel = await openTab(frame, 'compare');
  const rows = await panel.locator('ul.verdicts li').evaluateAll((lis) => lis.map((li) => ({
    label: li.getAttribute('data-variant'), kind: li.getAttribute('data-verdict'), factor: Number(li.getAttribute('data-factor')),
  })));
  if (rows.length !== engine.variants.length) throw new Error(`compare shows ${rows.length} initializers, engine ${engine.variants.length}`);
  rows.forEach((r, i) => {
    const e = engine.variants[i];
    if (r.label !== e.label || r.kind !== e.verdict.kind) throw new Error(`variant ${i}: webview ${r.label}/${r.kind}, engine ${e.label}/${e.verdict.kind}`);
    assertClose(r.factor, e.verdict.factorPerLinear, 1e-12, `${r.label} factor per Linear`);
  });
  const lines = await panel.locator('svg.depth-chart g.series').count();
  if (lines < 2 * engine.variants.length) throw new Error(`expected a line per initializer in both depth charts, found ${lines}`);
  ctx.log(`compare: ${rows.map((r) => `${r.label}=${r.kind}`).join(', ')}`);
  return engine;
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
      await checkTensorTable(ctx, frame);
      await ctx.screenshot('inspect-2b-tensor-detail-light.png');
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
  {
    name: 'Signal and Compare tabs of the deep ReLU comparison equal the engine',
    async fn(ctx) {
      const { page } = await ctx.workbench();
      const model = 'init-comparison/deep-relu.nn.yaml';
      await openFile(page, model);
      await clickCodeLens(page, 'Inspect');
      const frame = await webviewFrame(page, { title: 'Inspect: deep-relu' });
      const signal = await checkSignal(ctx, frame, model);
      if (signal.verdict.kind !== 'stable') throw new Error(`Kaiming on deep ReLU should be stable, engine says ${signal.verdict.kind}`);
      await ctx.screenshot('inspect-4-signal-light.png');
      const compare = await checkCompare(ctx, frame, model);
      const article = compare.variants.find((v) => /normal\(0, 0\.01\)/.test(v.label));
      if (article?.verdict.kind !== 'vanishing') throw new Error(`the article's normal(0, 0.01) should vanish on deep ReLU, got ${article?.verdict.kind}`);
      await ctx.screenshot('inspect-5-compare-light.png');
    },
  },
  {
    name: 'Compare tab of the article SimpleModel in a high-contrast theme',
    async fn(ctx) {
      const { page } = await ctx.workbench({ theme: 'Default High Contrast' });
      await openFile(page, MODEL);
      await clickCodeLens(page, 'Inspect');
      const frame = await webviewFrame(page, { title: 'Inspect: simple-model' });
      await checkCompare(ctx, frame, MODEL);
      await ctx.screenshot('inspect-6-compare-high-contrast.png');
      await checkSignal(ctx, frame, MODEL);
      await ctx.screenshot('inspect-7-signal-high-contrast.png');
    },
  },
  {
    name: 'Side panel follows the active model and shows its signal verdict per layer',
    async fn(ctx) {
      const { page } = await ctx.workbench({ theme: 'Default Dark Modern' });
      const model = 'simple-model-fixed.nn.json';
      await openFile(page, model);
      await page.locator('.activitybar .action-item .action-label[aria-label^="Weightscope"]').first().click();
      const frame = await webviewFrame(page);
      const signal = frame.locator('div.signal[data-verdict]');
      await signal.waitFor({ timeout: 60000 });
      const engine = cli('signal', model);
      const verdict = (await signal.locator('p.verdict').textContent()).replace(/^At initialization: /, '');
      if (verdict !== engine.verdict.text) throw new Error(`side panel verdict differs:\n webview ${verdict}\n engine  ${engine.verdict.text}`);
      const stds = await signal.locator('td[data-value]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
      if (stds.length !== engine.layers.length) throw new Error(`side panel shows ${stds.length} layers, engine ${engine.layers.length}`);
      stds.forEach((v, i) => assertClose(v, engine.layers[i].std, 1e-12, `side panel std of ${engine.layers[i].name}`));
      const name = await frame.locator('.overview h2').textContent();
      ctx.log(`side panel: ${name}: ${verdict}`);
      await ctx.screenshot('inspect-8-side-panel-dark.png');
    },
  },
  {
    name: 'Export the inspection as a self-contained HTML report and the weights as CSV',
    async fn(ctx) {
      const wb = await ctx.workbench();
      const { page } = wb;
      const model = 'simple-model-fixed.nn.json';
      await openFile(page, model);
      await clickCodeLens(page, 'Inspect');
      const frame = await webviewFrame(page, { title: 'Inspect: simple-model-fixed' });
      await checkSignal(ctx, frame, model);
      // Accept the save dialog's default (next to the model file), and remove the files afterwards.
      const written = [];
      const save = async (button, fileName) => {
        const file = path.join(wb.workspace, fileName);
        fs.rmSync(file, { force: true });
        written.push(file);
        await frame.locator(button).click();
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ state: 'visible', timeout: 30000 });
        await page.waitForFunction((name) => document.querySelector('.quick-input-widget .quick-input-box input')?.value.endsWith(name), fileName, { timeout: 30000 });
        await page.keyboard.press('Enter');
        const end = Date.now() + 30000;
        while (!fs.existsSync(file)) {
          if (Date.now() > end) throw new Error(`${file} was not written`);
          await new Promise((r) => setTimeout(r, 200));
        }
        await new Promise((r) => setTimeout(r, 300));
        fs.copyFileSync(file, path.join(ctx.outDir, fileName)); // kept as a test artifact
        return fs.readFileSync(file, 'utf8');
      };
      try {
        const html = await save('#export-html', 'SimpleModel-fixed-report.html');
        for (const want of ['<svg', 'Signal through depth', 'Weights', 'fc1.weight']) if (!html.includes(want)) throw new Error(`HTML report lacks ${want}`);
        if (/<script/i.test(html)) throw new Error('HTML report contains a script');
        if (/var\(--vscode/.test(html.replace(/<style>[\s\S]*?<\/style>/, ''))) throw new Error('HTML report charts still use theme variables');
        await frame.locator('vscode-tab-header[data-tab="weights"]').click();
        const csv = await save('#export-csv', 'SimpleModel-fixed-weights.csv');
        const lines = csv.trim().split('\n');
        const engine = engineInspectionOf(model);
        if (lines.length !== engine.parameters.length + 1) throw new Error(`CSV has ${lines.length} lines for ${engine.parameters.length} tensors`);
        const header = lines[0].split(',');
        const row = lines[1].split(',');
        const std = Number(row[header.indexOf('sample_std')]);
        assertClose(std, engine.parameters[0].sample.std, 1e-12, 'CSV sample_std of fc1.weight');
        ctx.log(`exported report.html (${html.length} bytes) and weights.csv (${lines.length - 1} tensors)`);
      } finally {
        for (const file of written) fs.rmSync(file, { force: true });
      }
    },
  },
];

