/**
 * Untrusted workspaces are fully supported because nothing from the
 * workspace runs: Python files are parsed by tree-sitter (WebAssembly) and
 * read as syntax. This checks the promise where it could be broken: the
 * manifest, and every module on the Python path (pymodel/ and the extension
 * and CLI modules that load it), for anything that could execute code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveText } from './helpers';

const root = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { supported: boolean | string; restrictedConfigurations?: string[] } };
  activationEvents: string[];
  contributes: { configuration: { properties: Record<string, unknown> } };
};

function tsFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? tsFiles(rel) : name.endsWith('.ts') ? [rel] : [];
  });
}

/** Ways JavaScript can run code or programs that are not our own source. */
const EXECUTES = /\bchild_process\b|\bexecSync\b|\bspawn\s*\(|\bexecFile\b|\beval\s*\(|\bnew\s+Function\s*\(|\bnode:vm\b|from\s+['"]vm['"]|\bworker_threads\b|python3?\b['"`]/;

describe('untrusted workspaces', () => {
  it('the manifest declares full support (not "limited") and activates on Python files without "*"', () => {
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe(true);
    expect(manifest.activationEvents).toContain('onLanguage:python');
    expect(manifest.activationEvents).not.toContain('*');
  });

  it('an untrusted workspace cannot choose where runs are written and deleted, nor raise the memory limits', () => {
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];
    const settings = Object.keys(manifest.contributes.configuration.properties);
    const limits = settings.filter((k) => k.startsWith('weightscope.limits.'));
    expect(limits.length).toBeGreaterThan(0);
    expect(restricted).toEqual(expect.arrayContaining(['weightscope.runs.folder', 'weightscope.train.maxSnapshotMB', 'weightscope.runs.maxRunMB', ...limits]));
    // A misspelt name would restrict nothing.
    for (const name of restricted) expect(settings, name).toContain(name);
  });

  it('no module on the Python path can execute code', () => {
    const files = [...tsFiles('pymodel'), 'extension/pythonModels.ts', 'extension/modelDocuments.ts', 'cli/pythonModel.ts'];
    const offending = files.filter((f) => EXECUTES.test(readFileSync(path.join(root, f), 'utf8')));
    expect(offending).toEqual([]);
    // The check itself can fail: it flags a module that spawns Python.
    expect(EXECUTES.test("import { spawn } from 'node:child_process'; spawn('python3', [file])")).toBe(true);
  });

  it('code that would do harm if run is only read: os.system, open, exec, __import__ at module level and in __init__', async () => {
    const f = await resolveText([
      'import os, torch.nn as nn',
      'os.system("touch /tmp/weightscope-was-here")',
      'exec(open("payload.py").read())',
      'class M(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        __import__("subprocess").run(["rm", "-rf", "/"])',
      '        self.fc = nn.Linear(2, 1)',
      '    def forward(self, x):',
      '        return self.fc(x)',
      '',
    ].join('\n'));
    expect(f.models[0]!.result.spec?.layers).toHaveLength(1);
    // The statement inside __init__ is reported as not read, not run.
    expect(f.diagnostics.map((d) => d.message).join('\n')).toMatch(/__import__\("subprocess"\)[^\n]*not read by Weightscope/);
  });
});
