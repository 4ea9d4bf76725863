// Train and Stop in a real VS Code: the CodeLens "Train" runs the engine
// worker with a progress notification, and the final loss it reports equals
// the engine's own run of the same model (the CLI); Stop cancels a long run
// and keeps the steps taken; the article's model as written fails as torch does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clickCodeLens, goToLine, openFile, repoRoot, runCommand, scrollIntoView, waitForNotification, webviewFrame } from './harness.mjs';
import { compareLayerTable, readLayerTable } from './layerTable.mjs';

function engineRun(model, steps) {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'train', path.join(repoRoot, 'examples', model), '--json', '--steps', String(steps)], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** The engine's recorded run of the same model (the CLI, run format), as { steps, snapshots } by step. */
function engineRecord(model, steps, batch) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ws-e2e-run-'));
  try {
    const batchArgs = batch === undefined ? [] : ['--batch', String(batch)];
    execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'train', path.join(repoRoot, 'examples', model), '--steps', String(steps), ...batchArgs, '--run', dir], { encoding: 'utf8' });
    const revive = (_k, v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
    const records = readFileSync(path.join(dir, 'steps.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l, revive));
    return { steps: records.filter((r) => r.type === 'step'), snapshots: records.filter((r) => r.type === 'snapshot') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const tests = [
  {
    name: 'Train from the CodeLens: live charts, and the scrubbed step shows the engine trace',
    async fn(ctx) {
      // Train waits for its panel to load, so the panel sees the run from its start. The run is long enough to watch
      // it train (≈ 35 s on an idle 2-core machine); batches of 1,024 make a step ≈ 8× slower than batches of 32.
      const STEPS = 30000;
      const BATCH = 1024;
      const { page } = await ctx.workbench({ settings: { 'weightscope.train.steps': STEPS, 'weightscope.train.batchSize': BATCH } });
      await openFile(page, 'simple-model-fixed.nn.json');
      await clickCodeLens(page, 'Train');
      // Watched from the start: a fast run's notification may come and go while the live charts are checked.
      const trained = waitForNotification(page, 'trained SimpleModel-fixed', { timeout: 180000 });
      trained.catch(() => {});
      const frame = await webviewFrame(page, { title: 'Train: simple-model-fixed', timeout: 60000 });
      // Live: the panel's latest step grows while the run trains.
      const stepShown = async () => Number(await frame.locator('#scrubber-step').getAttribute('data-step', { timeout: 60000 }));
      await frame.locator('#scrubber-step').waitFor({ timeout: 60000 });
      const first = await stepShown();
      let second = first;
      for (const end = Date.now() + 30000; second === first && Date.now() < end;) {
        await page.waitForTimeout(250);
        second = await stepShown();
      }
      const charts = await frame.locator('svg.line-chart').count();
      if (charts < 7) throw new Error(`expected 7 charts, found ${charts}`);
      await ctx.screenshot('train-live-1-charts.png');
      ctx.log(`live: step ${first} → ${second}`);
      await trained;
      const final = await stepShown();
      if (!(second > first && first < STEPS)) throw new Error(`the charts did not update live (steps ${first}, ${second}, ${final})`);
      if (final !== STEPS) throw new Error(`the panel ends at step ${final}, not ${STEPS}`);

      // Scrub to a step and compare every number in the table with the engine's own record of that step
      // (a step the run keeps in full: every step up to 1,000, then every 10th; docs/run-format.md).
      const TARGET = 1230;
      await frame.locator('#scrubber').fill(String(TARGET));
      await frame.locator(`#layer-table[data-step="${TARGET}"]`).waitFor({ timeout: 10000 });
      const shown = await readLayerTable(frame);
      // The engine's steps do not depend on the run's length (only its last step is an extra snapshot), so 2,000 suffice.
      const engine = engineRecord('simple-model-fixed.nn.json', 2000, BATCH);
      engine.snapshots.pop();
      const expected = engine.steps.find((s) => s.step === TARGET);
      if (!expected) throw new Error(`the engine's run has no full record of step ${TARGET}`);
      // The run file stores 7 significant digits; the panel holds the engine's doubles.
      const compared = compareLayerTable(shown, expected, { relative: 1e-6, source: 'engine' });
      // The nearest snapshot's histogram of fc1.weight equals the engine's.
      const snapStep = Number(await frame.locator('#snapshot-title').getAttribute('data-step'));
      const snap = engine.snapshots.reduce((best, s) => (Math.abs(s.step - TARGET) < Math.abs(best.step - TARGET) ? s : best));
      if (snapStep !== snap.step) throw new Error(`nearest snapshot: panel ${snapStep}, engine ${snap.step}`);
      const counts = await frame.locator('.layer-dists[data-layer="fc1.weight"] figure[data-term="weight"] rect.bar').evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-count'))));
      if (JSON.stringify(counts) !== JSON.stringify(snap.layers['fc1.weight'].weight.counts)) throw new Error(`fc1.weight histogram at step ${snapStep}: panel ${counts}, engine ${snap.layers['fc1.weight'].weight.counts}`);
      await ctx.screenshot('train-live-2-scrubbed.png');
      await scrollIntoView(frame.locator('section.distributions'));
      await ctx.screenshot('train-live-3-distributions.png');
      await frame.locator('#heatmap-layer').selectOption('fc2.weight');
      await frame.locator('section.over-time svg.heatmap').first().waitFor({ timeout: 10000 });
      const heatmaps = await frame.locator('section.over-time svg.heatmap').count();
      if (heatmaps !== 4) throw new Error(`expected heatmaps of θ, m̂, √v̂ and Δθ over time, found ${heatmaps}`);
      await scrollIntoView(frame.locator('section.over-time'));
      await ctx.screenshot('train-live-4-over-time.png');
      await scrollIntoView(frame.locator('section.decay'));
      await ctx.screenshot('train-live-5-decay.png');
      ctx.log(`step ${TARGET}: ${compared} numbers equal the engine's trace; snapshot ${snapStep} histogram equal`);
    },
  },
  {
    name: 'Train a GPT from its .py file (forward read as a dataflow graph): a scrubbed step equals the engine\'s record',
    async fn(ctx) {
      // The tiny GPT's forward (attention with a causal-mask buffer, a tied head, the loss computed in forward) is
      // read from the code and run by the engine; a short run on its synthetic token sequences.
      const STEPS = 30;
      const BATCH = 4;
      const file = 'tiny_gpt/model.py';
      const { page } = await ctx.workbench({ settings: { 'weightscope.train.steps': STEPS, 'weightscope.train.batchSize': BATCH } });
      await openFile(page, file);
      // The lenses sit above `class GPT`, below the fold: go to that line.
      const line = readFileSync(path.join(repoRoot, 'examples', file), 'utf8').split('\n').findIndex((l) => l.startsWith('class GPT(')) + 1;
      await goToLine(page, line + 12, 1);
      const trained = waitForNotification(page, 'trained GPT', { timeout: 240000 });
      trained.catch(() => {});
      await clickCodeLens(page, 'Train');
      const frame = await webviewFrame(page, { title: 'Train: model.py', timeout: 60000 });
      await trained;
      await frame.locator(`#scrubber-step[data-step="${STEPS}"]`).waitFor({ timeout: 60000 });
      const TARGET = 20;
      await frame.locator('#scrubber').fill(String(TARGET));
      await frame.locator(`#layer-table[data-step="${TARGET}"]`).waitFor({ timeout: 10000 });
      const shown = await readLayerTable(frame);
      const engine = engineRecord(file, STEPS, BATCH);
      const expected = engine.steps.find((s) => s.step === TARGET);
      if (!expected) throw new Error(`the engine's run has no record of step ${TARGET}`);
      const tensors = Object.keys(expected.layers).length;
      if (tensors < 40 || Object.keys(shown.layers).length !== tensors) throw new Error(`layer table: ${Object.keys(shown.layers).length} tensors shown, the engine records ${tensors}`);
      const compared = compareLayerTable(shown, expected, { relative: 1e-6, source: 'engine' });
      await ctx.screenshot('train-gpt-1-scrubbed.png');
      // The layer × step heat map of ‖Δθ‖/‖θ‖: a row per tensor, a column per step (a 30-step run keeps every one);
      // a click on a cell scrubs to its step and selects its tensor.
      const map = frame.locator('#ratio-heatmap');
      await scrollIntoView(map);
      const geo = await map.evaluate((c) => ({ rows: Number(c.dataset.rows), columns: Number(c.dataset.columns), rowH: Number(c.dataset.rowHeight), colW: Number(c.dataset.columnWidth), left: Number(c.dataset.left), top: Number(c.dataset.top), steps: c.dataset.columnSteps.split(',').map(Number) }));
      if (geo.rows !== tensors || geo.columns !== STEPS) throw new Error(`heat map: ${geo.rows} rows × ${geo.columns} columns, expected ${tensors} × ${STEPS}`);
      const [ROW, COL] = [5, 7];
      const position = { x: geo.left + (COL + 0.5) * geo.colW, y: geo.top + (ROW + 0.5) * geo.rowH };
      await map.hover({ position });
      const cell = frame.locator('#ratio-heatmap-cell');
      const row = await cell.getAttribute('data-row');
      const cellText = await cell.textContent();
      if (row !== Object.keys(expected.layers)[ROW] || Number(await cell.getAttribute('data-step')) !== geo.steps[COL]) throw new Error(`hovered cell: ${cellText}`);
      await map.click({ position });
      await frame.locator(`#scrubber-step[data-step="${geo.steps[COL]}"]`).waitFor({ timeout: 5000 });
      await frame.locator(`#layer-table tr[data-layer="${row}"].selected:not([hidden])`).waitFor({ timeout: 5000 });
      await frame.locator(`#charted-tensor[data-layer="${row}"]`).waitFor({ timeout: 5000 });
      await map.hover({ position });
      await ctx.screenshot('train-gpt-2-heatmap.png');
      ctx.log(`GPT step ${TARGET}: ${tensors} tensors, ${compared} numbers equal the engine's record; loss ${expected.loss}; heat map ${geo.rows}×${geo.columns}, clicked ${cellText}`);
    },
  },
  {
    name: 'Compare optimizers: the effective decay per layer of AdamW, Adam + L2, SGD, decay groups and paper decay',
    async fn(ctx) {
      const { page } = await ctx.workbench({ settings: { 'weightscope.train.steps': 300 } });
      await openFile(page, 'simple-model-fixed.nn.json');
      await runCommand(page, 'Weightscope: Compare Optimizers');
      const frame = await webviewFrame(page, { title: 'Train: simple-model-fixed', timeout: 60000 });
      // Headers and cells in one read: the table is redrawn as the variants end (each then reads its run back).
      const readTable = () => frame.locator('#decay-table').evaluate((table) => ({
        headers: [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
        rows: Object.fromEntries([...table.querySelectorAll('tbody tr')].map((tr) => [tr.getAttribute('data-layer'), [...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-value'))])),
      })).catch(() => ({ headers: [], rows: {} }));
      const end = Date.now() + 120000;
      let table = { headers: [], rows: {} };
      while (Date.now() < end) {
        table = await readTable();
        const done = await frame.locator('#run-status[data-status="completed"]').count();
        const filled = Object.values(table.rows).every((cells) => cells.every((v) => v !== '' && v !== null));
        if (table.headers.length === 6 && done === 1 && filled) break;
        await page.waitForTimeout(500);
      }
      const want = ['tensor', 'AdamW', 'Adam + L2', 'SGD', 'AdamW, decay on all', 'AdamW, paper decay'];
      if (JSON.stringify(table.headers) !== JSON.stringify(want)) throw new Error(`decay table columns: ${table.headers}`);
      await scrollIntoView(frame.locator('#decay-table'));
      const rows = Object.fromEntries(Object.entries(table.rows).map(([layer, cells]) => [layer, cells.map(Number)]));
      const [adamw, l2, sgdRate, all, paper] = rows['fc1.weight'];
      const close = (a, b) => Math.abs(a - b) <= 1e-12 * Math.abs(b);
      if (!close(adamw, 0.001 * 0.01)) throw new Error(`AdamW decays fc1.weight by ${adamw}, not lr·λ = 1e-5`);
      if (!close(paper, 0.01)) throw new Error(`paper decay of fc1.weight is ${paper}, not λ = 0.01`);
      if (!close(sgdRate, 0.01 * 0.01)) throw new Error(`SGD (lr 0.01) decays fc1.weight by ${sgdRate}`);
      if (!(l2 > 0) || close(l2, adamw)) throw new Error(`Adam + L2 decays fc1.weight by ${l2}: expected λ·mean(lr/(√v̂+ε)), not lr·λ`);
      if (rows['fc1.bias'][0] !== 0 || !close(rows['fc1.bias'][3], 1e-5)) throw new Error(`fc1.bias: AdamW ${rows['fc1.bias'][0]} (no-decay group), decay on all ${rows['fc1.bias'][3]}`);
      const l2Rates = Object.values(rows).map((r) => r[1]).filter((v) => v > 0);
      if (new Set(l2Rates.map((v) => v.toPrecision(3))).size < 2) throw new Error('Adam + L2 decays every layer at the same rate');
      await ctx.screenshot('train-compare-decay.png');
      ctx.log(`fc1.weight effective decay: AdamW ${adamw}, Adam+L2 ${l2.toPrecision(3)}, SGD ${sgdRate}, paper ${paper}`);
    },
  },
  {
    name: 'Runs persist: the side panel lists a run, reopens it from disk, renames and deletes it',
    async fn(ctx) {
      const { page } = await ctx.workbench({ settings: { 'weightscope.train.steps': 300 } });
      await openFile(page, 'simple-model-fixed.nn.json');
      await clickCodeLens(page, 'Train');
      await waitForNotification(page, 'trained SimpleModel-fixed', { timeout: 90000 });
      // Close the panel: the run now lives only on disk.
      await page.locator('.tabs-container .tab', { hasText: 'Train: simple-model-fixed' }).first().click();
      await runCommand(page, 'View: Close Editor');

      // The side panel's Runs section.
      await page.locator('.activitybar .action-item .action-label[aria-label^="Weightscope"]').first().click();
      const sidebar = async () => {
        for (const end = Date.now() + 60000; Date.now() < end; await page.waitForTimeout(250)) {
          for (const f of page.frames()) if (await f.locator('section.runs li[data-run]').count().catch(() => 0)) return f;
        }
        throw new Error('the side panel lists no run');
      };
      let side = await sidebar();
      const names = await side.locator('section.runs .run-name').allInnerTexts();
      if (names.length !== 1 || names[0] !== 'SimpleModel-fixed') throw new Error(`runs listed: ${names}`);
      await ctx.screenshot('train-runs-2-sidebar.png');
      // Open it: the model's training panel reads the run back from the runs folder.
      await side.locator('section.runs .run-name').first().click();
      const frame = await webviewFrame(page, { title: 'Train: simple-model-fixed', timeout: 60000 });
      await frame.locator('#run-status[data-status="completed"]').waitFor({ timeout: 60000 });
      const max = Number(await frame.locator('#scrubber').getAttribute('max'));
      if (max !== 300) throw new Error(`the reopened run has ${max} steps`);
      await ctx.screenshot('train-runs-3-reopened.png');
      await side.locator('section.runs vscode-button', { hasText: 'Rename' }).first().click();
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await input.fill('baseline AdamW');
      await page.keyboard.press('Enter');
      for (const end = Date.now() + 30000; ; await page.waitForTimeout(250)) {
        side = await sidebar();
        if ((await side.locator('section.runs .run-name').allInnerTexts())[0] === 'baseline AdamW') break;
        if (Date.now() > end) throw new Error('the rename did not show in the side panel');
      }
      await side.locator('section.runs vscode-button', { hasText: 'Delete' }).first().click();
      await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Delete' }).first().click();
      for (const end = Date.now() + 30000; ; await page.waitForTimeout(250)) {
        const left = await Promise.all(page.frames().map((f) => f.locator('section.runs li[data-run]').count().catch(() => 0)));
        const empty = await Promise.all(page.frames().map((f) => f.locator('section.runs .hint').count().catch(() => 0)));
        if (left.every((n) => n === 0) && empty.some((n) => n > 0)) break;
        if (Date.now() > end) throw new Error('the deleted run is still listed');
      }
      await ctx.screenshot('train-runs-4-deleted.png');
    },
  },
  {
    name: 'The training panel comes back after a window reload, with its run',
    async fn(ctx) {
      const { page } = await ctx.workbench({ settings: { 'weightscope.train.steps': 300 } });
      await openFile(page, 'simple-model-fixed.nn.json');
      await clickCodeLens(page, 'Train');
      await waitForNotification(page, 'trained SimpleModel-fixed', { timeout: 90000 });
      const before = await webviewFrame(page, { title: 'Train: simple-model-fixed' });
      await before.locator('#run-status[data-status="completed"]').waitFor({ timeout: 30000 });
      await Promise.all([page.waitForEvent('load', { timeout: 60000 }), runCommand(page, 'Developer: Reload Window')]);
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60000 });
      const frame = await webviewFrame(page, { title: 'Train: simple-model-fixed', timeout: 90000 });
      await frame.locator('#run-status[data-status="completed"]').waitFor({ timeout: 60000 });
      const max = Number(await frame.locator('#scrubber').getAttribute('max'));
      if (max !== 300) throw new Error(`the restored panel shows ${max} steps`);
      await ctx.screenshot('train-reload-restored.png');
    },
  },
  {
    name: 'Train from the CodeLens reports the engine loss',
    async fn(ctx) {
      const { page } = await ctx.workbench({ settings: { 'weightscope.train.steps': 300 } });
      await openFile(page, 'simple-model-fixed.nn.json');
      await clickCodeLens(page, 'Train');
      const note = await waitForNotification(page, 'trained SimpleModel-fixed', { timeout: 90000 });
      const text = await note.innerText();
      await ctx.screenshot('train-1-done.png');
      const engine = engineRun('simple-model-fixed.nn.json', 300);
      const last = engine.losses.at(-1).toPrecision(4);
      if (!text.includes('300 steps') || !text.includes(`→ ${last}`)) throw new Error(`notification "${text}" does not show 300 steps and final loss ${last}`);
      ctx.log(`notification: ${text.split('\n')[0]}`);
    },
  },
  {
    name: 'Stop cancels a long training and keeps its steps',
    async fn(ctx) {
      const { page } = await ctx.workbench({ settings: { 'weightscope.train.steps': 10000000 } });
      await openFile(page, 'simple-model-fixed.nn.json');
      await clickCodeLens(page, 'Train');
      await page.locator('.statusbar-item', { hasText: 'SimpleModel-fixed' }).first().waitFor({ timeout: 60000 });
      await ctx.screenshot('train-2-running.png');
      await runCommand(page, 'Weightscope: Stop');
      const note = await waitForNotification(page, 'stopped at step', { timeout: 30000 });
      const text = await note.innerText();
      const step = Number(/stopped at step (\d+)/.exec(text)?.[1]);
      if (!(step > 0 && step < 10000000)) throw new Error(`unexpected stop message: ${text}`);
      // The run is kept, marked cancelled, with its steps.
      const frame = await webviewFrame(page, { title: 'Train: simple-model-fixed' });
      await frame.locator('#run-status[data-status="cancelled"]').waitFor({ timeout: 30000 });
      const kept = Number(await frame.locator('#scrubber').getAttribute('max'));
      if (!(kept >= step)) throw new Error(`the cancelled run shows ${kept} steps, the notification ${step}`);
      await ctx.screenshot('train-3-stopped.png');
      ctx.log(`stopped after ${step} steps`);
    },
  },
  {
    name: 'Training the article model as written fails as torch does, with a clear message',
    async fn(ctx) {
      const { page } = await ctx.workbench();
      await openFile(page, 'simple-model.nn.json');
      await clickCodeLens(page, 'Train');
      const note = await waitForNotification(page, 'failed at step 1', { timeout: 60000 });
      const text = await note.innerText();
      if (!text.includes('between 0 and 1')) throw new Error(`message does not name the cause: ${text}`);
      await ctx.screenshot('train-4-bce-error.png');
    },
  },
];
