import { describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '../../../engine/io';
import { concat, expectIoError, f32, f64, i16, i32, i64, npyFile, npyHeader, u16, u32 } from './fixtures';

const read = (bytes: Uint8Array) => readNpy(bytes, 'a.npy');

describe('readNpy: element types and byte orders', () => {
  it('reads little-endian float32 and float64', () => {
    const a = read(npyFile(npyHeader('<f4', '(3,)'), f32([1, -2.5, 0.1])));
    expect(a.shape).toEqual([3]);
    expect(a.dtype).toBe('float32');
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(Array.from(a.data)).toEqual([1, -2.5, Math.fround(0.1)]);
    const b = read(npyFile(npyHeader('<f8', '(2,)'), f64([0.1, -1e300])));
    expect(b.data).toBeInstanceOf(Float64Array);
    expect(Array.from(b.data)).toEqual([0.1, -1e300]);
  });

  it('reads big-endian data of every multi-byte type', () => {
    expect(Array.from(read(npyFile(npyHeader('>f4', '(2,)'), f32([1.5, -3], false))).data)).toEqual([1.5, -3]);
    expect(Array.from(read(npyFile(npyHeader('>f8', '(2,)'), f64([0.1, -7], false))).data)).toEqual([0.1, -7]);
    expect(Array.from(read(npyFile(npyHeader('>i2', '(2,)'), i16([-300, 12345], false))).data)).toEqual([-300, 12345]);
    expect(Array.from(read(npyFile(npyHeader('>u2', '(2,)'), u16([65535, 258], false))).data)).toEqual([65535, 258]);
    expect(Array.from(read(npyFile(npyHeader('>i4', '(2,)'), i32([-70000, 2 ** 31 - 1], false))).data)).toEqual([-70000, 2 ** 31 - 1]);
    expect(Array.from(read(npyFile(npyHeader('>u4', '(1,)'), u32([4000000000], false))).data)).toEqual([4000000000]);
    expect(Array.from(read(npyFile(npyHeader('>i8', '(2,)'), i64([-5n, 1n << 40n], false))).data)).toEqual([-5, 2 ** 40]);
  });

  it('the same big-endian bytes read as little-endian give other numbers (the order matters)', () => {
    const bytes = f32([1.5], false);
    expect(read(npyFile(npyHeader('<f4', '(1,)'), bytes)).data[0]).not.toBe(1.5);
  });

  it('reads 1-byte types, with any byte order character', () => {
    const i1 = read(npyFile(npyHeader('|i1', '(3,)'), [0xff, 0x7f, 0x80]));
    expect(i1.data).toBeInstanceOf(Int8Array);
    expect(Array.from(i1.data)).toEqual([-1, 127, -128]);
    const u1 = read(npyFile(npyHeader('|u1', '(2,)'), [0xff, 7]));
    expect([u1.dtype, Array.from(u1.data)]).toEqual(['uint8', [255, 7]]);
    expect(Array.from(read(npyFile(npyHeader('u1', '(1,)'), [9])).data)).toEqual([9]);
  });

  it('reads bool as 0/1, any non-zero byte being True', () => {
    const b = read(npyFile(npyHeader('|b1', '(4,)'), [0, 1, 2, 255]));
    expect(b.dtype).toBe('bool');
    expect(b.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(b.data)).toEqual([0, 1, 1, 1]);
  });

  it('widens float16 (both byte orders) to float32, exactly', () => {
    // 1.0, −2.5, 65504 (max), 2⁻²⁴ (smallest subnormal), 2⁻¹⁴ (smallest normal), −0, ∞, −∞, NaN
    const bits = [0x3c00, 0xc100, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x7e00];
    const expected = [1, -2.5, 65504, 2 ** -24, 2 ** -14, -0, Infinity, -Infinity, NaN];
    for (const le of [true, false]) {
      const a = read(npyFile(npyHeader(le ? '<f2' : '>f2', '(9,)'), u16(bits, le)));
      expect(a.dtype).toBe('float16');
      expect(a.data).toBeInstanceOf(Float32Array);
      expect(Array.from(a.data)).toEqual(expected);
    }
  });

  it('int64: Int32Array when every value fits, else Float64Array rounding past 2^53', () => {
    const small = read(npyFile(npyHeader('<i8', '(3,)'), i64([-(2n ** 31n), 0n, 2n ** 31n - 1n])));
    expect(small.dtype).toBe('int64');
    expect(small.data).toBeInstanceOf(Int32Array);
    expect(Array.from(small.data)).toEqual([-(2 ** 31), 0, 2 ** 31 - 1]);
    const large = read(npyFile(npyHeader('<i8', '(3,)'), i64([2n ** 31n, -(2n ** 53n) - 1n, 2n ** 53n + 3n])));
    expect(large.data).toBeInstanceOf(Float64Array);
    // −(2⁵³+1) and 2⁵³+3 are not doubles; they round to nearest (ties to even).
    expect(Array.from(large.data)).toEqual([2 ** 31, -(2 ** 53), 2 ** 53 + 4]);
  });

  it('uint64 reads the top bit as a magnitude', () => {
    const bytes = new Uint8Array(8).fill(0xff);
    const a = read(npyFile(npyHeader('<u8', '(1,)'), bytes));
    expect(a.data[0]).toBe(2 ** 64);
  });
});

describe('readNpy: shapes, layouts and header variants', () => {
  it('0-D arrays hold one element, empty arrays none', () => {
    const scalar = read(npyFile(npyHeader('<f8', '()'), f64([3.5])));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([3.5]);
    expect(read(npyFile(npyHeader('<f4', '(0,)'), [])).data.length).toBe(0);
    const empty2d = read(npyFile(npyHeader('<i4', '(2, 0)'), []));
    expect([empty2d.shape, empty2d.data.length]).toEqual([[2, 0], 0]);
  });

  it('transposes Fortran-order 2-D data to C order', () => {
    // [[1, 2, 3], [4, 5, 6]] stored column by column.
    const a = read(npyFile(npyHeader('<f4', '(2, 3)', true), f32([1, 4, 2, 5, 3, 6])));
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('transposes Fortran-order 3-D big-endian data to C order', () => {
    const [p, q, r] = [2, 3, 4];
    const value = (i: number, j: number, k: number): number => 100 * i + 10 * j + k;
    const fortran: number[] = [];
    for (let k = 0; k < r; k++) for (let j = 0; j < q; j++) for (let i = 0; i < p; i++) fortran.push(value(i, j, k));
    const c: number[] = [];
    for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) for (let k = 0; k < r; k++) c.push(value(i, j, k));
    const a = read(npyFile(npyHeader('>i2', '(2, 3, 4)', true), i16(fortran, false)));
    expect(Array.from(a.data)).toEqual(c);
  });

  it('Fortran order changes nothing for 1-D arrays', () => {
    expect(Array.from(read(npyFile(npyHeader('<f4', '(3,)', true), f32([1, 2, 3]))).data)).toEqual([1, 2, 3]);
  });

  it('reads version 2.0 and 3.0 headers (u32 length), 3.0 as UTF-8', () => {
    const v2 = read(npyFile(npyHeader('<f4', '(2,)'), f32([1, 2]), { major: 2 }));
    expect(Array.from(v2.data)).toEqual([1, 2]);
    const v3 = read(npyFile(npyHeader('<i4', '(1,)'), i32([42]), { major: 3 }));
    expect(Array.from(v3.data)).toEqual([42]);
  });

  it('accepts headers numpy accepts: unpadded, other key order, double quotes, no trailing comma, Python 2 longs', () => {
    expect(read(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", f32([1]), { pad: false })).shape).toEqual([1]);
    expect(read(npyFile(`{"shape": (2, 1), "descr": "<f4", "fortran_order": False}`, f32([1, 2]))).shape).toEqual([2, 1]);
    expect(read(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 1L), }", f32([1, 2]))).shape).toEqual([2, 1]);
  });
});

describe('readNpy: where the bytes live', () => {
  it('reads a file that is a window into a larger buffer (as a Node Buffer from the pool is)', () => {
    const file = writeNpy(new Float32Array([1.5, -2, 3.25]), [3]);
    const pool = new Uint8Array(file.length + 19).fill(0xff);
    pool.set(file, 7);
    // Buffer#slice returns a view, not a copy, unlike Uint8Array#slice.
    const window = Buffer.from(pool.buffer, 7, file.length);
    const back = readNpy(window, 'w.npy');
    expect(back.shape).toEqual([3]);
    expect(Array.from(back.data)).toEqual([1.5, -2, 3.25]);
    expect(back.data.length).toBe(3);
  });
});

describe('readNpy: errors', () => {
  it('empty file, bad magic, ZIP archives', () => {
    expectIoError(() => read(new Uint8Array()), 'a.npy: file is empty');
    expectIoError(() => read(new TextEncoder().encode('hello world')), 'a.npy: not an NPY file: bad magic (expected 93 4e 55 4d 50 59 "\\x93NUMPY", found 68 65 6c 6c 6f 20)');
    expectIoError(() => read(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0])), /bad magic .*; this looks like a ZIP archive \(an \.npz file\?\)$/);
    expectIoError(() => read(new Uint8Array([0x93, 0x4e])), /bad magic .*found 93 4e\)$/);
  });

  it('truncated preambles and header lengths past the end', () => {
    expectIoError(() => read(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])), 'a.npy: file is 6 bytes, too short for an NPY preamble');
    expectIoError(() => read(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 10, 0])), 'a.npy: file is 10 bytes, too short for an NPY 2.0 preamble');
    expectIoError(() => read(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 100, 0, 0x7b])), 'a.npy: header length 100 runs past the end of the file (11 bytes)');
  });

  it('unsupported versions', () => {
    expectIoError(() => read(npyFile(npyHeader('<f4', '(1,)'), f32([1]), { major: 4 })), 'a.npy: unsupported NPY format version 4.0 (supported: 1.0, 2.0, 3.0)');
    expectIoError(() => read(npyFile(npyHeader('<f4', '(1,)'), f32([1]), { minor: 1 })), 'a.npy: unsupported NPY format version 1.1 (supported: 1.0, 2.0, 3.0)');
  });

  it('headers that are not the dict numpy writes', () => {
    expectIoError(() => read(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", [])), /^a\.npy: header is not a Python dict literal: expected ',' or '}' at character \d+$/);
    expectIoError(() => read(npyFile('[1, 2]', [])), 'a.npy: header is not a Python dict');
    expectIoError(() => read(npyFile("{'descr': '<f4', 'shape': (1,)}", f32([1]))), "a.npy: header has no 'fortran_order' key");
    expectIoError(() => read(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", f32([1]))), "a.npy: header has an unexpected key 'x'");
    expectIoError(() => read(npyFile("{'descr': 4, 'fortran_order': False, 'shape': (1,)}", f32([1]))), "a.npy: header 'descr' is not a string");
    expectIoError(() => read(npyFile("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", f32([1]))), "a.npy: header 'fortran_order' is not True or False");
    for (const shape of ['[1]', '(1)', '(-1,)', "('a',)", '(1.5,)']) {
      expectIoError(() => read(npyFile(npyHeader('<f4', shape), f32([1]))), /^a\.npy: header (is not a Python dict literal: only integers are allowed at character \d+|'shape' is not a tuple of non-negative integers)$/);
    }
    expectIoError(() => read(npyFile(`{'descr': ${'('.repeat(100)}`, [])), /nesting too deep/);
  });

  it('a v3.0 header that is not UTF-8', () => {
    const bytes = npyFile(npyHeader('<f4', '(1,)'), f32([1]), { major: 3 });
    bytes[20] = 0xff;
    expectIoError(() => read(bytes), 'a.npy: header is not valid UTF-8');
  });

  it('unsupported dtypes name the dtype', () => {
    const supported = 'supported are float16/32/64, int8/16/32/64, uint8/16/32/64 and bool';
    expectIoError(() => read(npyFile(npyHeader('<c8', '(1,)'), f64([0]))), `a.npy: unsupported dtype '<c8' (complex numbers); ${supported}`);
    expectIoError(() => read(npyFile(npyHeader('<U5', '(1,)'), [])), `a.npy: unsupported dtype '<U5' (unicode strings); ${supported}`);
    expectIoError(() => read(npyFile(npyHeader('<M8[ns]', '(1,)'), [])), `a.npy: unsupported dtype '<M8[ns]' (datetimes); ${supported}`);
    expectIoError(() => read(npyFile(npyHeader('<f16', '(1,)'), [])), `a.npy: unsupported dtype '<f16'; ${supported}`);
    expectIoError(() => read(npyFile(npyHeader('|O', '(1,)'), [])), "a.npy: object arrays (dtype '|O') are not supported: they hold pickled Python objects, not numbers");
    expectIoError(() => read(npyFile("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,)}", [])), "a.npy: structured arrays (a list 'descr' of named fields) are not supported");
  });

  it('truncated and overlong data', () => {
    const full = npyFile(npyHeader('<f4', '(1000,)'), new Uint8Array(4000));
    expect(read(full).data.length).toBe(1000);
    expectIoError(() => read(full.subarray(0, full.length - 4)), 'a.npy: expected 4000 bytes of data, found 3996');
    expectIoError(() => read(concat(full, [0])), 'a.npy: expected 4000 bytes of data, found 4001 (trailing bytes after the array)');
  });

  it('huge shapes fail before allocating anything', () => {
    expectIoError(() => read(npyFile(npyHeader('<f4', '(1000000000000,)'), [])), 'a.npy: expected 4000000000000 bytes of data, found 0');
    expectIoError(() => read(npyFile(npyHeader('<f4', '(1000000000000, 1000000000000)'), [])), 'a.npy: shape (1000000000000, 1000000000000) is too large');
  });

  it('IoError carries the file name and the bare detail', () => {
    const error = expectIoError(() => readNpy(new Uint8Array(), 'dir/x.npy'), 'dir/x.npy: file is empty');
    expect([error.fileName, error.detail, error.line, error.name]).toEqual(['dir/x.npy', 'file is empty', undefined, 'IoError']);
  });
});

describe('writeNpy', () => {
  const shapes: number[][] = [[], [0], [5], [2, 3], [2, 0, 3], [1, 1, 1, 1], [3, 1, 2]];
  const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

  it.each([
    ['float32', (n: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(i * 0.37 - 1))],
    ['float64', (n: number) => Float64Array.from({ length: n }, (_, i) => i * 0.1 - 1e-300)],
    ['int32', (n: number) => Int32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * i * 1000003)],
  ] as const)('round-trips %s across shapes', (dtype, make) => {
    for (const shape of shapes) {
      const data = make(count(shape));
      const back = read(writeNpy(data, shape));
      expect(back.shape).toEqual(shape);
      expect(back.dtype).toBe(dtype);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('keeps NaN, infinities and −0 bit for bit', () => {
    const data = new Float64Array([NaN, Infinity, -Infinity, -0, Number.MIN_VALUE]);
    expect(Array.from(read(writeNpy(data, [5])).data)).toEqual([NaN, Infinity, -Infinity, -0, Number.MIN_VALUE]);
  });

  it('pads the header with spaces and a newline so that the data is 64-byte aligned', () => {
    for (const shape of shapes) {
      const bytes = writeNpy(new Float32Array(count(shape)), shape);
      const headerLength = bytes[8]! + 256 * bytes[9]!;
      expect((10 + headerLength) % 64).toBe(0);
      expect(bytes[10 + headerLength - 1]).toBe(0x0a);
      expect(bytes.length - 10 - headerLength).toBe(4 * count(shape));
    }
  });

  it('moves to version 2.0 only when the header does not fit 16 bits', () => {
    const shape = new Array<number>(30000).fill(1);
    const bytes = writeNpy(new Float32Array([2]), shape);
    expect([bytes[6], bytes[7]]).toEqual([2, 0]);
    const back = read(bytes);
    expect([back.shape.length, Array.from(back.data)]).toEqual([30000, [2]]);
  });

  it('rejects a shape that does not match the data, and unsupported arrays', () => {
    expect(() => writeNpy(new Float32Array(5), [2, 3])).toThrow(new RangeError('writeNpy: shape [2, 3] has 6 elements, the array 5'));
    expect(() => writeNpy(new Float32Array(1), [-1])).toThrow(RangeError);
    expect(() => writeNpy(new Uint8Array(2) as unknown as Float32Array, [2])).toThrow(TypeError);
  });
});
