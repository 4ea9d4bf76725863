// A run written by PyTorch (the weightscope_probe fixture, test/fixtures/probe/simple_mse) opened with
// "Weightscope: Open Run…" through VS Code's folder picker: the training panel shows the run file's own
// numbers, and follows the run live as more records are appended (as the probe does while training).
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openFile, repoRoot, runCommand, webviewFrame } from './harness.mjs';
import { compareLayerTable, readLayerTable } from './layerTable.mjs';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'probe', 'simple_mse');
const FIRST = 20; // steps present when the run is opened; the rest arrive while the panel is open

const revive = (_k, v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

/** The fixture's lines split at the end of step FIRST (its snapshot line, if any, stays with it). */
function splitRecords() {
  const lines = readFileSync(path.join(FIXTURE, 'steps.jsonl'), 'utf8').split('\n').filter(Boolean);
  const records = lines.map((l) => JSON.parse(l, revive));
  const cut = records.findIndex((r) => r.step > FIRST);
  return { head: lines.slice(0, cut), tail: lines.slice(cut), records };
}

export const tests = [
  {
    name: 'Open Run… shows a PyTorch-written run with the run file\'s numbers and follows it as it grows',
    async fn(ctx) {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), 'ws-e2e-probe-')), 'simple_mse');
      try {
        cpSync(FIXTURE, dir, { recursive: true });
        const { head, tail, records } = splitRecords();
        const meta = JSON.parse(readFileSync(path.join(FIXTURE, 'run.json'), 'utf8'));
        writeFileSync(path.join(dir, 'steps.jsonl'), `${head.join('\n')}\n`);
        writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...meta, status: 'running', stepsDone: FIRST }, null, 2));

        const { page } = await ctx.workbench();
        // As a user would, with a model open: that also waits until the extension is loaded, so that its
        // commands are in the palette (a palette opened before then does not list them).
        await openFile(page, 'simple-model-fixed.nn.json');
        await page.locator('.codelens-decoration', { hasText: 'Train' }).first().waitFor({ timeout: 60000 });
        await runCommand(page, 'Weightscope: Open Run…');
        // VS Code's own folder picker (the simple file dialog in a browser): type the folder, accept it.
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ state: 'visible', timeout: 30000 });
        await input.fill(`${dir}/`);
        await page.waitForTimeout(500);
        await ctx.screenshot('probe-run-1-picker.png');
        await page.locator('.quick-input-widget .quick-input-action', { hasText: 'Open Run' }).or(page.locator('.quick-input-widget .monaco-button', { hasText: 'Open Run' })).first().click();

        const frame = await webviewFrame(page, { title: 'Run: simple_mse (torch)', timeout: 60000 });
        await frame.locator(`#layer-table[data-step="${FIRST}"]`).waitFor({ timeout: 60000 });
        const first = compareLayerTable(await readLayerTable(frame), records.find((r) => r.type === 'step' && r.step === FIRST), { source: 'run file' });
        await ctx.screenshot('probe-run-2-opened.png');
        ctx.log(`step ${FIRST}: ${first} numbers equal the run file`);

        // The probe appends; the panel follows through its file watcher.
        appendFileSync(path.join(dir, 'steps.jsonl'), `${tail.join('\n')}\n`);
        writeFileSync(path.join(dir, 'run.json'), JSON.stringify(meta, null, 2));
        const last = records.filter((r) => r.type === 'step').at(-1);
        await frame.locator(`#layer-table[data-step="${last.step}"]`).waitFor({ timeout: 30000 });
        const compared = compareLayerTable(await readLayerTable(frame), last, { source: 'run file' });
        const status = await frame.locator('#run-status').getAttribute('data-status');
        if (status !== 'completed') throw new Error(`run status in the panel: ${status}`);
        const counts = await frame.locator('.layer-dists[data-layer="fc1.weight"] figure[data-term="weight"] rect.bar').evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-count'))));
        const snap = records.filter((r) => r.type === 'snapshot').at(-1);
        if (JSON.stringify(counts) !== JSON.stringify(snap.layers['fc1.weight'].weight.counts)) throw new Error(`fc1.weight histogram: panel ${counts}, run file ${snap.layers['fc1.weight'].weight.counts}`);
        await ctx.screenshot('probe-run-3-grown.png');
        ctx.log(`live: grew to step ${last.step}; ${compared} numbers and the fc1.weight histogram equal the run file`);
      } finally {
        rmSync(path.dirname(dir), { recursive: true, force: true });
      }
    },
  },
];
