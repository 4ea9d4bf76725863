import * as vscode from 'vscode';
import { parseModelFile, type ModelDiagnostic, type Severity } from '../engine/model';
import type { DecodeResult } from '../engine/model/decode';
import type { Config } from './config';
import { isPythonUri, PythonModels } from './pythonModels';
import { cellDocumentAt, isNotebookCell, isNotebookUri, notebookOfCell } from './notebooks';
import type { PythonFile } from '../pymodel';
import { isPythonLanguage, type NotebookSource } from '../pymodel/notebook';

/** `*.nn.json`, `*.nn.yaml` and `*.nn.yml`: the files Weightscope treats as model definitions. */
export const MODEL_FILE_GLOB = '**/*.nn.{json,yaml,yml}';
const MODEL_FILE_RE = /\.nn\.(json|ya?ml)$/i;

export function isModelUri(uri: vscode.Uri): boolean {
  return MODEL_FILE_RE.test(uri.path);
}

/** Model files, Python files and notebooks: everything Weightscope reads models from. */
export function isModelSource(uri: vscode.Uri): boolean {
  return isModelUri(uri) || isPythonUri(uri) || isNotebookUri(uri);
}

export interface ParsedModel {
  /** The file the model is read from (a notebook's, for a model in a notebook). */
  uri: vscode.Uri;
  /** The model's text document (none for a notebook: its cells get their diagnostics from the notebook's read). */
  document?: vscode.TextDocument;
  result: DecodeResult;
}

/**
 * Parses model documents (cached per document version), publishes their
 * diagnostics, and tells listeners when a model changed, debounced so that
 * typing does not re-run the engine on every keystroke.
 */
