/**
 * The dependency rules of the code base, checked on the import statements:
 *   engine/    imports nothing of ours outside engine/, no node builtins, no vscode, no DOM
 *   protocol/  imports only engine/ (types)
 *   webview/   never imports extension/ or worker/ (only engine types and protocol)
 *   extension/ never imports webview/ or worker/
 *   bench/     measures the engine: imports engine/, protocol/ (to drive the worker as the extension does),
 *              pymodel/, the GEMM thread pool of worker/, and Node, tfjs
 *   pymodel/   the Python front end: engine/ and web-tree-sitter only (no vscode, no Node built-ins),
 *              used by extension/ and cli/
 *   host/      Node.js code shared by the CLI, the extension host and the worker (files, processes):
 *              engine/ and Node built-ins only, no vscode
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...tsFiles(rel));
    else if (name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Top-level folder a relative import of `file` lands in, or the package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return path.relative(root, path.resolve(root, path.dirname(file), spec)).split(path.sep)[0]!;
}

const NODE_BUILTINS = /^(node:|fs$|path$|os$|crypto$|worker_threads$|child_process$|url$|util$|zlib$)/;

describe('architecture: dependencies point one way', () => {
  it('engine/ is pure: only engine/ files and pure-JS packages', () => {
    const bad = tsFiles('engine').flatMap((f) => imports(f)
      .filter((s) => (s.startsWith('.') ? target(f, s) !== 'engine' : s === 'vscode' || NODE_BUILTINS.test(s)))
      .map((s) => `${f} → ${s}`));
    expect(bad).toEqual([]);
  });

  it('engine/ uses no DOM or Node globals', () => {
    // Comments are left out: "a sliding window (convolution…" is prose, not the DOM's window.
    const code = (f: string) => readFileSync(path.join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const bad = tsFiles('engine').filter((f) => /\b(document|window|process|Buffer|require)\s*[.(]/.test(code(f)));
    expect(bad).toEqual([]);
  });

  it('protocol/ depends only on engine/', () => {
    const bad = tsFiles('protocol').flatMap((f) => imports(f).filter((s) => !['engine', 'protocol'].includes(target(f, s))).map((s) => `${f} → ${s}`));
    expect(bad).toEqual([]);
  });

  it('webview/ and extension/ never import each other (or the worker)', () => {
    const crossing = (dir: string, forbidden: string[]): string[] =>
      tsFiles(dir).flatMap((f) => imports(f).filter((s) => s.startsWith('.') && forbidden.includes(target(f, s))).map((s) => `${f} → ${s}`));
    expect(crossing('webview', ['extension', 'worker', 'cli'])).toEqual([]);
    expect(crossing('extension', ['webview', 'worker', 'cli'])).toEqual([]);
  });

  it('bench/ depends only on engine/, protocol/, pymodel/, host/ (and worker/gemmPool)', () => {
    const bad = tsFiles('bench').flatMap((f) => imports(f)
      .filter((s) => s.startsWith('.') && !['engine', 'protocol', 'pymodel', 'host', 'bench'].includes(target(f, s)) && !s.endsWith('/worker/gemmPool'))
      .map((s) => `${f} → ${s}`));
    expect(bad).toEqual([]);
  });

  it('pymodel/ uses only engine/ and web-tree-sitter: no vscode, no Node built-ins', () => {
    const bad = tsFiles('pymodel').flatMap((f) => imports(f)
      .filter((s) => (s.startsWith('.') ? !['engine', 'pymodel'].includes(target(f, s)) : s !== 'web-tree-sitter'))
      .map((s) => `${f} → ${s}`));
    expect(bad).toEqual([]);
  });

  it('engine/, protocol/, webview/ and worker/ never import pymodel/ (the worker gets a resolved ModelSpec)', () => {
    const bad = ['engine', 'protocol', 'webview', 'worker'].flatMap((dir) => tsFiles(dir).flatMap((f) => imports(f)
      .filter((s) => s.startsWith('.') && target(f, s) === 'pymodel').map((s) => `${f} → ${s}`)));
    expect(bad).toEqual([]);
  });

  it('host/ uses only engine/ and Node: no vscode, nothing of the CLI, the extension or the worker', () => {
    const bad = tsFiles('host').flatMap((f) => imports(f)
      .filter((s) => (s.startsWith('.') ? !['engine', 'host'].includes(target(f, s)) : !NODE_BUILTINS.test(s)))
      .map((s) => `${f} → ${s}`));
    expect(bad).toEqual([]);
  });

  it('the worker and the extension never import the CLI (shared Node code lives in host/)', () => {
    const bad = ['worker', 'extension'].flatMap((dir) => tsFiles(dir).flatMap((f) => imports(f)
      .filter((s) => s.startsWith('.') && target(f, s) === 'cli').map((s) => `${f} → ${s}`)));
    expect(bad).toEqual([]);
  });

  it('the checker sees imports (guards against a regex that matches nothing)', () => {
    expect(imports('extension/main.ts')).toContain('vscode');
    expect(target('extension/main.ts', '../engine/model')).toBe('engine');
  });
});
