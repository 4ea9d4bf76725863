import { describe, expect, it } from 'vitest';
import { readCsvDataset } from '../../../engine/io/csv';
import { detectDelimiter } from '../../../engine/io/csvTable';
import { encodeBinary, encodeClasses } from '../../../engine/io/labels';
import { parseNumberCell } from '../../../engine/io/cells';
import { IoError } from '../../../engine/io/errors';

const fails = (f: () => unknown): IoError => {
  try {
    f();
  } catch (err) {
    if (err instanceof IoError) return err;
    throw err;
  }
  throw new Error('expected an IoError');
};

describe('CSV datasets', () => {
  const text = 'x1,x2,y\n1,2,0.5\n3,4,1.5\n5,6,2.5\n';

  it('regression: every column but the target is a feature, rows in file order', () => {
    const d = readCsvDataset(text, 'd.csv', { target: 'y', task: 'regression' });
    expect(d.count).toBe(3);
    expect(d.inputDim).toBe(2);
    expect(Array.from(d.inputs)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.inputs).toBeInstanceOf(Float32Array);
    expect(d.targets).toMatchObject({ kind: 'values', dim: 1 });
    expect(Array.from((d.targets as { data: Float32Array }).data)).toEqual([0.5, 1.5, 2.5]);
    expect(d.description).toBe('d.csv: 3 rows, features x1, x2 → target y');
  });

  it('chosen features in the given order, float64 storage', () => {
    const d = readCsvDataset(text, 'd.csv', { features: ['x2'], target: 'y', task: 'regression', dtype: 'float64' });
    expect(Array.from(d.inputs)).toEqual([2, 4, 6]);
    expect(d.inputs).toBeInstanceOf(Float64Array);
  });

  it('binary: string labels are numbered in sorted order, true/false keep their meaning', () => {
    const d = readCsvDataset('a,label\n1,upper\n2,lower\n3,upper\n', 'm.csv', { target: 'label', task: 'binary' });
    expect(Array.from((d.targets as { data: Float32Array }).data)).toEqual([1, 0, 1]);
    expect(d.description).toContain('lower→0, upper→1');
    const b = readCsvDataset('a,ok\n1,TRUE\n2,false\n', 'b.csv', { target: 'ok', task: 'binary' });
    expect(Array.from((b.targets as { data: Float32Array }).data)).toEqual([1, 0]);
  });

  it('classes: numeric labels sort as numbers (2 before 10), one index each', () => {
    const d = readCsvDataset('a,c\n1,10\n2,2\n3,10\n4,7\n', 'c.csv', { target: 'c', task: 'classes' });
    expect(d.targets).toMatchObject({ kind: 'classes', classes: 3 });
    expect(Array.from((d.targets as { data: Int32Array }).data)).toEqual([2, 0, 2, 1]);
  });

  it('detects ; and tab delimiters; a decimal comma file is read with ;', () => {
    expect(detectDelimiter('a;b;c\n1;2;3')).toBe(';');
    expect(detectDelimiter('a\tb\n1\t2')).toBe('\t');
    expect(detectDelimiter('"a,b";c;d\n')).toBe(';');
    expect(detectDelimiter('single\n1\n')).toBe(',');
    const d = readCsvDataset('x;y\n1;2\n3;4\n', 's.csv', { target: 'y', task: 'regression' });
    expect(Array.from(d.inputs)).toEqual([1, 3]);
  });

  it('without a header, columns are named by position', () => {
    const d = readCsvDataset('1,2,3\n4,5,6\n', 'n.csv', { target: '2', task: 'regression', header: false });
    expect(Array.from(d.inputs)).toEqual([1, 2, 4, 5]);
  });

  it('errors name the file, the line and the column', () => {
    expect(fails(() => readCsvDataset('x,y\n1,2\nabc,3\n', 'd.csv', { target: 'y', task: 'regression' })).message).toBe("d.csv:3: the cell in column 'x' is not a number");
    expect(fails(() => readCsvDataset('x,y\n1,2\n,3\n', 'd.csv', { target: 'y', task: 'regression' })).message).toBe("d.csv:3: empty cell in column 'x'");
    expect(fails(() => readCsvDataset('x,y\nNA,2\n', 'd.csv', { target: 'y', task: 'regression' })).message).toBe("d.csv:2: a missing value (NA, NaN, null, …) in column 'x'");
    expect(fails(() => readCsvDataset('x,y\n1,2\n3\n', 'd.csv', { target: 'y', task: 'regression' })).message).toBe('d.csv:3: this row has a different number of fields than the header');
    expect(fails(() => readCsvDataset('x,y\n1,2\n3\n', 'd.csv', { target: 'y', task: 'regression', inputFeatures: 1 })).message).toBe('d.csv:3: this row has a different number of fields than the header (the model reads 2 columns)');
    expect(fails(() => readCsvDataset('x,y\n1,2\n', 'd.csv', { target: 'z', task: 'regression' })).message).toBe("d.csv:1: column 'z' is not in the header");
    expect(fails(() => readCsvDataset('x,x\n1,2\n', 'd.csv', { target: 'x', task: 'regression' })).message).toBe('d.csv:1: fields 1 and 2 of the header have the same name');
    expect(fails(() => readCsvDataset('', 'd.csv', { target: 'y', task: 'regression' })).message).toBe('d.csv: file is empty');
    expect(fails(() => readCsvDataset('x,y\n', 'd.csv', { target: 'y', task: 'regression' })).message).toBe('d.csv:1: no data rows after the header');
    expect(fails(() => readCsvDataset('x,y\n"1,2\n', 'd.csv', { target: 'y', task: 'regression' })).message).toMatch(/^d\.csv(:\d+)?: a quoted field is never closed$/);
    expect(fails(() => readCsvDataset('x,y\n1,a\n2,b\n3,c\n', 'd.csv', { target: 'y', task: 'binary' })).message)
      .toBe("d.csv:4: a third distinct value in binary target column 'y'; binary targets have two");
    expect(fails(() => readCsvDataset('x,y\n1,2\n', 'd.csv', { features: ['y'], target: 'y', task: 'regression' })).message).toBe("d.csv:1: column 'y' is both a feature and a target");
    expect(fails(() => readCsvDataset('x,y,z\n1,2,3\n', 'd.csv', { target: ['y', 'z'], task: 'classes' })).message).toBe("d.csv:1: task 'classes' takes one target column, got 2: y, z");
  });

  it('a quoted field spanning lines keeps later line numbers right', () => {
    const e = fails(() => readCsvDataset('x,note,y\n1,"two\nlines",2\nbad,"",3\n', 'q.csv', { features: ['x'], target: 'y', task: 'regression' }));
    expect(e.line).toBe(4);
  });
});

