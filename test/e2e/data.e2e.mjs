// Data files in a real VS Code: a model whose CSV file is missing gets a
// diagnostic on the `csv` key and Train refuses with a notification naming the
// file (training on stand-in data would look like a result); once the file
// exists, Train uses it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clickCodeLens, openFile, problems, runCommand, waitForNotification, webviewFrame } from './harness.mjs';

const MODEL = `{
  "version": 1,
  "name": "CSV model",
  "layers": [
    { "name": "fc1", "type": "Linear", "in_features": 2, "out_features": 8 },
    { "type": "ReLU" },
    { "name": "out", "type": "Linear", "out_features": 1 }
  ],
  "data": { "csv": "points.csv", "target": "y", "task": "regression" },
  "loss": "MSELoss",
  "training": { "steps": 20 }
}
`;

export const tests = [
  {
    name: 'A missing CSV file is a diagnostic on its key and stops Train with a notification; the file then trains',
    async fn(ctx) {
      const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'weightscope-data-'));
      try {
        fs.writeFileSync(path.join(workspace, 'csv-model.nn.json'), MODEL);
        const { page } = await ctx.workbench({ workspace });
        await openFile(page, 'csv-model.nn.json');
        await clickCodeLens(page, 'Train');
        const toast = await waitForNotification(page, 'cannot train CSV model');
        const text = await toast.innerText();
        if (!/points\.csv/.test(text)) throw new Error(`the notification does not name the file: ${text}`);
        const rows = await problems(page, { minCount: 2 });
        if (!rows.some((r) => /Cannot read "points\.csv": no such file/.test(r))) throw new Error(`Problems: ${rows.join(' | ')}`);
        await ctx.screenshot('data-1-missing-csv.png');

        const lines = ['x1,x2,y', ...Array.from({ length: 64 }, (_, i) => `${(i % 8) / 8},${Math.floor(i / 8) / 8},${((i % 8) + Math.floor(i / 8)) / 16}`)];
        fs.writeFileSync(path.join(workspace, 'points.csv'), `${lines.join('\n')}\n`);
        // Train again from the command (the first Train went through the CodeLens); the model is the active editor's.
        await page.keyboard.press('Escape');
        await runCommand(page, 'Weightscope: Train');
        const done = await waitForNotification(page, 'trained CSV model', { timeout: 60000 });
        const summary = await done.innerText();
        if (!/points\.csv: 64 rows/.test(summary)) throw new Error(`training did not use the CSV file: ${summary}`);
        ctx.log(summary.split('\n')[0]);
        // The notification comes when the run ends; the panel draws a moment later: wait for its charts at the last step.
        const frame = await webviewFrame(page, { title: 'Train: csv-model', timeout: 60000 });
        await frame.locator('#scrubber-step[data-step="20"]').waitFor({ timeout: 60000 });
        await frame.locator('svg.line-chart').first().waitFor({ timeout: 60000 });
        const charts = await frame.locator('svg.line-chart').count();
        if (charts < 7) throw new Error(`the Train panel shows ${charts} charts, expected 7`);
        await ctx.screenshot('data-2-trained-on-csv.png');
      } finally {
        fs.rmSync(workspace, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'A data path that leads outside the workspace folder, directly or through a link, is refused on its range and not read',
    async fn(ctx) {
      const base = fs.mkdtempSync(path.join(os.tmpdir(), 'weightscope-outside-'));
      try {
        const workspace = path.join(base, 'ws');
        fs.mkdirSync(workspace);
        fs.mkdirSync(path.join(base, 'secret'));
        fs.writeFileSync(path.join(base, 'secret', 'points.csv'), 'x1,x2,y\n1,2,3\n');
        fs.symlinkSync(path.join(base, 'secret', 'points.csv'), path.join(workspace, 'link.csv'));
        fs.writeFileSync(path.join(workspace, 'up.nn.json'), MODEL.replace('"points.csv"', '"../secret/points.csv"'));
        fs.writeFileSync(path.join(workspace, 'link.nn.json'), MODEL.replace('"points.csv"', '"link.csv"'));
        const { page } = await ctx.workbench({ workspace });
        for (const [file, pattern] of [['up.nn.json', /"\.\.\/secret\/points\.csv" leads to \S*secret\/points\.csv, outside the workspace folder ws/], ['link.nn.json', /"link\.csv" leads \(through a link\) to \S*secret\/points\.csv, outside the workspace folder ws/]]) {
          await openFile(page, file);
          await clickCodeLens(page, 'Train');
          await waitForNotification(page, 'cannot train CSV model');
          // The Problems panel lists every file's problems; wait for this file's.
          let rows = [];
          for (const end = Date.now() + 30000; Date.now() < end; await page.waitForTimeout(500)) {
            rows = await problems(page, { minCount: 2 });
            if (rows.some((r) => pattern.test(r) && /path-outside/.test(r))) break;
          }
          if (!rows.some((r) => pattern.test(r) && /path-outside/.test(r))) throw new Error(`${file}: Problems: ${rows.join(' | ')}`);
          await page.keyboard.press('Escape');
        }
        await ctx.screenshot('data-3-path-outside.png');
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    },
  },
];
