import * as vscode from 'vscode';
import { cellAt, combineCells, readIpynb, type NotebookCellText, type NotebookSource } from '../pymodel/notebook';

/** The scheme of a notebook cell's text document. */
export const NOTEBOOK_CELL_SCHEME = 'vscode-notebook-cell';

/** A Jupyter notebook file (the notebook itself, not one of its cells). */
export function isNotebookUri(uri: vscode.Uri): boolean {
  return uri.scheme !== NOTEBOOK_CELL_SCHEME && /\.ipynb$/i.test(uri.path);
}

export function isNotebookCell(document: vscode.TextDocument): boolean {
  return document.uri.scheme === NOTEBOOK_CELL_SCHEME;
}

/** The open notebook a cell document belongs to. */
export function notebookOfCell(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
  return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
}

/** An open notebook's code cells as one Python source, as the editor has them now (unsaved edits included). */
export function notebookSource(notebook: vscode.NotebookDocument): NotebookSource {
  return combineCells(notebook.getCells().map((cell): NotebookCellText => ({
    kind: cell.kind === vscode.NotebookCellKind.Code ? 'code' : 'markdown',
    text: cell.document.getText(),
    language: cell.document.languageId,
  })));
}

/** A key that changes whenever any cell of the notebook changes (to cache its parse). */
export function notebookVersion(notebook: vscode.NotebookDocument): string {
  return `${notebook.version}:${notebook.getCells().map((c) => c.document.version).join(',')}`;
}

/**
 * A notebook file's source: the open notebook's cells if it is open, else the
 * file read from disk (a notebook need not be open for Inspect from the side
 * panel or a command). Throws an Error saying why when it is not a notebook.
 */
export async function readNotebook(uri: vscode.Uri): Promise<{ source: NotebookSource; notebook?: vscode.NotebookDocument }> {
  const file = uri.with({ fragment: '' });
  const open = vscode.workspace.notebookDocuments.find((nb) => nb.uri.toString() === file.toString());
  if (open) return { source: notebookSource(open), notebook: open };
  const bytes = await vscode.workspace.fs.readFile(file);
  return { source: combineCells(readIpynb(new TextDecoder().decode(bytes))) };
}

/** The cell document holding a combined-source offset, and the offset within that cell. */
export function cellDocumentAt(notebook: vscode.NotebookDocument, source: NotebookSource, offset: number): { document: vscode.TextDocument; offset: number } | undefined {
  const at = cellAt(source, offset);
  if (!at || at.index >= notebook.cellCount) return undefined;
  return { document: notebook.cellAt(at.index).document, offset: at.offset };
}
