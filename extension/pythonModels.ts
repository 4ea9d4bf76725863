import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { DecodeOptions } from '../engine/model/decode';
import { PythonDocument, PythonParser, resolvePython, siblingLoader, type PythonFile, type PythonModel, type TextChange } from '../pymodel';
import { insideReader } from '../pymodel/interp/files';
import type { NotebookSource } from '../pymodel/notebook';
import { notebookVersion, readNotebook } from './notebooks';

/** `.py` files: PyTorch code Weightscope reads as model definitions (parsed, never run). */
const PYTHON_RE = /\.py$/i;

export function isPythonUri(uri: vscode.Uri): boolean {
  return PYTHON_RE.test(uri.path);
}

/** A Python model's URI: the file's, with the model's name as fragment (`model.py#SimpleModel`). */
export function pythonModelUri(document: vscode.Uri, model: string): vscode.Uri {
  return document.with({ fragment: model });
}

export interface ParsedPython {
  file: PythonFile;
  document: PythonDocument;
}

/** A notebook's code cells read as one Python file, with where each cell's text sits in it. */
export interface ParsedNotebook {
  file: PythonFile;
  source: NotebookSource;
  /** The notebook when it is open in the editor (its cells carry the CodeLenses and diagnostics). */
  notebook?: vscode.NotebookDocument;
}

/**
 * Parses Python documents with tree-sitter (its WebAssembly build, shipped
 * in dist/), incrementally: each edit from VS Code is applied to the previous
 * syntax tree before the next parse. Results are cached per document version.
 */
export class PythonModels implements vscode.Disposable {
  private parser: Promise<PythonParser> | undefined;
  private readonly documents = new Map<string, { doc: PythonDocument; version: number; file: PythonFile; pending: TextChange[] }>();
  private readonly notebooks = new Map<string, { version: string; file: PythonFile }>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly options: () => DecodeOptions) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        const entry = this.documents.get(e.document.uri.toString());
        // VS Code lists the changes of one event so that applying them in order reproduces the new text.
        if (entry) entry.pending.push(...e.contentChanges.map((c) => ({ start: c.rangeOffset, deleted: c.rangeLength, inserted: c.text })));
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.notebooks.delete(nb.uri.toString())),
    );
  }

  private load(): Promise<PythonParser> {
    this.parser ??= PythonParser.load({
      runtime: vscode.Uri.joinPath(this.extensionUri, 'dist', 'tree-sitter.wasm').fsPath,
      grammar: vscode.Uri.joinPath(this.extensionUri, 'dist', 'tree-sitter-python.wasm').fsPath,
    });
    return this.parser;
  }

  /** The models of a Python document at its current version. */
  async parse(document: vscode.TextDocument): Promise<ParsedPython> {
    const parser = await this.load();
    const key = document.uri.toString();
    const entry = this.documents.get(key);
    if (entry && entry.version === document.version) return { file: entry.file, document: entry.doc };
    const text = document.getText();
    let doc: PythonDocument;
    if (entry) {
      entry.doc.update(entry.pending.splice(0), text);
      doc = entry.doc;
    } else {
      doc = new PythonDocument(parser, text);
    }
    const file = resolvePython(doc.currentTree, text, { ...this.options(), ...this.siblings(parser, document.uri) });
    this.documents.set(key, { doc, version: document.version, file, pending: [] });
    return { file, document: doc };
  }

  /**
   * The models of a Python file's text, parsed whole and not kept: for reading many files without opening
   * them as documents (the checkpoint editor's search for a checkpoint's model), so nothing is published.
   */
  async parseText(uri: vscode.Uri, text: string): Promise<PythonFile> {
    const parser = await this.load();
    const tree = parser.parse(text);
    try {
      return resolvePython(tree, text, { ...this.options(), ...this.siblings(parser, uri) });
    } finally {
      tree.delete();
    }
  }

  /**
   * The models of a notebook (`model.ipynb`, a fragment is ignored): its code
   * cells in order, as the editor has them when it is open, else as saved.
   * Parsed whole (not incrementally) and cached per version of its cells.
   */
  async parseNotebook(uri: vscode.Uri): Promise<ParsedNotebook> {
    const parser = await this.load();
    const file = uri.with({ fragment: '' });
    const { source, notebook } = await readNotebook(file);
    const key = file.toString();
    const version = notebook ? notebookVersion(notebook) : undefined;
    const cached = this.notebooks.get(key);
    if (version !== undefined && cached?.version === version) return { file: cached.file, source, ...(notebook ? { notebook } : {}) };
    const tree = parser.parse(source.text);
    let parsed: PythonFile;
    try {
      parsed = resolvePython(tree, source.text, { ...this.options(), ...this.siblings(parser, file) });
    } finally {
      tree.delete();
    }
    if (version !== undefined) this.notebooks.set(key, { version, file: parsed });
    return { file: parsed, source, ...(notebook ? { notebook } : {}) };
  }

  /**
   * Where the document is within its workspace folder, and how to read the files it imports from
   * (`from .blocks import ResBlock`): the folder's files only, resolved through links, open documents as
   * they are in the editor. Untitled and virtual documents import nothing.
   */
  private siblings(parser: PythonParser, uri: vscode.Uri): { path: string; load: ReturnType<typeof siblingLoader> } | Record<string, never> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || uri.scheme !== 'file' || folder.uri.scheme !== 'file') return {};
    const root = folder.uri.fsPath;
    const fromDisk = insideReader(root, {
      resolve: (r, relative) => path.resolve(r, relative),
      realpath: (p) => realpathSync(p),
      size: (p) => statSync(p).size,
      read: (p) => readFileSync(p, 'utf8'),
      sep: path.sep,
    });
    const readFile = (relative: string): string | undefined => {
      const full = path.resolve(root, relative);
      // An open document as it is in the editor; only inside the folder, as on disk.
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === full);
      const disk = fromDisk(relative);
      return open && disk !== undefined ? open.getText() : disk;
    };
    return { path: path.relative(root, uri.fsPath).split(path.sep).join('/'), load: siblingLoader(parser, readFile) };
  }

  /** The last parse of a document, if it is current (for providers that must answer synchronously). */
  cached(document: vscode.TextDocument): ParsedPython | undefined {
    const entry = this.documents.get(document.uri.toString());
    return entry && entry.version === document.version ? { file: entry.file, document: entry.doc } : undefined;
  }

  /** The model a URI names (its fragment), else the file's only (or first) model Weightscope can model. */
  static select(file: PythonFile, uri: vscode.Uri): PythonModel | undefined {
    if (uri.fragment) return file.models.find((m) => m.name === uri.fragment);
    return file.models.find((m) => m.primary && m.modelable) ?? file.models.find((m) => m.modelable) ?? file.models[0];
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.documents.get(key)?.doc.dispose();
    this.documents.delete(key);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const e of this.documents.values()) e.doc.dispose();
    this.documents.clear();
  }
}
