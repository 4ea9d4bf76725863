// Checkpoints in a real VS Code: clicking a torch.save file (written by Debian's torch,
// test/fixtures/checkpoints/trained) in the explorer opens the checkpoint editor, whose
// numbers must equal the CLI's (`weightscope weights --json`) for the same file; the
// model of the workspace it belongs to puts each tensor next to its initializer's theory;
// an initial checkpoint chosen in the editor gives the drift; a malicious pickle is
// refused with a message in the editor.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acceptOpenDialog, repoRoot, webviewFrame } from './harness.mjs';

const FIXTURES = path.join(repoRoot, 'test/fixtures/checkpoints');

/** A workspace of its own: the TinyMLP model, its initial and trained checkpoints, and a malicious one. */
function makeWorkspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weightscope-checkpoints-'));
  for (const f of ['mlp.py', 'initial.pt', 'trained.pt']) fs.copyFileSync(path.join(FIXTURES, 'trained', f), path.join(dir, f));
  fs.copyFileSync(path.join(FIXTURES, 'malicious.pt'), path.join(dir, 'malicious.pt'));
  return dir;
}

function cli(dir, ...args) {
  return JSON.parse(execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'weights', ...args, '--json'], { cwd: dir, encoding: 'utf8' }));
}

function assertClose(actual, expected, tol, what) {
  if (!(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)))) throw new Error(`${what}: the editor shows ${actual}, the CLI computed ${expected}`);
}

/**
 * Clicks the file in the explorer. Right after the workbench opens, the extensions' contributions may not be
 * registered yet, and the file opens in the text editor ("binary file"): close it and click again.
 */
async function openFromExplorer(page, name) {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^\\s*${name.replace('.', '\\.')}\\s*$`) }).first();
  await row.waitFor({ state: 'visible', timeout: 60000 });
  for (let attempt = 1; ; attempt++) {
    await row.click();
    try {
      return await webviewFrame(page, { title: name, timeout: 15000 });
    } catch (err) {
      if (attempt >= 6) throw err;
      await page.keyboard.press('Control+W');
      await page.waitForTimeout(2000);
    }
  }
}

async function cellValue(frame, name, stat) {
  return Number(await frame.locator(`tr[data-name="${name}"] td[data-stat="${stat}"]`).getAttribute('data-value'));
}

export const tests = [
  {
    name: 'Checkpoint editor: a .pt file from the explorer, its numbers against the CLI and its model',
    async fn(ctx) {
      const dir = makeWorkspace();
      try {
        const { page } = await ctx.workbench({ workspace: dir });
        const frame = await openFromExplorer(page, 'trained.pt');
        await frame.locator('#app[data-state="ready"]').waitFor({ timeout: 60000 });
        await frame.locator('.model-line[data-status="matched"]').waitFor({ timeout: 90000 });
        const expected = cli(dir, 'trained.pt', '--model', 'mlp.py');
        const shown = await frame.locator('table.tensors tbody tr[data-name]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
        if (JSON.stringify(shown) !== JSON.stringify(expected.tensors.map((t) => t.name))) throw new Error(`rows: ${shown}`);
        const fc2 = expected.tensors.find((t) => t.name === 'fc2.weight');
        for (const [stat, key] of [['mean', 'mean'], ['std', 'std'], ['min', 'min'], ['max', 'max'], ['l2', 'l2Norm'], ['zeros', 'zeroFraction']]) {
          assertClose(await cellValue(frame, 'fc2.weight', stat), fc2[key], 1e-15, `fc2.weight ${stat}`);
        }
        assertClose(await cellValue(frame, 'fc2.weight', 'theoryStd'), Math.sqrt(2 / 64), 1e-15, 'fc2.weight std at init (kaiming_normal_, fan_in 64)');
        assertClose(await cellValue(frame, 'fc2.weight', 'stdRatio'), expected.model.tensors['fc2.weight'].stdRatio, 1e-15, 'fc2.weight std ÷ init');
        await frame.locator('tr[data-name="fc2.weight"]').click();
        const bars = frame.locator('.detail section.param[data-name="fc2.weight"] svg.histogram').first().locator('rect.bar');
        await bars.first().waitFor({ timeout: 30000 });
        const counts = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
        if (JSON.stringify(counts) !== JSON.stringify(fc2.histogram.counts)) throw new Error(`histogram of fc2.weight:\n editor ${counts}\n CLI    ${fc2.histogram.counts}`);
        const points = await frame.locator('.ratio-chart circle.point').count();
        if (points !== 3) throw new Error(`the ratio chart has ${points} points, expected the 3 weights`);
        ctx.log(`fc2.weight: std ${fc2.std.toFixed(5)} = ${expected.model.tensors['fc2.weight'].stdRatio.toFixed(3)} × its kaiming_normal_ std; histogram of ${counts.length} bins equals the CLI's`);
        await ctx.screenshot('checkpoint-1-trained-pt.png');
        await frame.locator('.detail section.param').scrollIntoViewIfNeeded();
        await ctx.screenshot('checkpoint-2-tensor-detail.png');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'Checkpoint editor: drift from an initial checkpoint chosen in the editor',
    async fn(ctx) {
      const dir = makeWorkspace();
      try {
        const { page } = await ctx.workbench({ workspace: dir, theme: 'Default Dark Modern' });
        const frame = await openFromExplorer(page, 'trained.pt');
        await frame.locator('.model-line[data-status="matched"]').waitFor({ timeout: 90000 });
        await frame.locator('#choose-initial').click();
        await acceptOpenDialog(page, path.join(dir, 'initial.pt'));
        const settled = frame.locator('.drift-line[data-status="ready"], .drift-line[data-status="error"]');
        await settled.waitFor({ timeout: 90000 });
        if ((await settled.getAttribute('data-status')) === 'error') throw new Error(`drift: ${await settled.innerText()}`);
        const expected = cli(dir, 'trained.pt', '--init', 'initial.pt');
        for (const name of ['fc1.weight', 'fc2.weight', 'fc3.weight']) {
          assertClose(await cellValue(frame, name, 'drift'), expected.drift.relative[name], 1e-15, `${name} drift`);
        }
        await frame.locator('tr[data-name="fc3.weight"]').click();
        const histograms = await frame.locator('.detail section.param[data-name="fc3.weight"] svg.histogram').count();
        if (histograms !== 2) throw new Error(`the detail shows ${histograms} histograms, expected now and θ₀ side by side`);
        ctx.log(`drift of fc3.weight ${expected.drift.relative['fc3.weight'].toFixed(4)} as the CLI computes it`);
        await ctx.screenshot('checkpoint-3-drift-dark.png');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'Checkpoint editor: a malicious pickle is refused with a message, not a crash',
    async fn(ctx) {
      const dir = makeWorkspace();
      try {
        const { page } = await ctx.workbench({ workspace: dir });
        const frame = await openFromExplorer(page, 'malicious.pt');
        const message = frame.locator('#app[data-state="error"] .message');
        await message.waitFor({ timeout: 60000 });
        const text = await message.textContent();
        if (!/system/.test(text)) throw new Error(`the message does not name the refused global: ${text}`);
        ctx.log(`malicious.pt: ${text}`);
        await ctx.screenshot('checkpoint-4-malicious.png');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
