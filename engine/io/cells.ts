/**
 * Reading one CSV cell as a number. Stricter than `Number()`, which takes ''
 * as 0, '0x1f' as 31 and ' 1 ' as 1: a cell is a plain decimal or scientific
 * number, and a missing value or infinity is an error of its own, so that the
 * message says what is wrong with it.
 */

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Spellings of a missing value in CSV files written by pandas, R and spreadsheets. */
const MISSING = new Set(['nan', 'na', 'n/a', 'null', 'none', '#n/a', '-nan', '?']);

const INFINITE = /^[+-]?(inf|infinity)$/i;

export type CellValue = { value: number } | { problem: string };

/**
 * The number in a (trimmed) cell, or what is wrong with it, as "… in column 'x'". The problem never quotes the
 * cell: a data file's content stays out of messages (the file may not be what the model file says it is).
 */
export function parseNumberCell(cell: string, column: string): CellValue {
  if (cell === '') return { problem: `empty cell in column '${column}'` };
  if (MISSING.has(cell.toLowerCase())) return { problem: `a missing value (NA, NaN, null, …) in column '${column}'` };
  if (INFINITE.test(cell)) return { problem: `the cell in column '${column}' is infinite` };
  if (!DECIMAL.test(cell)) return { problem: `the cell in column '${column}' is not a number` };
  const value = Number(cell);
  if (!Number.isFinite(value)) return { problem: `the cell in column '${column}' is too large` };
  return { value };
}

/** A missing-value problem for a label cell (labels may be any text otherwise). */
export function missingLabel(cell: string, column: string): string | undefined {
  if (cell === '') return `empty cell in column '${column}'`;
  if (MISSING.has(cell.toLowerCase())) return `a missing value (NA, NaN, null, …) in column '${column}'`;
  return undefined;
}

/** Whether a cell would read as a number (used to decide how labels sort). */
export function isNumberCell(cell: string): boolean {
  return DECIMAL.test(cell) && Number.isFinite(Number(cell));
}
