// Model-file diagnostics in a real VS Code: the article's SimpleModel shows its
// three lints in the Problems panel, and the quick fix "Use BCEWithLogitsLoss"
// edits the file and clears its diagnostic. Runs on a temporary copy of
// examples/ so that the repository's files are never touched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { goToLine, openFile, problems, repoRoot } from './harness.mjs';

function copyExamples() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weightscope-examples-'));
  fs.cpSync(path.join(repoRoot, 'examples'), dir, { recursive: true });
  return dir;
}

export const tests = [
  {
    name: 'Problems panel shows the article model lints and a quick fix edits the file',
    async fn(ctx) {
      const workspace = copyExamples();
      try {
        const { page } = await ctx.workbench({ workspace });
        await openFile(page, 'simple-model.nn.json');
        const rows = await problems(page, { minCount: 3 });
        ctx.log(`problems: ${rows.length} rows`);
        for (const expected of ['BCELoss takes probabilities', 'no nonlinearity between them', 'also shrinks 3 bias']) {
          if (!rows.some((r) => r.includes(expected))) throw new Error(`Problems panel lacks "${expected}":\n${rows.join('\n')}`);
        }
        await ctx.screenshot('diagnostics-1-problems.png');

        // Cursor onto "BCELoss" (line 12), then the quick-fix menu.
        await goToLine(page, 12, 14);
        await page.keyboard.press('Control+.');
        const fix = page.locator('.action-widget .action-item, .action-widget .monaco-list-row', { hasText: 'Use BCEWithLogitsLoss' }).first();
        await fix.waitFor({ timeout: 30000 });
        await ctx.screenshot('diagnostics-2-quickfix.png');
        await fix.click();
        await page.locator('.monaco-editor .view-lines', { hasText: '"BCEWithLogitsLoss"' }).first().waitFor({ timeout: 15000 });
        // The lint goes away once the edited text is re-checked.
        const deadline = Date.now() + 15000;
        let after = await problems(page);
        while (after.some((r) => r.includes('BCELoss takes probabilities')) && Date.now() < deadline) {
          await page.waitForTimeout(500);
          after = await problems(page);
        }
        if (after.some((r) => r.includes('BCELoss takes probabilities'))) throw new Error('the BCE diagnostic is still there after the quick fix');
        await ctx.screenshot('diagnostics-3-fixed.png');
      } finally {
        fs.rmSync(workspace, { recursive: true, force: true });
      }
    },
  },
];
