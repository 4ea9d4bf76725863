/**
 * Jupyter notebooks as Python sources: a notebook's code cells, read in
 * order, are one Python file (what running all cells defines). The reader
 * then works on that text; offsets in it map back to a cell and an offset in
 * the cell, for CodeLenses and diagnostics in the cell.
 *
 * IPython syntax that is not Python (`%matplotlib inline`, `!pip install …`,
 * a `%%time` cell) is blanked, character for character, so that offsets stay
 * those of the cell's own text and the parser sees only Python.
 */

/** One cell as the host has it: a code cell's text (other cells are skipped). */
export interface NotebookCellText {
  /** 'code' cells are read; markdown and raw cells are not. */
  kind: 'code' | 'markdown' | 'raw';
  text: string;
  /** The cell's language when the host knows it (VS Code's cell document); non-Python code cells are skipped. */
  language?: string;
}

/** Where a cell's text sits in the combined source. */
export interface CellSpan {
  /** The cell's index among all the notebook's cells (as the host numbers them, from 0). */
  index: number;
  start: number;
  end: number;
}

export interface NotebookSource {
  /** The code cells joined by newlines, IPython magics blanked. */
  text: string;
  cells: CellSpan[];
}

/** Reads the cells of an `.ipynb` file (nbformat 4; 3's worksheets too). Throws an Error saying what is wrong. */
export function readIpynb(json: string): NotebookCellText[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new Error(`not a notebook: the file is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(doc)) throw new Error('not a notebook: the file is not a JSON object');
  const rawCells = Array.isArray(doc.cells)
    ? doc.cells
    : Array.isArray(doc.worksheets) && isRecord(doc.worksheets[0]) && Array.isArray(doc.worksheets[0].cells)
      ? doc.worksheets[0].cells
      : undefined;
  if (!rawCells) throw new Error('not a notebook: no "cells" list');
  const language = notebookLanguage(doc);
  return rawCells.map((cell, i) => {
    if (!isRecord(cell)) throw new Error(`not a notebook: cell ${i + 1} is not an object`);
    const kind = cell.cell_type === 'code' ? 'code' : cell.cell_type === 'raw' ? 'raw' : 'markdown';
    const source = cell.source ?? cell.input ?? '';
    const text = typeof source === 'string' ? source : Array.isArray(source) && source.every((s) => typeof s === 'string') ? source.join('') : undefined;
    if (text === undefined) throw new Error(`not a notebook: the source of cell ${i + 1} is not text`);
    return { kind, text, ...(language ? { language } : {}) };
  });
}

/** The code cells in Python, joined; a cell that is a cell magic (`%%bash`) is blanked whole. */
export function combineCells(cells: readonly NotebookCellText[]): NotebookSource {
  const parts: string[] = [];
  const spans: CellSpan[] = [];
  let offset = 0;
  cells.forEach((cell, index) => {
    if (cell.kind !== 'code' || (cell.language !== undefined && !isPythonLanguage(cell.language))) return;
    const text = blankMagics(cell.text);
    if (parts.length > 0) {
      parts.push('\n');
      offset += 1;
    }
    spans.push({ index, start: offset, end: offset + text.length });
    parts.push(text);
    offset += text.length;
  });
  return { text: parts.join(''), cells: spans };
}

/** The cell holding a combined-source offset, and the offset within it. */
export function cellAt(source: NotebookSource, offset: number): { index: number; offset: number } | undefined {
  let lo = 0;
  let hi = source.cells.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const span = source.cells[mid]!;
    if (offset < span.start) hi = mid - 1;
    else if (offset > span.end) lo = mid + 1;
    else return { index: span.index, offset: offset - span.start };
  }
  return undefined;
}

/**
 * Lines that IPython reads as magics or shell commands, blanked to spaces
 * (newlines kept): `%line_magic`, `!command`, and every line of a `%%cell_magic`
 * cell. A `?` help suffix is left: it is rare in model code and the parser
 * reports it where it stands.
 */
function blankMagics(text: string): string {
  const firstLine = text.replace(/^\s*\n/, '');
  if (/^\s*%%/.test(firstLine)) return text.replace(/[^\n]/g, ' ');
  return text.replace(/^([ \t]*)([%!][^\n]*)/gm, (_m, indent: string, magic: string) => indent + ' '.repeat(magic.length));
}

function notebookLanguage(doc: Record<string, unknown>): string | undefined {
  const meta = doc.metadata;
  if (!isRecord(meta)) return undefined;
  const info = meta.language_info;
  if (isRecord(info) && typeof info.name === 'string') return info.name.toLowerCase();
  const kernel = meta.kernelspec;
  if (isRecord(kernel) && typeof kernel.language === 'string') return kernel.language.toLowerCase();
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** VS Code's and Jupyter's language id of Python cells. */
export function isPythonLanguage(languageId: string): boolean {
  return /^python$/i.test(languageId);
}

/** `.ipynb` files. */
export function isNotebookPath(path: string): boolean {
  return /\.ipynb$/i.test(path);
}
