/**
 * CSV files as datasets: chosen feature columns become the inputs, one or
 * more target columns the targets, read as the task needs them. Every error
 * names the file and, where there is one, the line and the column:
 * "data.csv:17: 'abc' in column 'x3' is not a number".
 */
import type { Dataset } from '../data/dataset';
import { allocate, type DType } from '../tensor/dtype';
import { missingLabel, parseNumberCell } from './cells';
import { readCsvTable, type CsvDelimiter, type CsvTable } from './csvTable';
import { IoError } from './errors';
import { encodeBinary, encodeClasses, type LabelEncoding } from './labels';
import { describeMapping, type DatasetTask } from './task';

export interface CsvDatasetOptions {
  /** Input columns, in this order. Default: every column but the target(s), in file order. */
  features?: readonly string[];
  /** Target column, or columns (several only for 'regression' and 'binary'). */
  target: string | readonly string[];
  task: DatasetTask;
  /** Whether the first row names the columns (default true). Without it, columns are named '0', '1', …. */
  header?: boolean;
  /** Field separator; detected from the first line when not given. */
  delimiter?: CsvDelimiter;
  /** Storage of inputs and value targets (default float32). */
  dtype?: DType;
  /** The model's input width, for messages (what a row should hold, said without quoting the file). */
  inputFeatures?: number;
}

export function readCsvDataset(text: string, fileName: string, options: CsvDatasetOptions): Dataset {
  const { task, header = true, dtype = 'float32' } = options;
  const targets = typeof options.target === 'string' ? [options.target] : [...options.target];
  const width = options.features?.length ?? options.inputFeatures;
  const table = readCsvTable(text, fileName, { header, ...(options.delimiter ? { delimiter: options.delimiter } : {}), ...(width !== undefined ? { expectedFields: width + targets.length } : {}) });
  const fail = (detail: string, line = table.headerLine): never => {
    throw new IoError(fileName, detail, line);
  };
  if (targets.length === 0) fail('no target column given');
  if (task === 'classes' && targets.length !== 1) fail(`task 'classes' takes one target column, got ${targets.length}: ${targets.join(', ')}`);
  const features = options.features ? [...options.features] : table.columns.filter((c) => !targets.includes(c));
  if (features.length === 0) fail('no feature columns: every column is a target');

  const featureIndex = features.map((name) => columnIndex(table, name, fail));
  const targetIndex = targets.map((name) => columnIndex(table, name, fail));
  for (const name of features) if (targets.includes(name)) fail(`column '${name}' is both a feature and a target`);
  for (const list of [features, targets]) {
    const twice = list.find((name, i) => list.indexOf(name) !== i);
    if (twice !== undefined) fail(`column '${twice}' is listed twice`);
  }

  const count = table.rows.length;
  const inputs = readNumbers(table, featureIndex, dtype, fileName);
  const source = `${fileName}: ${count} rows, features ${features.join(', ')} → ${targets.length === 1 ? 'target' : 'targets'} ${targets.join(', ')}`;

  if (task === 'regression') {
    const data = readNumbers(table, targetIndex, dtype, fileName);
    return { count, inputDim: features.length, inputs, targets: { kind: 'values', dim: targets.length, data }, description: source };
  }
  const encodings = targetIndex.map((column) => readLabels(table, column, task, fileName));
  const mappings = encodings.map((e, t) => `${targets[t]}: ${describeMapping(e.labels)}`).join('; ');
  if (task === 'classes') {
    const { indices, labels } = encodings[0]!;
    return { count, inputDim: features.length, inputs, targets: { kind: 'classes', classes: labels.length, data: indices }, description: `${source} (${labels.length} classes; ${mappings})` };
  }
  const data = allocate(dtype, count * targets.length);
  encodings.forEach((e, t) => e.indices.forEach((y, row) => (data[row * targets.length + t] = y)));
  return { count, inputDim: features.length, inputs, targets: { kind: 'values', dim: targets.length, data }, description: `${source} (binary; ${mappings})` };
}

function columnIndex(table: CsvTable, name: string, fail: (detail: string) => never): number {
  const index = table.columns.indexOf(name);
  // The model names the column; the header's other names are the file's content and stay out of the message.
  if (index < 0) fail(`column '${name}' is not in the header`);
  if (name === '') fail(`column ${index + 1} has no name in the header; name it, or list the features explicitly`);
  return index;
}

/** The cells of `columns`, row-major, as numbers; the first bad cell (in reading order) is the error. */
function readNumbers(table: CsvTable, columns: readonly number[], dtype: DType, fileName: string): ReturnType<typeof allocate> {
  const out = allocate(dtype, table.rows.length * columns.length);
  table.rows.forEach((row, r) => {
    columns.forEach((column, c) => {
      const name = table.columns[column]!;
      const cell = parseNumberCell(row.cells[column]!, name);
      if ('problem' in cell) throw new IoError(fileName, cell.problem, row.line);
      const at = r * columns.length + c;
      out[at] = cell.value;
      if (!Number.isFinite(out[at]!)) throw new IoError(fileName, `the cell in column '${name}' is out of ${dtype} range`, row.line);
    });
  });
  return out;
}

function readLabels(table: CsvTable, column: number, task: 'binary' | 'classes', fileName: string): LabelEncoding {
  const name = table.columns[column]!;
  const values = table.rows.map((row) => {
    const problem = missingLabel(row.cells[column]!, name);
    if (problem) throw new IoError(fileName, problem, row.line);
    return row.cells[column]!;
  });
  if (task === 'classes') return encodeClasses(values);
  return encodeBinary(values, name, (detail, row) => {
    throw new IoError(fileName, detail, table.rows[row]!.line);
  });
}
