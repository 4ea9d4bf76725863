// A PyTorch file as a model, end to end in a real VS Code: the article's
// SimpleModel in examples/simple_model.py (parsed, never run) gets the
// "Train | Inspect" CodeLens above its class and its lints in the Problems
// panel; clicking Inspect opens the inspector with the model's six tensors,
// whose fc1.weight histogram equals the CLI's for the same .py file; and
// "Convert to Model File" writes SimpleModel.nn.json. Runs on a temporary copy
// of examples/ so that the repository's files are never touched.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clickCodeLens, goToLine, openFile, problems, repoRoot, runCommand, webviewFrame } from './harness.mjs';

const MODEL = 'simple_model.py';

function copyExamples() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weightscope-examples-'));
  fs.cpSync(path.join(repoRoot, 'examples'), dir, { recursive: true });
  return dir;
}

/** The engine's inspection of the same .py file, through the packaged CLI bundle. */
function engineInspection() {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'init', path.join(repoRoot, 'examples', MODEL), '--json', '--bins', '40'], { encoding: 'utf8' });
  return JSON.parse(out);
}

export const tests = [
  {
    name: 'CodeLens Inspect above a PyTorch nn.Module class opens the inspector with its tensors',
    async fn(ctx) {
      const workspace = copyExamples();
      try {
        const { page } = await ctx.workbench({ workspace });
        await openFile(page, MODEL);
        // Both lenses sit above the class.
        await page.locator('.codelens-decoration a', { hasText: 'Train' }).first().waitFor({ timeout: 60000 });
        const rows = await problems(page, { minCount: 3 });
        for (const expected of ['BCELoss takes probabilities', 'no nonlinearity between them', 'also shrinks 3 bias']) {
          if (!rows.some((r) => r.includes(expected))) throw new Error(`Problems panel lacks "${expected}":\n${rows.join('\n')}`);
        }
        await ctx.screenshot('python-1-codelens.png');

        await clickCodeLens(page, 'Inspect');
        const frame = await webviewFrame(page, { title: 'Inspect: SimpleModel' });
        const section = frame.locator('section.param[data-name="fc1.weight"]');
        await section.locator('svg.histogram rect.bar').first().waitFor({ timeout: 60000 });
        const names = await frame.locator('section.param').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
        const want = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias'];
        if (JSON.stringify(names) !== JSON.stringify(want)) throw new Error(`parameters shown: ${names}`);
        const counts = await section.locator('svg.histogram rect.bar').evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-count'))));
        const expected = engineInspection().parameters.find((p) => p.name === 'fc1.weight').histogram.counts;
        if (JSON.stringify(counts) !== JSON.stringify(expected)) throw new Error(`fc1.weight histogram differs from the CLI's:\n webview ${counts}\n cli     ${expected}`);
        ctx.log(`inspector shows ${names.length} tensors; fc1.weight histogram (${counts.length} bins) matches the CLI on the .py file`);
        await ctx.screenshot('python-2-inspector.png');

        // Convert to Model File, from the Python editor.
        await openFile(page, MODEL);
        await runCommand(page, 'Weightscope: Convert to Model File');
        await page.locator('.tabs-container .tab.active', { hasText: 'SimpleModel.nn.json' }).waitFor({ timeout: 30000 });
        const written = JSON.parse(fs.readFileSync(path.join(workspace, 'SimpleModel.nn.json'), 'utf8'));
        if (written.layers?.length !== 4 || written.optimizer?.type !== 'AdamW') throw new Error(`converted file: ${JSON.stringify(written)}`);
        await ctx.screenshot('python-3-converted.png');
      } finally {
        fs.rmSync(workspace, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'A GPT written the usual way (config dataclass, ModuleDict, tied head, apply-init) is inspected tensor by tensor',
    async fn(ctx) {
      const file = 'tiny_gpt/model.py';
      const workspace = copyExamples();
      try {
        const { page } = await ctx.workbench({ workspace });
        await openFile(page, 'model.py');
        // The lens sits above `class GPT`, below the fold: go to that line.
        const line = fs.readFileSync(path.join(workspace, file), 'utf8').split('\n').findIndex((l) => l.startsWith('class GPT(')) + 1;
        await goToLine(page, line + 12, 1);
        await page.locator('.codelens-decoration a', { hasText: 'Inspect' }).first().waitFor({ timeout: 60000 });
        // Its forward is read as a dataflow graph the engine runs: Train sits next to Inspect.
        await page.locator('.codelens-decoration a', { hasText: 'Train' }).first().waitFor({ timeout: 30000 });
        await clickCodeLens(page, 'Inspect');
        const frame = await webviewFrame(page, { title: 'Inspect: GPT' });
        const table = frame.locator('table.tensors');
        await table.locator('tr[data-name="transformer.tok.weight"]').waitFor({ timeout: 60000 });
        const engine = JSON.parse(execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'init', path.join(repoRoot, 'examples', file), '--json'], { encoding: 'utf8' }));
        const rows = await table.locator('tbody tr[data-name]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
        if (JSON.stringify(rows) !== JSON.stringify(engine.parameters.map((p) => p.name))) throw new Error(`table rows ${rows.length}, engine ${engine.parameters.length}`);
        const count = await frame.locator('vscode-tree-item[data-module=""] > [slot="decoration"]').textContent();
        if (count !== '809,856') throw new Error(`module tree root counts ${count} parameters (torch: 809,856)`);
        const tied = await table.locator('tr[data-name="transformer.tok.weight"]').textContent();
        if (!tied.includes('head.weight')) throw new Error(`the tied embedding row does not name head.weight: ${tied}`);
        // GPT-2's scaled residual projection: std 0.02 / sqrt(2 · n_layer).
        const name = 'transformer.blocks.0.attn.proj.weight';
        await table.locator(`tr[data-name="${name}"]`).click();
        const detail = frame.locator(`section.param[data-name="${name}"]`);
        await detail.waitFor({ timeout: 30000 });
        const theoryStd = Number(await detail.locator('td[data-stat="theory.std"]').getAttribute('data-value'));
        if (Math.abs(theoryStd - 0.02 / Math.sqrt(8)) > 1e-12) throw new Error(`${name} theory std ${theoryStd}`);
        const sampleStd = Number(await detail.locator('td[data-stat="sample.std"]').getAttribute('data-value'));
        const cliStd = engine.parameters.find((p) => p.name === name).sample.std;
        if (Math.abs(sampleStd - cliStd) > 1e-12) throw new Error(`${name} sample std ${sampleStd}, CLI ${cliStd}`);
        ctx.log(`GPT: ${rows.length} tensors, 809,856 parameters, ${name} std ${sampleStd.toPrecision(4)} (theory ${theoryStd.toPrecision(4)})`);
        await ctx.screenshot('python-4-gpt-inspector.png');
        // Signal through depth of a transformer: the residual stream after each block and the attention entropy
        // per head at initialization, as `weightscope signal --json` computes them.
        const signal = JSON.parse(execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'signal', path.join(repoRoot, 'examples', file), '--json'], { encoding: 'utf8' }));
        await frame.locator('vscode-tab-header[data-tab="signal"]').click();
        const panel = frame.locator('vscode-tab-panel[data-tab="signal"][data-state="ready"]');
        await panel.waitFor({ timeout: 90000 });
        const values = (selector) => panel.locator(selector).evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
        const shown = { ratios: await values('table.residual-table td[data-stat="ratioToInput"]'), entropies: await values('table.attention-table td[data-stat="entropy"]') };
        const cliSays = { ratios: signal.residual.blocks.map((b) => b.ratioToInput), entropies: signal.attention.flatMap((a) => a.heads.map((x) => x.entropy)) };
        for (const key of ['ratios', 'entropies']) {
          const [a, b] = [shown[key], cliSays[key]];
          if (a.length === 0 || a.length !== b.length || a.some((v, i) => Math.abs(v - b[i]) > 1e-9 * Math.max(1, Math.abs(b[i])))) throw new Error(`Signal ${key}: panel ${a}, CLI ${b}`);
        }
        ctx.log(`GPT signal: residual stream ${shown.ratios.map((r) => r.toFixed(2)).join(', ')}× the input std; ${shown.entropies.length} heads' entropies equal the CLI's`);
        await panel.locator('#signal-residual').scrollIntoViewIfNeeded();
        await ctx.screenshot('python-5-gpt-signal.png');
      } finally {
        fs.rmSync(workspace, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'A model defined across the cells of a Jupyter notebook gets an Inspect CodeLens in its cell and is inspected',
    async fn(ctx) {
      const file = 'notebooks/mnist_cnn.ipynb';
      const workspace = copyExamples();
      try {
        const { page } = await ctx.workbench({ workspace });
        await openFile(page, 'mnist_cnn.ipynb');
        // The notebook editor: the lens sits in the cell that defines `class Net` (its config is in an earlier cell).
        const lens = page.locator('.notebook-editor .codelens-decoration a', { hasText: 'Inspect' }).first();
        await lens.waitFor({ state: 'visible', timeout: 60000 });
        const cellText = await page.locator('.notebook-editor .cell-editor-container', { has: page.locator('.codelens-decoration') }).first().textContent();
        // Monaco renders spaces as no-break spaces.
        if (!cellText.replace(/\u00a0/g, ' ').includes('class Net(nn.Module)')) throw new Error(`the lens is not in the cell of class Net: ${cellText.slice(0, 120)}`);
        await ctx.screenshot('notebook-1-codelens.png');
        await lens.click();
        const frame = await webviewFrame(page, { title: 'Inspect: Net' });
        const table = frame.locator('table.tensors');
        await table.locator('tr[data-name="fc1.weight"]').waitFor({ timeout: 60000 });
        const engine = JSON.parse(execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'init', path.join(repoRoot, 'examples', file), '--json'], { encoding: 'utf8' }));
        const rows = await table.locator('tbody tr[data-name]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
        const want = ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'];
        if (JSON.stringify(rows) !== JSON.stringify(want)) throw new Error(`table rows ${rows}`);
        const count = await frame.locator('vscode-tree-item[data-module=""] > [slot="decoration"]').textContent();
        if (count !== '1,199,882') throw new Error(`module tree root counts ${count} parameters (torch: 1,199,882)`);
        // conv2: fan_in = 32·3·3, kaiming_uniform_(a=√5) gives std 1/√(3·fan_in).
        const name = 'conv2.weight';
        await table.locator(`tr[data-name="${name}"]`).click();
        const detail = frame.locator(`section.param[data-name="${name}"]`);
        await detail.waitFor({ timeout: 30000 });
        const theoryStd = Number(await detail.locator('td[data-stat="theory.std"]').getAttribute('data-value'));
        if (Math.abs(theoryStd - 1 / Math.sqrt(3 * 288)) > 1e-12) throw new Error(`${name} theory std ${theoryStd}`);
        const sampleStd = Number(await detail.locator('td[data-stat="sample.std"]').getAttribute('data-value'));
        const cliStd = engine.parameters.find((p) => p.name === name).sample.std;
        if (Math.abs(sampleStd - cliStd) > 1e-12) throw new Error(`${name} sample std ${sampleStd}, CLI ${cliStd}`);
        ctx.log(`notebook: ${rows.length} tensors, 1,199,882 parameters, ${name} std ${sampleStd.toPrecision(4)} (theory ${theoryStd.toPrecision(4)})`);
        await ctx.screenshot('notebook-2-inspector.png');
        // Its forward (conv, pooling, dropout, log_softmax) is read and run: the cell has a Train lens too, and
        // no problems, least of all a model file's ("JSON syntax error" once appeared in cells).
        await page.locator('.notebook-editor .codelens-decoration a', { hasText: 'Train' }).first().waitFor({ state: 'visible', timeout: 30000 });
        const problemRows = await problems(page);
        if (problemRows.some((r) => /error|JSON/i.test(r))) throw new Error(`Problems panel:\n${problemRows.join('\n')}`);
      } finally {
        fs.rmSync(workspace, { recursive: true, force: true });
      }
    },
  },
];