export class ModelDocuments implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('weightscope');
  private readonly cache = new Map<string, { version: number; result: DecodeResult }>();
  /** Problems with the files a model points at (data, init_from), from the last load of its resources. */
  private readonly resourceProblems = new Map<string, { version: number; diagnostics: ModelDiagnostic[] }>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires (debounced) after a model document's text changed. */
  readonly onDidChangeModel = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Python documents: parsed with tree-sitter, one file holding any number of models. */
  readonly python: PythonModels;

  constructor(private readonly config: Config, extensionUri: vscode.Uri) {
    this.python = new PythonModels(extensionUri, () => ({ maxParameters: this.config.maxParameters }));
    this.subscriptions.push(
      this.python,
      this.diagnostics,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((doc) => this.refreshDiagnostics(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.scheduleChange(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.cache.delete(doc.uri.toString());
        this.resourceProblems.delete(doc.uri.toString());
        this.diagnostics.delete(doc.uri);
      }),
    );
    for (const doc of vscode.workspace.textDocuments) this.refreshDiagnostics(doc);
  }

  /** Parses an open document (from the cache when its version is unchanged). */
  parse(document: vscode.TextDocument): DecodeResult {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.result;
    const result = parseModelFile(document.uri.path, document.getText(), { maxParameters: this.config.maxParameters });
    this.cache.set(key, { version: document.version, result });
    return result;
  }

  /**
   * Opens (through `workspace.fs`, so virtual workspaces work) and parses a
   * model file, or a Python file's model: the one its URI's fragment names
   * (`model.py#SimpleModel`), else the file's first model Weightscope can model.
   */
  async load(uri: vscode.Uri): Promise<ParsedModel> {
    if (isPythonUri(uri)) return this.loadPython(uri);
    if (isNotebookUri(uri)) return this.loadNotebook(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const result = this.parse(document);
    this.publish(document, result);
    return { uri: document.uri, document, result };
  }

  /** A notebook's model (`model.ipynb#Net`): its code cells read as one Python file. */
  private async loadNotebook(uri: vscode.Uri): Promise<ParsedModel> {
    const file = uri.with({ fragment: '' });
    const name = file.path.split('/').pop();
    let parsed: Awaited<ReturnType<PythonModels['parseNotebook']>>;
    try {
      parsed = await this.python.parseNotebook(file);
    } catch (err) {
      const message = `${name}: ${err instanceof Error ? err.message : String(err)}`;
      return { uri: file, result: { spec: undefined, tree: undefined, diagnostics: [{ severity: 'error', code: 'no-model', message, range: { start: 0, end: 0 } }] } };
    }
    if (parsed.notebook) this.publishNotebook(parsed.notebook, parsed.source, parsed.file);
    const model = PythonModels.select(parsed.file, uri);
    // No document: the problems found later with the files a model points at belong to no single cell (they are logged).
    const base = { uri: file };
    if (!model) {
      const message = uri.fragment ? `${name} has no model named ${uri.fragment}.` : `${name} defines no nn.Module class or nn.Sequential model in its code cells.`;
      return { ...base, result: { spec: undefined, tree: undefined, diagnostics: [{ severity: 'error', code: 'no-model', message, range: { start: 0, end: 0 } }] } };
    }
    if (!model.modelable) {
      const reason = model.result.diagnostics.find((d) => d.code === 'py-cannot-model');
      return { ...base, result: { ...model.result, diagnostics: [{ severity: 'error', code: 'py-cannot-model', message: `Weightscope cannot model ${model.name}: ${reason?.message ?? 'see the information diagnostics'}`, range: { start: 0, end: 0 } }] } };
    }
    return { ...base, result: model.result };
  }

  /** Each cell of an open notebook gets the diagnostics that fall in its text. */
  private publishNotebook(notebook: vscode.NotebookDocument, source: NotebookSource, file: PythonFile): void {
    const byCell = new Map<vscode.TextDocument, ModelDiagnostic[]>(notebook.getCells().map((c) => [c.document, []]));
    for (const d of file.diagnostics) {
      const at = cellDocumentAt(notebook, source, d.range.start);
      if (!at) continue;
      const shift = d.range.start - at.offset;
      byCell.get(at.document)?.push({ ...d, range: { start: at.offset, end: Math.max(at.offset, d.range.end - shift) } });
    }
    for (const [document, diagnostics] of byCell) {
      if (isPythonLanguage(document.languageId)) this.diagnostics.set(document.uri, diagnostics.map((d) => toVscodeDiagnostic(document, d)));
    }
  }

  private async loadPython(uri: vscode.Uri): Promise<ParsedModel> {
    const document = await vscode.workspace.openTextDocument(uri.with({ fragment: '' }));
    const { file } = await this.python.parse(document);
    this.publishAll(document, file.diagnostics);
    const model = PythonModels.select(file, uri);
    const file_ = document.uri.path.split('/').pop();
    if (!model) {
      const message = uri.fragment ? `${file_} has no model named ${uri.fragment}.` : `${file_} defines no nn.Module class or nn.Sequential model.`;
      return { uri: document.uri, document, result: { spec: undefined, tree: undefined, diagnostics: [{ severity: 'error', code: 'no-model', message, range: { start: 0, end: 0 } }] } };
    }
    if (!model.modelable) {
      // Not an error in the code: the reason is an information diagnostic. Callers that need a spec show it.
      const reason = model.result.diagnostics.find((d) => d.code === 'py-cannot-model');
      return { uri: document.uri, document, result: { ...model.result, diagnostics: [{ severity: 'error', code: 'py-cannot-model', message: `Weightscope cannot model ${model.name}: ${reason?.message ?? 'see the information diagnostics'}`, range: reason?.range ?? model.result.diagnostics[0]?.range ?? { start: 0, end: 0 } }] } };
    }
    return { uri: document.uri, document, result: model.result };
  }

  /** The diagnostics (with quick fixes) last computed for an open document. */
  diagnosticsOf(document: vscode.TextDocument): ModelDiagnostic[] {
    if (isNotebookCell(document)) return [];
    if (isPythonUri(document.uri)) return this.python.cached(document)?.file.diagnostics ?? [];
    return this.parse(document).diagnostics;
  }

  private scheduleChange(document: vscode.TextDocument): void {
    if (isNotebookCell(document)) return this.scheduleNotebookChange(document);
    if (!isModelSource(document.uri)) return;
    this.debounce(document.uri, () => this.refreshDiagnostics(document));
  }

  /** Runs `refresh` for `uri` once edits pause for the configured delay, then tells listeners that its models changed. */
  private debounce(uri: vscode.Uri, refresh: () => void): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      refresh();
      this.changed.fire(uri);
    }, this.config.refreshDelayMs));
  }

  /** An edit in a notebook's cell changes the notebook's models: re-read them (debounced) and tell the notebook's listeners. */
  private scheduleNotebookChange(document: vscode.TextDocument): void {
    const notebook = notebookOfCell(document);
    if (!notebook || !isNotebookUri(notebook.uri)) return;
    this.debounce(notebook.uri, () => this.refreshNotebook(notebook));
  }

  private refreshNotebook(notebook: vscode.NotebookDocument): void {
    void this.python.parseNotebook(notebook.uri).then(({ source, file }) => this.publishNotebook(notebook, source, file), (err: unknown) => {
      console.error('weightscope: could not read the notebook', notebook.uri.toString(), err);
    });
  }

  private refreshDiagnostics(document: vscode.TextDocument): void {
    // A notebook opening opens all its cells at once: one debounced read of the notebook serves them all.
    if (isNotebookCell(document)) return this.scheduleNotebookChange(document);
    if (isPythonUri(document.uri)) {
      void this.python.parse(document).then(({ file }) => this.publishAll(document, file.diagnostics), (err: unknown) => {
        console.error('weightscope: could not parse', document.uri.toString(), err);
      });
      return;
    }
    if (!isModelUri(document.uri)) return;
    this.publish(document, this.parse(document));
  }

  /** Shows the problems found loading a model's files beside its parse diagnostics (until the text changes). */
  setResourceProblems(document: vscode.TextDocument, diagnostics: ModelDiagnostic[]): void {
    this.resourceProblems.set(document.uri.toString(), { version: document.version, diagnostics });
    this.publishAll(document, this.diagnosticsOf(document));
  }

  private publish(document: vscode.TextDocument, result: DecodeResult): void {
    this.publishAll(document, result.diagnostics);
  }

  /** Sets a document's diagnostics: its own, and the problems with the files its model points at (until its text changes). */
  private publishAll(document: vscode.TextDocument, diagnostics: readonly ModelDiagnostic[]): void {
    const resources = this.resourceProblems.get(document.uri.toString());
    const current = resources?.version === document.version ? resources.diagnostics : [];
    this.diagnostics.set(document.uri, [...diagnostics, ...current].map((d) => toVscodeDiagnostic(document, d)));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
  }
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function toVscodeDiagnostic(document: vscode.TextDocument, d: ModelDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(d.range.start), document.positionAt(d.range.end));
  const diagnostic = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
  diagnostic.source = 'weightscope';
  diagnostic.code = d.code;
  return diagnostic;
}
