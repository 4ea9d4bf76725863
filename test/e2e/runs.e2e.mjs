// What a user does with a run once it has trained, in a real VS Code: a run
// that diverges stops at its first NaN/Inf with the cause shown in the panel
// and a notification, keeps its steps on disk and in the side panel, and
// leaves the extension working; a finished run exports as CSV, JSON, an HTML
// report and a PyTorch script whose contents are those of the run.
// Both tests work in a temporary copy of examples/ with their own runs folder,
// so that the exports and runs never touch the repository and can be read back.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clickCodeLens, openFile, repoRoot, runCommand, screenshot, scrollIntoView, waitForNotification, webviewFrame } from './harness.mjs';

const revive = (_k, v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

/**
 * AdamW multiplies every weight by (1 − lr·λ) before its Adam step; with lr = 1 and λ = 3 that factor is −2,
 * so the weights flip sign and double every step until the squared gradients leave float32's range.
 */
const DIVERGING = {
  version: 1,
  name: 'Diverging',
  description: 'AdamW with lr·weight_decay = 3: each step multiplies the weights by 1 - 3 = -2 until float32 overflows.',
  input: 10,
  layers: [
    { name: 'fc1', type: 'Linear', in_features: 10, out_features: 100 },
    { type: 'ReLU' },
    { name: 'fc2', type: 'Linear', out_features: 10 },
    { type: 'ReLU' },
    { name: 'fc3', type: 'Linear', out_features: 1 },
  ],
  loss: 'MSELoss',
  optimizer: { type: 'AdamW', lr: 1, weight_decay: 3 },
  training: { steps: 300 },
  seed: 0,
};

/** A temporary workspace (a copy of examples/ plus `extra` files) and a runs folder outside it. */
function scratch(extra = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-e2e-runs-'));
  const workspace = path.join(root, 'workspace');
  fs.cpSync(path.join(repoRoot, 'examples'), workspace, { recursive: true });
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(workspace, name), text);
  const runs = path.join(root, 'runs');
  fs.mkdirSync(runs);
  return { root, workspace, runs };
}

/** The engine's own run of a model file (the CLI, in the run format): { meta, steps, snapshots }. */
function engineRun(modelFile, steps) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-e2e-cli-run-'));
  try {
    // The CLI exits with 1 when the run stops at a NaN/Inf; the run folder is written either way.
    const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'train', modelFile, '--steps', String(steps), '--run', dir], { encoding: 'utf8' });
    if (!fs.existsSync(path.join(dir, 'run.json'))) throw new Error(`the CLI recorded no run:\n${cli.stdout}\n${cli.stderr}`);
    return readRunFolder(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A run folder as written (run.json and the step segments in order). */
function readRunFolder(dir) {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
  const segments = fs.readdirSync(dir).filter((f) => /^steps(\.[1-9][0-9]*)?\.jsonl$/.test(f))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]) || a.length - b.length);
  const records = segments.flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l, revive)));
  return { meta, steps: records.filter((r) => r.type === 'step'), snapshots: records.filter((r) => r.type === 'snapshot') };
}

/** The one run in the runs folder, once its run.json says it has ended. */
async function finishedRun(runsDir, { timeout = 30000 } = {}) {
  for (const end = Date.now() + timeout; ; await new Promise((r) => setTimeout(r, 250))) {
    const ids = fs.readdirSync(runsDir);
    if (ids.length === 1) {
      const run = readRunFolder(path.join(runsDir, ids[0]));
      if (run.meta.status !== 'running') return run;
    }
    if (Date.now() > end) throw new Error(`no ended run in the runs folder (found ${ids.join(', ') || 'nothing'})`);
  }
}

/** The Weightscope side panel's frame once it lists a run. */
async function sidePanelWithRuns(page) {
  await page.locator('.activitybar .action-item .action-label[aria-label^="Weightscope"]').first().click();
  for (const end = Date.now() + 60000; Date.now() < end; await page.waitForTimeout(250)) {
    for (const f of page.frames()) if (await f.locator('section.runs li[data-run]').count().catch(() => 0)) return f;
  }
  throw new Error('the side panel lists no run');
}

