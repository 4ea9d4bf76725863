import type { ModelDiagnostic } from '../engine/model';
import { cellAt, type NotebookSource } from '../pymodel/notebook';

/** Offsets at which each line starts, to turn an offset into line:column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset (binary search over line starts). */
export function lineColumn(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

/** Where an offset of a model's text is, as printed after the file name: `line:col`, or `cell N:line:col` in a notebook. */
export type Locator = (offset: number) => string;

export function textLocator(text: string): Locator {
  const starts = lineStarts(text);
  return (offset) => {
    const { line, column } = lineColumn(starts, offset);
    return `${line}:${column}`;
  };
}

/** Positions in a notebook's combined code, told by cell (numbered from 1, as Jupyter shows them) and line in the cell. */
export function notebookLocator(source: NotebookSource): Locator {
  const cells = new Map(source.cells.map((c) => [c.index, textLocator(source.text.slice(c.start, c.end))]));
  return (offset) => {
    const at = cellAt(source, offset);
    return at ? `cell ${at.index + 1}:${cells.get(at.index)!(at.offset)}` : textLocator(source.text)(offset);
  };
}

/** `file:line:col: severity code message`, the format compilers use, so editors and CI logs link it. */
export function formatDiagnostic(file: string, locate: Locator, d: ModelDiagnostic): string {
  return `${file}:${locate(d.range.start)}: ${d.severity} ${d.code} ${d.message}`;
}
