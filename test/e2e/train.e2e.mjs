// Train and Stop in a real VS Code: the CodeLens "Train" runs the engine
// worker with a progress notification, and the final loss it reports equals
// the engine's own run of the same model (the CLI); Stop cancels a long run
// and keeps the steps taken; the article's model as written fails as torch does.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { clickCodeLens, openFile, repoRoot, runCommand, waitForNotification } from './harness.mjs';

function engineRun(model, steps) {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'train', path.join(repoRoot, 'examples', model), '--json', '--steps', String(steps)], { encoding: 'utf8' });
  return JSON.parse(out);
}

export const tests = [
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