/**
 * Clicks an export button and accepts VS Code's save dialog (the simple file dialog in a browser) at its
 * default, `<workspace>/<fileName>`; returns the written file's text once it is complete.
 */
async function exportThroughDialog(page, frame, button, file) {
  await frame.locator(button).click();
  return acceptSaveDialog(page, file);
}

/** Accepts VS Code's save dialog at its default, `file`, and returns the file's text once it is written. */
async function acceptSaveDialog(page, file) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30000 });
  await page.waitForFunction((name) => document.querySelector('.quick-input-widget .quick-input-box input')?.value.endsWith(name), path.basename(file), { timeout: 30000 });
  await page.keyboard.press('Enter');
  await waitForNotification(page, `exported ${path.basename(file)} (run`, { timeout: 30000 });
  return fs.readFileSync(file, 'utf8');
}

export const tests = [
  {
    name: 'A diverging run stops at its first Inf, names the term, tensor and step, and keeps its steps',
    async fn(ctx) {
      const { root, workspace, runs } = scratch({ 'diverging.nn.json': `${JSON.stringify(DIVERGING, null, 2)}\n` });
      try {
        const engine = engineRun(path.join(workspace, 'diverging.nn.json'), DIVERGING.training.steps);
        const failure = engine.meta.nonFinite;
        if (engine.meta.status !== 'non-finite' || !failure) throw new Error(`the CLI run of the model did not diverge: ${engine.meta.status}`);
        if (!(failure.step > 2 && failure.step < DIVERGING.training.steps)) throw new Error(`the model diverges at step ${failure.step}: pick one that trains a few steps first`);

        const { page } = await ctx.workbench({ workspace, theme: 'Default Dark Modern', settings: { 'weightscope.runs.folder': runs } });
        await openFile(page, 'diverging.nn.json');
        await clickCodeLens(page, 'Train');
        // The notification names the cause and says what is kept.
        const note = await waitForNotification(page, 'training of Diverging stopped', { timeout: 90000 });
        const noteText = (await note.innerText()).replace(/\s+/g, ' ');
        // Notifications are plain text: the message's `tensor` is quoted ‘tensor’ there.
        const quoted = failure.message.replace(/`([^`]+)`/g, '‘$1’');
        if (!noteText.includes(quoted) || !noteText.includes(`The first ${failure.step} steps are kept`)) {
          throw new Error(`the notification "${noteText}" does not say "${quoted}" and that ${failure.step} steps are kept`);
        }
        // The panel: the alert with the engine's words, the status, and every step up to the failure.
        const frame = await webviewFrame(page, { title: 'Train: diverging', timeout: 60000 });
        await frame.locator('#run-status[data-status="non-finite"]').waitFor({ timeout: 30000 });
        // The panel writes the message's `tensor` as code.
        const plain = failure.message.replace(/`/g, '');
        const alert = (await frame.locator('#non-finite[role="alert"]').innerText()).replace(/\s+/g, ' ').trim();
        if (alert !== `Stopped: ${plain}`) throw new Error(`the panel's alert says "${alert}", the engine "${failure.message}"`);
        const tensor = await frame.locator('#non-finite code').first().innerText();
        if (tensor !== failure.param) throw new Error(`the alert's code names ${tensor}, the failure ${failure.param}`);
        // At the failing step, the table marks the tensor's row.
        const flagged = await frame.locator(`#layer-table[data-step="${failure.step}"] tr.non-finite`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-layer')));
        if (JSON.stringify(flagged) !== JSON.stringify([failure.param])) throw new Error(`rows marked at step ${failure.step}: ${flagged}, expected ${failure.param}`);
        const status = await frame.locator('#run-status').innerText();
        if (status.includes(plain) || status.includes(failure.message)) throw new Error(`the status line repeats the alert: ${status}`);
        if (!/is (NaN|Inf|-Inf) in `[\w.]+` at step \d+: \S/.test(failure.message)) throw new Error(`the message does not name term, kind, tensor, step and cause: ${failure.message}`);
        const shownMax = Number(await frame.locator('#scrubber').getAttribute('max'));
        if (shownMax !== failure.step) throw new Error(`the panel shows ${shownMax} steps; the run failed at step ${failure.step}`);
        await ctx.screenshot('runs-1-non-finite-alert.png');
        await scrollIntoView(frame.locator('#layer-table'));
        await ctx.screenshot('runs-1b-non-finite-step.png');

        // On disk: the run is marked non-finite, with every step up to the failing one, as the CLI records it.
        const saved = await finishedRun(runs);
        if (saved.meta.status !== 'non-finite' || saved.meta.stepsDone !== failure.step) throw new Error(`saved run: ${saved.meta.status}, ${saved.meta.stepsDone} steps`);
        if (JSON.stringify(saved.meta.nonFinite) !== JSON.stringify(failure)) throw new Error(`saved failure ${JSON.stringify(saved.meta.nonFinite)}, engine ${JSON.stringify(failure)}`);
        const savedSteps = saved.steps.map((s) => s.step);
        if (JSON.stringify(savedSteps) !== JSON.stringify(engine.steps.map((s) => s.step))) throw new Error(`saved steps ${savedSteps.join(',')}`);
        if (saved.steps.at(-1).loss !== engine.steps.at(-1).loss) throw new Error(`last loss: saved ${saved.steps.at(-1).loss}, engine ${engine.steps.at(-1).loss}`);

        // Reopen it from the side panel after closing the panel: the steps and the alert come back from disk.
        await page.locator('.tabs-container .tab', { hasText: 'Train: diverging' }).first().click();
        await runCommand(page, 'View: Close Editor');
        const side = await sidePanelWithRuns(page);
        const listed = await side.locator('section.runs .run-name').allInnerTexts();
        if (JSON.stringify(listed) !== JSON.stringify(['Diverging'])) throw new Error(`runs listed: ${listed}`);
        await ctx.screenshot('runs-2-side-panel.png');
        // Export it from the side panel as JSON: the format's NaN/Inf strings, the failure and the steps kept.
        await side.locator('section.runs vscode-button', { hasText: 'Export' }).first().click();
        await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: /^JSON$/ }).first().click();
        const exported = JSON.parse(await acceptSaveDialog(page, path.join(workspace, 'Diverging.json')), revive);
        if (exported.meta.status !== 'non-finite' || JSON.stringify(exported.meta.nonFinite) !== JSON.stringify(failure) || exported.steps.length !== failure.step) {
          throw new Error(`the JSON export of the diverged run: ${exported.meta.status}, ${exported.steps.length} steps, ${JSON.stringify(exported.meta.nonFinite)}`);
        }
        await side.locator('section.runs .run-name').first().click();
        const reopened = await webviewFrame(page, { title: 'Train: diverging', timeout: 60000 });
        await reopened.locator('#run-status[data-status="non-finite"]').waitFor({ timeout: 60000 });
        const reopenedMax = Number(await reopened.locator('#scrubber').getAttribute('max'));
        const reopenedAlert = (await reopened.locator('#non-finite').innerText()).replace(/\s+/g, ' ').trim();
        if (reopenedMax !== failure.step || reopenedAlert !== `Stopped: ${plain}`) throw new Error(`reopened: ${reopenedMax} steps, alert "${reopenedAlert}"`);
        await ctx.screenshot('runs-3-reopened.png');
        // Its HTML report says why it stopped and shows the steps it kept.
        const report = await exportThroughDialog(page, reopened, '#export-html', path.join(workspace, 'Diverging.html'));
        const escaped = failure.message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
        if (!report.includes(`Status: non-finite (${escaped})`) || !report.includes(`${failure.step} of ${DIVERGING.training.steps} steps`)) throw new Error('the diverged run\'s HTML report does not say why and where it stopped');

        // The extension (and its engine worker) still works: inspect the same model.
        await page.locator('.tabs-container .tab', { hasText: 'diverging.nn.json' }).first().click();
        await runCommand(page, 'Weightscope: Inspect Initialization');
        const inspector = await webviewFrame(page, { title: 'Inspect: diverging', timeout: 60000 });
        await inspector.locator('vscode-tab-panel[data-tab="weights"][data-state="ready"]').waitFor({ timeout: 60000 });
        ctx.log(`stopped: ${failure.message}; ${savedSteps.length} steps kept and reopened; inspector works afterwards`);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'Export a finished run from the training panel as CSV, JSON, HTML report and PyTorch script',
    async fn(ctx) {
      const STEPS = 300;
      const { root, workspace, runs } = scratch();
      try {
        const wb = await ctx.workbench({ workspace, settings: { 'weightscope.runs.folder': runs, 'weightscope.train.steps': STEPS } });
        const { page } = wb;
        await openFile(page, 'simple-model-fixed.nn.json');
        await clickCodeLens(page, 'Train');
        await waitForNotification(page, 'trained SimpleModel-fixed', { timeout: 90000 });
        const frame = await webviewFrame(page, { title: 'Train: simple-model-fixed', timeout: 60000 });
        await frame.locator('#run-status[data-status="completed"]').waitFor({ timeout: 30000 });
        const run = await finishedRun(runs);
        const tensors = run.meta.model.parameters.map((p) => p.name);
        if (run.steps.length !== STEPS) throw new Error(`the saved run has ${run.steps.length} steps`);

        // CSV: one row per step and tensor, each number the run file's.
        const csv = (await exportThroughDialog(page, frame, '#export-csv', path.join(workspace, 'SimpleModel-fixed.csv'))).trimEnd().split('\n');
        const header = csv[0].split(',');
        for (const col of ['step', 'loss', 'tensor', 'grad_norm', 'update_to_weight', 'effective_decay']) if (!header.includes(col)) throw new Error(`CSV header lacks ${col}: ${csv[0]}`);
        if (csv.length !== 1 + STEPS * tensors.length) throw new Error(`CSV has ${csv.length - 1} rows, expected ${STEPS} steps × ${tensors.length} tensors`);
        const cellsOf = (line) => Object.fromEntries(line.split(',').map((v, i) => [header[i], v]));
        for (const [i, s] of run.steps.entries()) {
          for (const [j, name] of tensors.entries()) {
            const row = cellsOf(csv[1 + i * tensors.length + j]);
            if (Number(row.step) !== s.step || row.tensor !== name) throw new Error(`CSV row ${1 + i * tensors.length + j} is ${row.step}/${row.tensor}, expected ${s.step}/${name}`);
            if (Number(row.loss) !== s.loss || Number(row.grad_norm) !== s.layers[name].gradNorm || Number(row.update_to_weight) !== s.layers[name].updateToWeight) {
              throw new Error(`CSV step ${s.step} ${name}: loss ${row.loss}, grad_norm ${row.grad_norm}, update_to_weight ${row.update_to_weight}; run file ${s.loss}, ${s.layers[name].gradNorm}, ${s.layers[name].updateToWeight}`);
            }
          }
        }

        // JSON: the run format's metadata and every record.
        const json = JSON.parse(await exportThroughDialog(page, frame, '#export-json', path.join(workspace, 'SimpleModel-fixed.json')), revive);
        if (json.meta.format !== 'weightscope-run' || json.meta.version !== 2 || json.meta.id !== run.meta.id) throw new Error(`JSON meta: ${json.meta.format} v${json.meta.version} ${json.meta.id}`);
        // The export's records are the run file's step records without their "type" tag.
        const untagged = run.steps.map(({ type: _type, ...record }) => record);
        if (JSON.stringify(json.steps) !== JSON.stringify(untagged)) throw new Error('the JSON export\'s steps differ from the run file');
        if (json.snapshots.length !== run.snapshots.length) throw new Error(`JSON has ${json.snapshots.length} snapshots, the run file ${run.snapshots.length}`);

        // HTML report: self-contained, the model, the loss chart and a row per tensor at the last step.
        const htmlFile = path.join(workspace, 'SimpleModel-fixed.html');
        const html = await exportThroughDialog(page, frame, '#export-html', htmlFile);
        if (!html.includes('<h1>SimpleModel-fixed</h1>') || !/<svg[^>]*aria-label="Training loss per step"/.test(html)) throw new Error('HTML report lacks the model name or the loss chart');
        if (/<script/i.test(html)) throw new Error('HTML report contains a script');
        if (!html.includes(`Per tensor at step ${STEPS}`)) throw new Error(`HTML report does not show step ${STEPS}`);
        for (const name of tensors) if (!html.includes(`<code>${name}</code>`)) throw new Error(`HTML report has no row for ${name}`);
        const report = await wb.browser.newPage({ viewport: { width: 1280, height: 900 } });
        await report.goto(pathToFileURL(htmlFile).href);
        const path2d = await report.locator('svg[aria-label="Training loss per step"] path').getAttribute('d');
        if ((path2d.match(/L/g) ?? []).length < STEPS - 1) throw new Error('the report\'s loss chart has too few points');
        await screenshot(report, 'runs-4-html-report.png');
        await report.close();

        // PyTorch script: opens in an editor; saved, it holds the run's optimizer and step count.
        await frame.locator('#export-torch').click();
        await page.locator('.tabs-container .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 30000 });
        await page.locator('.statusbar-item', { hasText: /^Python$/ }).first().waitFor({ timeout: 30000 });
        await ctx.screenshot('runs-5-torch-script.png');
        // Save it (an untitled editor: VS Code's save dialog, at the path typed once it has shown its default).
        const scriptFile = path.join(workspace, 'train_simple_model.py');
        await page.keyboard.press('Control+S');
        await page.waitForFunction(() => /\.py$/.test(document.querySelector('.quick-input-widget .quick-input-box input')?.value ?? ''), undefined, { timeout: 30000 });
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.fill(scriptFile);
        await page.waitForFunction((want) => document.querySelector('.quick-input-widget .quick-input-box input')?.value === want, scriptFile, { timeout: 10000 });
        await page.keyboard.press('Enter');
        for (const end = Date.now() + 30000; !fs.existsSync(scriptFile); await page.waitForTimeout(200)) {
          if (Date.now() > end) throw new Error('the PyTorch script was not saved');
        }
        // The file exists as soon as the save starts writing it: wait for the whole script.
        let script = '';
        for (const end = Date.now() + 15000; !/optimizer\.step\(\)/.test(script) && Date.now() < end; await page.waitForTimeout(200)) {
          script = fs.readFileSync(scriptFile, 'utf8');
        }
        const { lr, args } = run.meta.optimizer;
        if (!script.includes(`torch.optim.AdamW(`) || !new RegExp(`torch\\.optim\\.AdamW\\([^)]*lr=${lr}\\b`).test(script)) throw new Error(`the script does not build torch.optim.AdamW with lr=${lr}`);
        if (!script.includes(`"weight_decay": ${args.weight_decay}`)) throw new Error(`the script does not decay with weight_decay=${args.weight_decay}`);
        if (!script.includes(`steps, batch_size = ${STEPS}, ${run.meta.batchSize}`)) throw new Error('the script does not train the run\'s steps and batch size');
        // Saved as a .py file, Weightscope reads it as one model (Train | Inspect above it, none above the data code).
        const lenses = page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Train' });
        await lenses.first().waitFor({ timeout: 30000 });
        if ((await lenses.count()) !== 1) throw new Error(`the saved script shows ${await lenses.count()} Train CodeLenses, expected 1 (its model)`);
        // It runs under PyTorch (CI installs Debian's python3-torch before the E2E tests).
        const python = spawnSync('/usr/bin/python3', [scriptFile], { encoding: 'utf8', timeout: 60000 });
        if (python.error?.code === 'ENOENT' || /No module named 'torch'/.test(python.stderr ?? '')) ctx.log('python3 with torch not found: the script was not run');
        else if (python.status !== 0 || !python.stdout.includes(`step ${STEPS}: loss`)) throw new Error(`the script failed under PyTorch:\n${python.stdout}\n${python.stderr}`);
        else ctx.log(`script under PyTorch: ${python.stdout.trim().split('\n').at(-1)}`);
        ctx.log(`exported ${csv.length - 1} CSV rows, ${json.steps.length} JSON steps, a ${html.length}-byte report and a ${script.split('\n').length}-line script`);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'A long bounded run opened with Open Run…: the scrubber labels a step without its full record, and a dead writer\'s run shows as interrupted',
    async fn(ctx) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-e2e-bounded-'));
      try {
        const model = path.join(root, 'tiny.nn.json');
        fs.writeFileSync(model, JSON.stringify({ input: 1, layers: [{ name: 'fc', type: 'Linear', out_features: 1 }], loss: 'MSELoss', optimizer: { type: 'AdamW', lr: 0.001 }, seed: 1 }));
        const dir = path.join(root, 'long');
        const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'train', model, '--steps', '3000', '--batch', '1', '--run', dir], { encoding: 'utf8' });
        if (cli.status !== 0) throw new Error(`the CLI run failed:\n${cli.stdout}\n${cli.stderr}`);
        // As if its writer had died mid-run: still "running", written by a process of this host that is gone.
        const gone = spawnSync(process.execPath, ['-e', '0']).pid;
        const meta = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
        fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...meta, status: 'running', writer: { pid: gone, host: os.hostname() } }, null, 2));
        const lines = fs.readFileSync(path.join(dir, 'steps.jsonl'), 'utf8').split('\n').filter(Boolean);
        const target = 1505; // past the dense first 1,000 steps and not a multiple of 10: only its loss is kept
        const lossLine = lines.map((l) => JSON.parse(l, revive)).find((r) => Array.isArray(r) && r[0] === target);
        if (!lossLine) throw new Error(`the run file has no loss line for step ${target}`);

        const { page } = await ctx.workbench();
        await openFile(page, 'simple-model-fixed.nn.json');
        await page.locator('.codelens-decoration', { hasText: 'Train' }).first().waitFor({ timeout: 60000 });
        await runCommand(page, 'Weightscope: Open Run…');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ state: 'visible', timeout: 30000 });
        await input.fill(`${dir}/`);
        await page.waitForTimeout(500);
        await page.locator('.quick-input-widget .quick-input-action', { hasText: 'Open Run' }).or(page.locator('.quick-input-widget .monaco-button', { hasText: 'Open Run' })).first().click();
        const frame = await webviewFrame(page, { title: 'Run: tiny', timeout: 60000 });
        await frame.locator('#run-status[data-status="interrupted"]').waitFor({ timeout: 60000 });
        const status = await frame.locator('#run-status').innerText();
        if (!status.includes('interrupted · 3000/3000 steps') || !status.includes(`its writer (process ${gone}) is gone`)) throw new Error(`status line: ${status}`);
        const max = Number(await frame.locator('#scrubber').getAttribute('max'));
        if (max !== 3000) throw new Error(`the scrubber ends at ${max}, not 3000`);

        await frame.locator('#scrubber').fill(String(target));
        const note = frame.locator(`#step-not-kept[data-step="${target}"]`);
        await note.waitFor({ timeout: 30000 });
        const shown = Number(await note.getAttribute('data-shown'));
        if (shown !== 1500 && shown !== 1510) throw new Error(`step ${target} shows step ${shown}, not the nearest kept one`);
        const table = Number(await frame.locator('#layer-table').getAttribute('data-step'));
        if (table !== shown) throw new Error(`the table is of step ${table}, the label says ${shown}`);
        const text = await note.innerText();
        if (!text.includes(`Step ${target}'s full record was not kept`) || !text.includes(`Loss at step ${target}`)) throw new Error(`label: ${text}`);
        await scrollIntoView(note);
        await ctx.screenshot('runs-bounded-not-kept.png');
        // A kept step is exact.
        await frame.locator('#scrubber').fill('2000');
        await frame.locator('#layer-table[data-step="2000"]').waitFor({ timeout: 30000 });
        if (await frame.locator('#step-not-kept').count()) throw new Error('step 2000 has its full record but is labelled as not kept');
        ctx.log(`step ${target}: labelled, showing step ${shown}; loss line ${JSON.stringify(lossLine)}; status: ${status}`);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  },
];
