// Smoke test of the E2E setup itself: the workbench opens the examples folder
// and the packaged extension is installed and visible.
import fs from 'node:fs';
import path from 'node:path';
import { installedExtensions, runCommand } from './harness.mjs';

export const tests = [
  {
    name: 'workbench opens the examples folder with the extension installed',
    async fn(ctx) {
      const wb = await ctx.workbench();
      const { page } = wb;

      // The explorer shows the workspace's files.
      const files = fs.readdirSync(wb.workspace).filter((f) => !f.startsWith('.')).sort();
      if (files.length === 0) throw new Error(`workspace ${wb.workspace} is empty`);
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: files[0] })
        .first().waitFor({ state: 'visible', timeout: 60000 });
      ctx.log(`explorer shows ${files[0]} of ${path.basename(wb.workspace)}/`);

      const [ext] = installedExtensions(wb);
      if (!ext) throw new Error('no extension was installed');
      const displayName = ext.displayName || ext.name;

      // Its activity bar icon, if it contributes one.
      const container = ext.contributes?.viewsContainers?.activitybar?.[0];
      if (container) {
        const icon = page.locator(`.activitybar .action-item .action-label[aria-label^="${container.title}"]`).first();
        await icon.waitFor({ state: 'visible', timeout: 60000 });
        ctx.log(`activity bar shows "${container.title}"`);
      }

      // The installed extensions list.
      await runCommand(page, 'Extensions: Show Installed Extensions');
      const row = page.locator('.extensions-viewlet .monaco-list-row', { hasText: displayName }).first();
      await row.waitFor({ state: 'visible', timeout: 60000 });
      ctx.log(`installed extensions list shows "${displayName}"`);
      await ctx.screenshot('workbench-extensions.png');
    },
  },
];