describe('cells and labels', () => {
  it('number cells are stricter than Number()', () => {
    expect(parseNumberCell('1e-3', 'c')).toEqual({ value: 0.001 });
    expect(parseNumberCell('0x1f', 'c')).toEqual({ problem: "the cell in column 'c' is not a number" });
    expect(parseNumberCell('-inf', 'c')).toEqual({ problem: "the cell in column 'c' is infinite" });
    expect(parseNumberCell('1e999', 'c')).toEqual({ problem: "the cell in column 'c' is too large" });
  });

  it('classes as LabelEncoder: numeric labels merge 1 and 1.0', () => {
    expect(encodeClasses(['1', '1.0', '3'])).toEqual({ indices: Int32Array.from([0, 0, 1]), labels: ['1', '3'] });
    expect(encodeClasses(['b', 'a', 'b']).labels).toEqual(['a', 'b']);
  });

  it('a binary column with one value that is not 0/1/true/false is an error', () => {
    const fail = (detail: string, row: number): never => {
      throw new Error(`${row}: ${detail}`);
    };
    expect(() => encodeBinary(['yes', 'yes'], 'y', fail)).toThrow("0: binary target column 'y' has a single value, and not 0/1 or true/false; it needs two");
    expect(encodeBinary(['1', '1'], 'y', fail).indices).toEqual(Int32Array.from([1, 1]));
  });
});
