/**
 * Label encoding for classification targets, as scikit-learn's LabelEncoder
 * does it: the distinct labels, sorted, are numbered 0..K−1. Labels sort as
 * numbers when every label is a number (so 2 < 10, and '1' and '1.0' are one
 * class) and as strings otherwise.
 */
import { isNumberCell } from './cells';

export interface LabelEncoding {
  /** Index of each value, in input order. */
  indices: Int32Array;
  /** The label of each index, 0..K−1. */
  labels: string[];
}

/** Reports a problem with the value at `row` (an index into the values). */
export type LabelFail = (detail: string, row: number) => never;

export function encodeClasses(values: readonly string[]): LabelEncoding {
  const numeric = values.every(isNumberCell);
  const key = (v: string): string => (numeric ? String(Number(v)) : v);
  const distinct = [...new Set(values.map(key))];
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(distinct.map((label, i) => [label, i]));
  return { indices: Int32Array.from(values, (v) => index.get(key(v))!), labels: distinct };
}

const BOOLEAN = new Map([
  ['false', 0],
  ['true', 1],
]);

/**
 * Binary labels: 0/1 numbers and true/false (any case) keep their meaning;
 * any other two values are numbered in sorted order. A third distinct value
 * is reported at its row; a single value that is not 0/1/true/false too,
 * since nothing says which class it is.
 */
export function encodeBinary(values: readonly string[], column: string, fail: LabelFail): LabelEncoding {
  const firstRow = new Map<string, number>();
  const numeric = values.every(isNumberCell);
  const key = (v: string): string => (numeric ? String(Number(v)) : v.toLowerCase() === 'true' || v.toLowerCase() === 'false' ? v.toLowerCase() : v);
  values.forEach((v, row) => {
    const k = key(v);
    if (firstRow.has(k)) return;
    if (firstRow.size === 2) {
      // Which values, the message does not say: a data file's content stays out of messages.
      fail(`a third distinct value in binary target column '${column}'; binary targets have two`, row);
    }
    firstRow.set(k, row);
  });
  const distinct = [...firstRow.keys()];
  const fixed = numeric ? new Map([['0', 0], ['1', 1]]) : BOOLEAN;
  if (distinct.every((k) => fixed.has(k))) {
    const labels = [...fixed.keys()];
    return { indices: Int32Array.from(values, (v) => fixed.get(key(v))!), labels };
  }
  if (distinct.length === 1) {
    fail(`binary target column '${column}' has a single value, and not 0/1 or true/false; it needs two`, 0);
  }
  return encodeClasses(values.map(key));
}
