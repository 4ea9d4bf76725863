/**
 * The Python files a model's code spans: the file being read and the sibling
 * files it imports from (`from .blocks import ResBlock`, `from model import
 * GPTConfig`). Each is parsed once; nothing is executed. Which files may be
 * read is the host's decision (`FileLoader`): the extension and the CLI only
 * hand out files inside the workspace.
 */
import { isInside } from '../../engine/io/confine';
import { Imports } from '../imports';
import type { SyntaxNode } from '../parser';
import { statements } from '../syntax';

export interface SourceFile {
  /** `from .base import *`: the module names whose definitions this file takes whole. */
  starImports: string[];
  /** Workspace-relative or absolute path, as the loader names it ('' for the file being read). */
  path: string;
  root: SyntaxNode;
  imports: Imports;
  /** Top-level `def`s, `class`es and assignments by name (the last binding wins, as at run time). */
  definitions: Map<string, SyntaxNode>;
}

/**
 * Finds and parses the file a module name refers to, relative to the file
 * that imports it: `.blocks` (relative) or `model` / `pkg.model` (absolute,
 * tried next to the importing file). Returns undefined when there is none or
 * it may not be read.
 */
export type FileLoader = (fromPath: string, moduleName: string) => { path: string; root: SyntaxNode } | undefined;

export function sourceFile(path: string, root: SyntaxNode): SourceFile {
  const definitions = new Map<string, SyntaxNode>();
  for (const s of statements(root)) {
    const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    if (def?.type === 'function_definition' || def?.type === 'class_definition') {
      definitions.set(def.childForFieldName('name')!.text, s);
      continue;
    }
    const inner = s.type === 'expression_statement' ? s.namedChild(0) : undefined;
    if (inner?.type === 'assignment') {
      const left = inner.childForFieldName('left');
      if (left?.type === 'identifier') definitions.set(left.text, inner);
    }
  }
  const starImports = statements(root)
    .filter((s) => s.type === 'import_from_statement' && s.namedChildren.some((c) => c?.type === 'wildcard_import'))
    .map((s) => s.childForFieldName('module_name')?.text ?? '')
    .filter(Boolean);
  return { path, root, imports: Imports.read(root), definitions, starImports };
}

/**
 * torch's own files (`torch/nn/modules/transformer.py`, read as a model file): their relative imports
 * (`.container.ModuleList`, `..init.xavier_uniform_`) are torch.nn's names, which Weightscope knows.
 */
export function torchPackageName(path: string, qualified: string): string | undefined {
  if (!/^(.*\/)?torch\/nn\/modules\//.test(path)) return undefined;
  const m = /^(\.+)(.*)$/.exec(qualified);
  if (!m) return undefined;
  const rest = m[2]!.split('.').filter(Boolean);
  if (m[1] === '.') return rest.length ? `torch.nn.${rest[rest.length - 1]}` : undefined;
  return ['torch', 'nn', ...rest].join('.');
}

/** The file system calls `insideReader` needs (Node's, passed by the host: the front end uses no Node module). */
export interface FileSystem {
  resolve(root: string, relative: string): string;
  realpath(path: string): string;
  size(path: string): number;
  read(path: string): string;
  sep: string;
}

/** Largest source file read for an import. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/**
 * A reader of the files below `root` only: a path is resolved through links first, and one that lands outside
 * `root` (`../../etc`, a link out of the workspace), a missing one or one over 4 MiB reads as undefined.
 */
export function insideReader(root: string, fs: FileSystem): (relative: string) => string | undefined {
  return (relative) => {
    try {
      const real = fs.realpath(fs.resolve(root, relative));
      if (!isInside(real, fs.realpath(root), fs.sep)) return undefined;
      if (fs.size(real) > MAX_SOURCE_BYTES) return undefined;
      return fs.read(real);
    } catch {
      return undefined;
    }
  };
}

/** Candidate file paths for a module name, relative to the importing file's folder. */
export function modulePaths(fromPath: string, moduleName: string): string[] {
  const dir = fromPath.includes('/') ? fromPath.slice(0, fromPath.lastIndexOf('/')) : '';
  const dots = /^\.*/.exec(moduleName)![0].length;
  const rest = moduleName.slice(dots).split('.').filter(Boolean);
  let base = dir;
  // `.x` is this folder, `..x` its parent.
  for (let i = 1; i < dots; i++) base = base.includes('/') ? base.slice(0, base.lastIndexOf('/')) : '';
  const join = (...parts: string[]): string => parts.filter(Boolean).join('/');
  if (rest.length === 0) return [join(base, '__init__.py')];
  if (dots > 0) return [join(base, ...rest) + '.py', join(base, ...rest, '__init__.py')];
  // An absolute import: next to the file, then in each folder above it (the project root is on sys.path).
  const out: string[] = [];
  for (let d: string | undefined = dir; d !== undefined; d = d ? (d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') : undefined) {
    out.push(join(d, ...rest) + '.py', join(d, ...rest, '__init__.py'));
  }
  return out;
}
